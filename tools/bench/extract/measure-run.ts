/**
 * One runner pass measured in a process of its own, as a real `extract` run would be: it
 * pays its own module loading, worker start-up and JIT warm-up, and its peak memory (the
 * kernel's high-water mark) is its own. Started by extract-bench.ts with a JSON request;
 * prints one JSON line (PassMeasurement).
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { SpecBuilder } from '../../extract/merge.ts';
import { extractFiles, type RunSummary } from '../../extract/runner/index.ts';
import { listPages } from '../../extract/runner/list-pages.ts';
import { countHttpRequestBlocks } from './request-blocks.ts';

export interface RunRequest {
  inputs: string[];
  /** Pages [start, end) of the sorted listing; all when absent. */
  slice?: [number, number];
  jobs: number;
  cacheDir: string | false;
  /** Run a second time over the same pages and cache. */
  warm: boolean;
  /** Count, after the timed pass, the pages holding a request block that yielded no operation. */
  coverage: boolean;
  extractor: string;
}

export interface PassFigures {
  durationMs: number;
  /** CPU time of this process (all threads, the runner's workers among them) and of any child processes. */
  cpuMs: number;
  summary: Omit<RunSummary, 'durationMs'>;
}

export interface PassMeasurement {
  pages: number;
  cold: PassFigures;
  warm?: PassFigures;
  /** sha256 of the spec built from the cold pass. */
  specSha256: string;
  /** This process and any child processes together, sampled every 20 ms, and never less than this process's own high-water mark. */
  peakRssBytes: number;
  /** Main thread's V8 heap, sampled every 20 ms during the cold pass. */
  peakHeapBytes: number;
  coverage?: { pagesWithRequestBlock: number; withOperation: number; missing: string[] };
  messages: { errors: number; warnings: number };
}

// Linux's /proc: the runner's workers are threads of this process, and an extractor that
// starts processes of its own has them counted too, as its children.
const CLOCK_TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

/** CPU ms of this process and of the children it has waited for (utime stime cutime cstime). */
function treeCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Resident bytes of this process and of its live children. */
function treeRssBytes(): number {
  let bytes = process.memoryUsage.rss();
  for (const task of readdirSync('/proc/self/task')) {
    let children: string[];
    try {
      children = readFileSync(`/proc/self/task/${task}/children`, 'utf8').trim().split(' ').filter(Boolean);
    } catch {
      continue;
    }
    for (const pid of children) {
      try {
        bytes += Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_BYTES;
      } catch {
        // exited between the two reads
      }
    }
  }
  return bytes;
}

async function measurePass(request: RunRequest): Promise<PassMeasurement> {
  const { pages: listed } = await listPages(request.inputs);
  const pages = request.slice ? listed.slice(...request.slice) : listed;
  const builder = new SpecBuilder();
  // Only a flag per page is kept for the coverage count, so the figure costs no memory to speak of.
  const operationsByPage = new Map<string, boolean>();
  const messages = { errors: 0, warnings: 0 };
  let peakHeapBytes = 0;
  let peakTreeRssBytes = 0;
  const sampler = setInterval(() => {
    peakHeapBytes = Math.max(peakHeapBytes, process.memoryUsage().heapUsed);
    peakTreeRssBytes = Math.max(peakTreeRssBytes, treeRssBytes());
  }, 20);

  const pass = async (record: boolean): Promise<PassFigures> => {
    const started = performance.now();
    const cpuBefore = treeCpuMs();
    const { durationMs: _own, ...summary } = await extractFiles(pages, {
      jobs: request.jobs,
      cache: request.cacheDir,
      extractor: request.extractor,
      onResult: (result) => {
        if (!record) return;
        if (request.coverage) operationsByPage.set(result.path, result.stats.operations > 0);
        for (const m of result.messages) {
          if (m.severity === 'error') messages.errors++;
          else if (m.severity === 'warning') messages.warnings++;
        }
        builder.add(result);
      },
      // A page the extractor crashed on counts against coverage; an unreadable one is skipped below.
      onError: (file) => {
        if (record && request.coverage) operationsByPage.set(file, false);
      },
    });
    // The workers have exited and been waited for when extractFiles returns.
    return { durationMs: performance.now() - started, cpuMs: treeCpuMs() - cpuBefore, summary };
  };

  const cold = await pass(true);
  const specSha256 = createHash('sha256').update(JSON.stringify(builder.build().spec)).digest('hex');
  clearInterval(sampler);
  const peakRssBytes = Math.max(peakTreeRssBytes, process.resourceUsage().maxRSS * 1024);
  const warm = request.warm ? await pass(false) : undefined;

  let coverage: PassMeasurement['coverage'];
  if (request.coverage) {
    // After the timed passes: the independent count of pages holding a request block.
    coverage = { pagesWithRequestBlock: 0, withOperation: 0, missing: [] };
    for (const [path, hasOperation] of operationsByPage) {
      const text = await readFile(path, 'utf8').catch(() => '');
      if (countHttpRequestBlocks(text) === 0) continue;
      coverage.pagesWithRequestBlock++;
      if (hasOperation) coverage.withOperation++;
      else coverage.missing.push(path);
    }
  }
  return {
    pages: pages.length,
    cold,
    ...(warm ? { warm } : {}),
    specSha256,
    peakRssBytes,
    peakHeapBytes,
    ...(coverage ? { coverage } : {}),
    messages,
  };
}

const request = JSON.parse(process.argv[2] ?? '{}') as RunRequest;
process.stdout.write(`${JSON.stringify(await measurePass(request))}\n`);
