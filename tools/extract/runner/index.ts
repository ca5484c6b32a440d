/**
 * The extractor's file runner: lists pages, reads and decodes them, answers unchanged pages
 * from a content-addressed cache, extracts the rest on a pool of worker threads (or in the
 * runner's own thread for jobs=1), and streams every PageResult to `onResult`.
 *
 * Order: results are delivered in the sorted order of the page paths, whatever the number
 * of jobs and however long each page takes, so a merge fed by this runner produces the same
 * spec for jobs=1 and jobs=N without having to be order-independent itself.
 *
 * Memory: a sliding window of at most `window` pages is in flight (read but not yet handed
 * to onResult). A slow page holds back delivery of the pages after it, and with them the
 * reading of new ones, so memory stays flat however large the corpus; nothing of a page is
 * kept once onResult returns.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { REPO_ROOT } from '../../spec/io.ts';
import type { Diagnostic, PageResult, SourcePins } from '../types.ts';
import { fileDiagnostic } from './decode-page.ts';
import { listPages } from './list-pages.ts';
import { workerModule } from './extractor-bundle.ts';
import { readPage, runPageTask, type PageOutcome, type PageTask } from './page-task.ts';
import type { ExtractorModule } from './protocol.ts';
import { cacheKey, extractorVersion, pageSha256, ResultCache } from './result-cache.ts';
import { WorkerPool } from './worker-pool.ts';

export { MAX_PAGE_BYTES } from './page-task.ts';

// Each worker starts, loads the extractor and warms up its JIT on its own, so two workers
// pay off from about two hundred scale pages (measured with worker processes, wall time, jobs=1
// against jobs=2: 150 pages 3.4 s against 3.6 s, 300 pages 5.5 s against 4.9 s, 600 pages
// 7.7 s against 6.6 s).
export const SMALL_RUN_PAGES = 200;

// Enough work (about 50 ms of pages) that a worker does not idle while the runner waits for
// a core. Measured over the 2,422 scale pages, jobs=2: with 4, each worker waited 0.33 to
// 0.6 s for pages in all; with 8, 0.15 to 0.24 s; 12 and 16 gained nothing more.
export const DEFAULT_PER_WORKER = 8;

export const DEFAULT_CACHE_DIR = resolve(REPO_ROOT, '.cache/extract');
const DEFAULT_EXTRACTOR = new URL('../page.ts', import.meta.url);
const PAGE_TASK = new URL('./page-task.ts', import.meta.url);

export interface ExtractFilesOptions {
  /**
   * Worker threads; 1 extracts in the runner's thread. Default: the available cores, except for a
   * run of fewer than SMALL_RUN_PAGES pages, which is extracted in this thread because
   * starting workers would cost more than they save.
   */
  jobs?: number;
  /** Cache directory, or false for none. Default `.cache/extract` under the repository. */
  cache?: string | false;
  /** Manifest pins, keyed by the page path as listed (or its absolute path). */
  pins?: ReadonlyMap<string, SourcePins> | Readonly<Record<string, SourcePins>>;
  /** Called once per extracted page, in path order. Awaited, so a slow consumer slows reading. */
  onResult(result: PageResult): void | Promise<void>;
  /**
   * Called for a page that yields no result: unreadable, binary, not text, empty (a
   * warning), or the extractor threw. The diagnostic names the file; the run goes on.
   */
  onError?(file: string, error: Diagnostic): void | Promise<void>;
  /** Module exporting extractPage(). Default tools/extract/page.ts; tests substitute their own. */
  extractor?: string | URL;
  /**
   * Pages a worker holds at once: one running, the rest queued or done and not yet answered
   * for (it answers for half of them at a time). Default DEFAULT_PER_WORKER.
   */
  perWorker?: number;
  /** Pages read but not yet delivered. Default: twice the pool's capacity. */
  window?: number;
  /**
   * Workers load the extractor from an esbuild bundle (default), or from source through tsx
   * when false: slower to start, and the fallback the runner takes by itself when bundling fails.
   */
  bundle?: boolean;
  /** A page running longer is abandoned with a diagnostic (worker threads only). Default 120 s. */
  pageTimeoutMs?: number;
  /**
   * Most MB of old-generation heap each worker thread may use: a page that needs more fails
   * alone (runner/worker-crashed) and the run goes on. Default: V8's own limit.
   */
  workerHeapMb?: number;
}

export interface RunSummary {
  /** Pages listed (directory walks plus named files). */
  pages: number;
  /** Pages the extractor actually ran on. */
  extracted: number;
  /** Pages answered from the cache without a parse. */
  cacheHits: number;
  /** Pages (or named paths) that could not be read or decoded. */
  unreadable: string[];
  /** Pages on which the extractor threw, its worker died, or it ran out of time. */
  crashed: string[];
  /** Pages with no text (reported as warnings). */
  empty: string[];
  jobs: number;
  window: number;
  /** Most pages in flight at once; never more than `window`. */
  peakInFlight: number;
  /** Most pages one worker held at once; never more than `perWorker`. */
  peakPerWorker: number;
  durationMs: number;
}

type Outcome =
  | { kind: 'result'; result: PageResult }
  | { kind: 'problem'; file: string; diagnostic: Diagnostic }
  | { kind: 'fatal'; error: unknown };

function lookupPins(pins: ExtractFilesOptions['pins'], path: string): SourcePins | undefined {
  if (!pins) return undefined;
  const absolute = resolve(path);
  if (pins instanceof Map) return pins.get(path) ?? pins.get(absolute);
  const record = pins as Readonly<Record<string, SourcePins>>;
  return Object.hasOwn(record, path) ? record[path] : Object.hasOwn(record, absolute) ? record[absolute] : undefined;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}

export async function extractFiles(inputs: string | readonly string[], options: ExtractFilesOptions): Promise<RunSummary> {
  const started = performance.now();
  const listing = await listPages(typeof inputs === 'string' ? [inputs] : inputs);
  const jobs = Math.max(
    1,
    Math.floor(options.jobs ?? (listing.pages.length < SMALL_RUN_PAGES ? 1 : availableParallelism())),
  );
  const perWorker = Math.max(1, Math.floor(options.perWorker ?? DEFAULT_PER_WORKER));
  const window = Math.max(1, Math.floor(options.window ?? (jobs === 1 ? 4 : jobs * perWorker * 2)));
  const extractorUrl = options.extractor === undefined ? DEFAULT_EXTRACTOR : new URL(options.extractor, pathToFileURL(`${process.cwd()}/`));
  const cache = options.cache === false ? undefined : new ResultCache(resolve(options.cache ?? DEFAULT_CACHE_DIR));
  // Names both the cached results and the workers' bundle of the extractor.
  const version = await extractorVersion(fileURLToPath(extractorUrl));

  const summary: RunSummary = {
    pages: 0,
    extracted: 0,
    cacheHits: 0,
    unreadable: [],
    crashed: [],
    empty: [],
    jobs,
    window,
    peakInFlight: 0,
    peakPerWorker: 0,
    durationMs: 0,
  };

  // Both engines are created on the first cache miss: a fully warm run starts no worker
  // and loads no markdown parser.
  let inProcess: Promise<ExtractorModule> | undefined;
  let pool: WorkerPool | undefined;
  let poolReady: Promise<WorkerPool> | undefined;
  async function extract(task: PageTask): Promise<PageOutcome> {
    if (jobs > 1) {
      poolReady ??= Promise.all([workerModule(extractorUrl, version, options.bundle), workerModule(PAGE_TASK, version, options.bundle)]).then(
        ([extractor, pageTask]) =>
          (pool = new WorkerPool({
            size: jobs,
            extractor,
            pageTask,
            perWorker,
            replyBatch: Math.max(1, Math.floor(perWorker / 2)),
            pageTimeoutMs: options.pageTimeoutMs ?? 120_000,
            ...(options.workerHeapMb ? { heapLimitMb: options.workerHeapMb } : {}),
          })),
      );
      return (await poolReady).run(task);
    }
    inProcess ??= import(extractorUrl.href) as Promise<ExtractorModule>;
    const { extractPage } = await inProcess;
    return runPageTask(task, extractPage);
  }

  const problem = (file: string, message: string, ruleId: string): Outcome => ({ kind: 'problem', file, diagnostic: fileDiagnostic(file, message, ruleId) });

  async function processPage(path: string): Promise<Outcome> {
    const pins = lookupPins(options.pins, path);
    const task: PageTask = pins ? { path, pins } : { path };
    if (cache) {
      // The key needs the bytes; a page the cache answers is never sent to a worker.
      const read = readPage(path);
      if (!read.ok) {
        summary.unreadable.push(path);
        return { kind: 'problem', file: path, diagnostic: read.diagnostic };
      }
      const key = cacheKey({ version, path, pins, bytesSha256: pageSha256(read.bytes) });
      const hit = cache.get(key, path);
      if (hit) {
        summary.cacheHits++;
        return { kind: 'result', result: hit };
      }
      task.bytes = read.bytes;
      task.cacheFile = cache.entryFile(key);
    }
    const outcome = await extract(task);
    if ('problem' in outcome) {
      (outcome.unreadable ? summary.unreadable : summary.empty).push(path);
      return { kind: 'problem', file: path, diagnostic: outcome.problem };
    }
    summary.extracted++;
    if ('error' in outcome) {
      summary.crashed.push(path);
      return problem(path, `the extractor failed on this page: ${firstLine(outcome.error)}`, outcome.ruleId);
    }
    if ('cacheError' in outcome) throw new Error(outcome.cacheError);
    // Parsed from JSON in every mode, so a fresh result and a cached one are the same value.
    return { kind: 'result', result: JSON.parse(outcome.json) as PageResult };
  }

  async function deliver(outcome: Outcome): Promise<void> {
    if (outcome.kind === 'fatal') throw outcome.error;
    if (outcome.kind === 'result') await options.onResult(outcome.result);
    else await options.onError?.(outcome.file, outcome.diagnostic);
  }

  try {
    summary.pages = listing.pages.length;
    for (const diagnostic of listing.problems) {
      summary.unreadable.push(diagnostic.file);
      await options.onError?.(diagnostic.file, diagnostic);
    }
    // The window: outcomes in path order, at most `window` of them started and undelivered.
    const inFlight: Promise<Outcome>[] = [];
    for (const path of listing.pages) {
      inFlight.push(processPage(path).catch((error: unknown): Outcome => ({ kind: 'fatal', error })));
      summary.peakInFlight = Math.max(summary.peakInFlight, inFlight.length);
      if (inFlight.length >= window) await deliver(await inFlight.shift()!);
    }
    while (inFlight.length > 0) await deliver(await inFlight.shift()!);
  } finally {
    summary.peakPerWorker = pool?.peakPerWorker ?? (summary.extracted > 0 ? 1 : 0);
    await pool?.close();
    summary.durationMs = performance.now() - started;
  }
  return summary;
}
