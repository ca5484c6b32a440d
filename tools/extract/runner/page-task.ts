/**
 * Everything done to one page that needs nothing from the rest of the run: read it (unless
 * the runner already holds its bytes), decode it, extract it, and store the result in the
 * cache. It runs where the page is extracted: in a worker thread, or in the runner's thread
 * for jobs=1. The runner itself only lists pages, looks up the cache, and delivers outcomes
 * in order.
 *
 * Why here and not in the runner: with two workers on two cores the runner is a third
 * thread, and every millisecond it spends on a page (a stat, an open, a read, a decode, a
 * cache file written through libuv's thread pool) is taken from a core a worker was using.
 * Profiled over the 2,422 scale pages (worker processes then), that was about half of the runner's 1.7 to 2.3 s of
 * CPU in a jobs=2 run, and every worker idled about 0.6 s waiting for it.
 *
 * Plain synchronous fs calls: one page at a time is all a worker does, and in the runner's
 * thread (jobs=1) the async forms cost several thread-pool round trips a page.
 */
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { writeFileAtomicSync } from '../../spec/atomic-file.ts';
import type { Diagnostic, PageInput, PageResult, SourcePins } from '../types.ts';
import { decodePage, fileDiagnostic, fsErrorMessage } from './decode-page.ts';

// The extractor reads the first 2 MB of a page (markdown.ts); a file this large is not a
// documentation page, and reading it whole could exhaust memory before any rule sees it.
export const MAX_PAGE_BYTES = 32 * 1024 * 1024;

export interface PageTask {
  /** As listed: the path results and diagnostics are reported under. */
  path: string;
  pins?: SourcePins;
  /** The page's bytes, when the runner has read them already (to look up the cache). */
  bytes?: Uint8Array;
  /** Where to store the result, when caching: written whole or not at all. */
  cacheFile?: string;
}

export type PageOutcome =
  /** The result, as the JSON the cache stores. */
  | { json: string }
  /** The extractor ran and failed, or its worker died or overran the time limit. */
  | { error: string; ruleId: 'runner/extract-failed' | 'runner/worker-crashed' | 'runner/timeout' }
  /** Not a page the extractor can run on: unreadable, too large, binary, not text, or empty. */
  | { problem: Diagnostic; unreadable: boolean }
  /** The result could not be stored in the cache: the run cannot keep its promise of a cache. */
  | { json: string; cacheError: string };

export type ExtractPage = (input: PageInput) => PageResult;

export type ReadPage = { ok: true; bytes: Buffer } | { ok: false; diagnostic: Diagnostic };

/** A page's bytes, or why they cannot be had; a file over MAX_PAGE_BYTES is not read at all. */
export function readPage(path: string): ReadPage {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const { size } = fstatSync(fd);
    if (size > MAX_PAGE_BYTES) {
      const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;
      return { ok: false, diagnostic: fileDiagnostic(path, `is ${mb(size)}, more than the ${mb(MAX_PAGE_BYTES)} a page may have; not read`, 'runner/too-large') };
    }
    return { ok: true, bytes: readFileSync(fd) };
  } catch (error) {
    return { ok: false, diagnostic: fileDiagnostic(path, fsErrorMessage(error, 'cannot be read (it does not exist or is a dangling link)'), 'runner/unreadable') };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function runPageTask(task: PageTask, extractPage: ExtractPage): PageOutcome {
  let bytes = task.bytes;
  if (!bytes) {
    const read = readPage(task.path);
    if (!read.ok) return { problem: read.diagnostic, unreadable: true };
    bytes = read.bytes;
  }
  const decoded = decodePage(task.path, bytes);
  if (!decoded.ok) return { problem: decoded.diagnostic, unreadable: decoded.diagnostic.ruleId !== 'runner/empty' };
  const input: PageInput = task.pins ? { path: task.path, text: decoded.text, pins: task.pins } : { path: task.path, text: decoded.text };
  let json: string;
  try {
    json = JSON.stringify(extractPage(input));
  } catch (error) {
    return { error: error instanceof Error ? (error.stack ?? error.message) : String(error), ruleId: 'runner/extract-failed' };
  }
  if (task.cacheFile) {
    try {
      writeFileAtomicSync(task.cacheFile, json);
    } catch (error) {
      return { json, cacheError: `cannot write the cache entry ${task.cacheFile}: ${(error as Error).message}` };
    }
  }
  return { json };
}
