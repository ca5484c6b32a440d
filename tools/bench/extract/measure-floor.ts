/**
 * One side of the comparison with the parser floor: a bare remark parse (gfm + front
 * matter) or extractPage() over the same in-memory pages on one thread, in a process of its
 * own. Not both sides in one process: sharing a heap, each side pays for the other's
 * garbage and the comparison flattens (1.05 in one process against 1.31 in two, measured
 * on this corpus). Started by extract-bench.ts with a JSON request; prints one JSON line.
 *
 * With `serve`, it loads and warms up, prints one line ({ready, pages, unreadable}), then
 * times one chunk of its pages per line read from stdin ({from, to}, indices into its
 * pages), answering each with one ChunkMeasurement line, until stdin ends. The bench keeps
 * one such process per side and alternates chunks between them, so the two sides are timed
 * seconds apart, under the same load, instead of a minute apart.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
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
  /** Time chunks on request (see the top of this file) instead of the whole slice at once. */
  serve?: boolean;
}

export interface ChunkRequest {
  from: number;
  to: number;
}

export interface ChunkMeasurement {
  pages: number;
  wallMs: number;
  cpuMs: number;
  crashed: string[];
}

export interface FloorMeasurement {
  side: FloorRequest['side'];
  pages: number;
  wallMs: number;
  /** CPU time of the process: on a machine shared with other work it measures the work, not the wait. */
  cpuMs: number;
  crashed: string[];
  unreadable: string[];
}

// Untimed first pass over this many pages, so the JIT has compiled the hot paths of both sides.
const WARM_UP_PAGES = 30;

interface Side {
  texts: { path: string; text: string }[];
  unreadable: string[];
  /** Runs the side over some of its pages, timed; the pages it crashed on are added to `crashed`. */
  time(pages: { path: string; text: string }[], crashed: Set<string>): { wallMs: number; cpuMs: number };
}

async function loadSide(request: FloorRequest): Promise<Side> {
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
  const each = (pages: typeof texts, crashed: Set<string>) => {
    for (const page of pages) {
      try {
        run(page);
      } catch {
        crashed.add(page.path);
      }
    }
  };
  each(texts.slice(0, WARM_UP_PAGES), new Set());
  return {
    texts,
    unreadable,
    time(pages, crashed) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      each(pages, crashed);
      const usage = process.cpuUsage(cpu);
      const ended = performance.now();
      return {
        wallMs: ended - started,
        cpuMs: (usage.user + usage.system) / 1000,
      };
    },
  };
}

async function measureFloor(request: FloorRequest): Promise<FloorMeasurement> {
  const side = await loadSide(request);
  const crashed = new Set<string>();
  const timing = side.time(side.texts, crashed);
  return { side: request.side, pages: side.texts.length, ...timing, crashed: [...crashed], unreadable: side.unreadable };
}

async function serve(request: FloorRequest): Promise<void> {
  const side = await loadSide(request);
  const say = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);
  say({ ready: true, pages: side.texts.length, unreadable: side.unreadable });
  for await (const line of createInterface({ input: process.stdin })) {
    const { from, to } = JSON.parse(line) as ChunkRequest;
    const pages = side.texts.slice(from, to);
    const crashed = new Set<string>();
    const { wallMs, cpuMs } = side.time(pages, crashed);
    say({ pages: pages.length, wallMs, cpuMs, crashed: [...crashed] } satisfies ChunkMeasurement);
  }
}

const request = JSON.parse(process.argv[2] ?? '{}') as FloorRequest;
if (request.serve) await serve(request);
else process.stdout.write(`${JSON.stringify(await measureFloor(request))}\n`);
