/**
 * Content-addressed cache of PageResults. The key covers everything a result depends on
 * (page bytes, the path it is reported under, pins, and the extractor's own code), so a
 * hit is always safe to reuse and an unchanged page costs a file read and a JSON.parse
 * instead of a markdown parse. Entries are written where the page is extracted
 * (page-task.ts), whole or not at all.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PageResult, SourcePins } from '../types.ts';

const EXTRACT_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO_DIR = fileURLToPath(new URL('../../..', import.meta.url));

// Code that can change a result. Tests and rule fixtures cannot, so editing them keeps the cache.
const CODE_FILE = /\.(ts|mts|mjs|js|cjs)$/;
const TEST_FILE = /\.test\.(ts|mts|mjs|js)$/;

async function collectCode(dir: string, out: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await collectCode(path, out);
    else if (CODE_FILE.test(entry.name) && !TEST_FILE.test(entry.name)) out.push(path);
  }
}

const versionMemo = new Map<string, Promise<string>>();

/**
 * Hash of the extractor's source (every non-test module under tools/extract/, plus the
 * extractor module itself when it lives elsewhere) and of the locked dependency versions
 * (a remark upgrade can change trees). Any edit invalidates every cached result.
 */
export function extractorVersion(extractorFile: string): Promise<string> {
  let memo = versionMemo.get(extractorFile);
  if (!memo) {
    memo = computeVersion(extractorFile);
    versionMemo.set(extractorFile, memo);
  }
  return memo;
}

async function computeVersion(extractorFile: string): Promise<string> {
  const files: string[] = [];
  await collectCode(EXTRACT_DIR, files);
  if (!files.includes(extractorFile)) files.push(extractorFile);
  files.push(join(REPO_DIR, 'package-lock.json'));
  files.sort();
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(relative(REPO_DIR, file)).update('\0');
    try {
      hash.update(await readFile(file));
    } catch {
      hash.update('<missing>');
    }
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Pins as canonical JSON: key order must not change the key. */
function canonicalPins(pins: SourcePins | undefined): string {
  if (!pins) return '';
  const entries = Object.entries(pins)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify(entries);
}

export function pageSha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function cacheKey(parts: { version: string; path: string; pins?: SourcePins; bytesSha256: string }): string {
  return createHash('sha256')
    .update(`extract-cache/1\0${parts.version}\0${parts.path}\0${canonicalPins(parts.pins)}\0${parts.bytesSha256}`)
    .digest('hex');
}

export class ResultCache {
  constructor(readonly dir: string) {}

  /** The file that holds, or will hold, the entry for a key. */
  entryFile(key: string): string {
    return join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  /** A missing, unreadable or corrupt entry is a miss: the page is simply extracted again. */
  get(key: string, path: string): PageResult | undefined {
    const file = this.entryFile(key);
    // A cold run misses on every page: asking first is about five times cheaper than the
    // exception a failed read throws (2,422 misses: 8-13 ms against 41-58 ms).
    if (!existsSync(file)) return undefined;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const value = JSON.parse(text) as PageResult;
      return value && value.path === path && typeof value.facts === 'object' ? value : undefined;
    } catch {
      return undefined;
    }
  }
}
