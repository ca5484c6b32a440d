/**
 * Runner passes measured in a process of their own, so that the peak memory (the kernel's
 * high-water mark) belongs to them alone and jobs=1 pays its own module loading as a real
 * run would. Started by extract-bench.ts with a JSON request; prints one JSON line.
 *
 * - `corpus`: one cold pass (optionally followed by a warm pass over the same cache), with
 *   peak memory and coverage.
 * - `speed-up`: jobs=1 and jobs=2 over the same pages, in two halves run A-B then B-A, so
 *   load from other processes sharing the machine falls on both sides alike; each side
 *   feeds its own SpecBuilder and the two built specs are compared.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SpecBuilder } from '../../extract/merge.ts';
import { extractFiles, type ExtractFilesOptions, type RunSummary } from '../../extract/runner/index.ts';
import { listPages } from '../../extract/runner/list-pages.ts';
import { countHttpRequestBlocks } from './request-blocks.ts';

export interface RunRequest {
  mode: 'corpus' | 'speed-up';
  inputs: string[];
  /** Take only the first `limit` pages (sorted), for --quick. */
  limit?: number;
  jobs: number;
  /** Cache directory; the speed-up mode never caches. */
  cacheDir: string;
  warm: boolean;
  extractor: string;
}

export interface PassFigures {
  durationMs: number;
  summary: Omit<RunSummary, 'durationMs'>;
}

export interface CorpusMeasurement {
  pages: number;
  cold: PassFigures;
  warm?: PassFigures;
  /** Whole process, all threads (getrusage maxrss), at the end of the cold pass. */
  peakRssBytes: number;
  /** Main thread's V8 heap, sampled every 20 ms during the cold pass. */
  peakHeapBytes: number;
  coverage: { pagesWithRequestBlock: number; withOperation: number; missing: string[] };
  messages: { errors: number; warnings: number };
}

export interface SpeedUpMeasurement {
  pages: number;
  wallMs: { one: number; two: number };
  /** CPU time of the whole process (all threads): the same work should cost the same. */
  cpuMs: { one: number; two: number };
  specSha256: { one: string; two: string };
  crashed: string[];
  unreadable: string[];
}

async function pagesOf(request: RunRequest): Promise<string[]> {
  const { pages } = await listPages(request.inputs);
  return request.limit === undefined ? pages : pages.slice(0, request.limit);
}

const cpuMs = (usage: NodeJS.CpuUsage) => (usage.user + usage.system) / 1000;
const specHash = (builder: SpecBuilder) =>
  createHash('sha256').update(JSON.stringify(builder.build().spec)).digest('hex');

async function measureCorpus(request: RunRequest): Promise<CorpusMeasurement> {
  const pages = await pagesOf(request);
  const builder = new SpecBuilder();
  // Only a flag per page is kept for the coverage count, so the figure costs no memory to speak of.
  const operationsByPage = new Map<string, boolean>();
  const messages = { errors: 0, warnings: 0 };
  let peakHeapBytes = 0;
  const sampler = setInterval(() => {
    peakHeapBytes = Math.max(peakHeapBytes, process.memoryUsage().heapUsed);
  }, 20);

  const pass = async (record: boolean): Promise<PassFigures> => {
    const started = performance.now();
    const { durationMs: _own, ...summary } = await extractFiles(pages, {
      jobs: request.jobs,
      cache: request.cacheDir,
      extractor: request.extractor,
      onResult: (result) => {
        if (!record) return;
        operationsByPage.set(result.path, result.stats.operations > 0);
        for (const m of result.messages) {
          if (m.severity === 'error') messages.errors++;
          else if (m.severity === 'warning') messages.warnings++;
        }
        builder.add(result);
      },
      // A page the extractor crashed on counts against coverage; an unreadable one is skipped below.
      onError: (file) => {
        if (record) operationsByPage.set(file, false);
      },
    });
    return { durationMs: performance.now() - started, summary };
  };

  const cold = await pass(true);
  builder.build();
  clearInterval(sampler);
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  const warm = request.warm ? await pass(false) : undefined;

  // After the timed passes: the independent count of pages holding a request block.
  const coverage: CorpusMeasurement['coverage'] = { pagesWithRequestBlock: 0, withOperation: 0, missing: [] };
  for (const [path, hasOperation] of operationsByPage) {
    const text = await readFile(path, 'utf8').catch(() => '');
    if (countHttpRequestBlocks(text) === 0) continue;
    coverage.pagesWithRequestBlock++;
    if (hasOperation) coverage.withOperation++;
    else coverage.missing.push(path);
  }
  return { pages: pages.length, cold, ...(warm ? { warm } : {}), peakRssBytes, peakHeapBytes, coverage, messages };
}

async function measureSpeedUp(request: RunRequest): Promise<SpeedUpMeasurement> {
  const pages = await pagesOf(request);
  const half = Math.ceil(pages.length / 2);
  const halves = [pages.slice(0, half), pages.slice(half)];
  const sides = {
    one: { jobs: 1, wallMs: 0, cpuMs: 0, builder: new SpecBuilder() },
    two: { jobs: 2, wallMs: 0, cpuMs: 0, builder: new SpecBuilder() },
  };
  const crashed = new Set<string>();
  const unreadable = new Set<string>();
  for (const [i, slice] of halves.entries()) {
    for (const side of i === 0 ? [sides.one, sides.two] : [sides.two, sides.one]) {
      const options: ExtractFilesOptions = {
        jobs: side.jobs,
        cache: false,
        extractor: request.extractor,
        onResult: (result) => side.builder.add(result),
      };
      const started = performance.now();
      const cpu = process.cpuUsage();
      const summary = await extractFiles(slice, options);
      side.cpuMs += cpuMs(process.cpuUsage(cpu));
      side.wallMs += performance.now() - started;
      for (const path of summary.crashed) crashed.add(path);
      for (const path of summary.unreadable) unreadable.add(path);
    }
  }
  return {
    pages: pages.length,
    wallMs: { one: sides.one.wallMs, two: sides.two.wallMs },
    cpuMs: { one: sides.one.cpuMs, two: sides.two.cpuMs },
    specSha256: { one: specHash(sides.one.builder), two: specHash(sides.two.builder) },
    crashed: [...crashed],
    unreadable: [...unreadable],
  };
}

const request = JSON.parse(process.argv[2] ?? '{}') as RunRequest;
const measurement = request.mode === 'speed-up' ? await measureSpeedUp(request) : await measureCorpus(request);
process.stdout.write(`${JSON.stringify(measurement)}\n`);
