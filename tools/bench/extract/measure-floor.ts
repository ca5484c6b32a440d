/**
 * One side of the comparison with the parser floor: a bare remark parse (gfm + front
 * matter) or extractPage() over the same in-memory pages on one thread, in a process of its
 * own. Not both sides in one process: sharing a heap, each side pays for the other's
 * garbage and the comparison flattens (1.05 in one process against 1.31 in two, measured
 * on this corpus). Started by extract-bench.ts with a JSON request; prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { decodePage } from '../../extract/runner/decode-page.ts';
import { listPages } from '../../extract/runner/list-pages.ts';
import type { ExtractorModule } from '../../extract/runner/protocol.ts';

export interface FloorRequest {
  side: 'parse' | 'extract';
  inputs: string[];
  slice: [number, number];
  extractor: string;
}

export interface FloorMeasurement {
  side: FloorRequest['side'];
  pages: number;
  wallMs: number;
  /** CPU time of the process: on a machine shared with other work it measures the work, not the wait. */
  cpuMs: number;
  /** When the timed loop began and ended, in ms since the epoch: spans of processes run side by side. */
  startedAtMs: number;
  endedAtMs: number;
  crashed: string[];
  unreadable: string[];
}

// Untimed first pass over this many pages, so the JIT has compiled the hot paths of both sides.
const WARM_UP_PAGES = 30;

async function measureFloor(request: FloorRequest): Promise<FloorMeasurement> {
  const { pages } = await listPages(request.inputs);
  const texts: { path: string; text: string }[] = [];
  const unreadable: string[] = [];
  for (const path of pages.slice(...request.slice)) {
    let decoded;
    try {
      decoded = decodePage(path, readFileSync(path));
    } catch {
      unreadable.push(path);
      continue;
    }
    if (decoded.ok) texts.push({ path, text: decoded.text });
    else unreadable.push(path);
  }

  let run: (page: { path: string; text: string }) => unknown;
  if (request.side === 'parse') {
    const parser = unified().use(remarkParse).use(remarkGfm).use(remarkFrontmatter, ['yaml']).freeze();
    run = (page) => parser.parse(page.text);
  } else {
    const { extractPage } = (await import(request.extractor)) as ExtractorModule;
    run = extractPage;
  }
  const crashed = new Set<string>();
  const each = (pages: typeof texts) => {
    for (const page of pages) {
      try {
        run(page);
      } catch {
        crashed.add(page.path);
      }
    }
  };
  each(texts.slice(0, WARM_UP_PAGES));
  const started = performance.now();
  const cpu = process.cpuUsage();
  each(texts);
  const usage = process.cpuUsage(cpu);
  const ended = performance.now();
  return {
    side: request.side,
    pages: texts.length,
    wallMs: ended - started,
    cpuMs: (usage.user + usage.system) / 1000,
    startedAtMs: performance.timeOrigin + started,
    endedAtMs: performance.timeOrigin + ended,
    crashed: [...crashed],
    unreadable,
  };
}

const request = JSON.parse(process.argv[2] ?? '{}') as FloorRequest;
process.stdout.write(`${JSON.stringify(await measureFloor(request))}\n`);
