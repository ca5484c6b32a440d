/**
 * Turns what the user named (pages and directories) into a sorted list of page paths.
 * Only paths are held, never contents, so listing 100,000 pages costs a few megabytes.
 */
import { statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Diagnostic } from '../types.ts';
import { fileDiagnostic, fsErrorMessage } from './decode-page.ts';

export const PAGE_EXTENSIONS = ['.md', '.markdown', '.txt'] as const;

// A README in a page folder describes the folder (licence, provenance), it is not a page.
// A file the user names explicitly is always taken, whatever its name.
const FOLDER_NOTES = new Set(['readme.md', 'readme.txt', 'readme.markdown']);

export interface PageListing {
  pages: string[];
  /** Named paths that do not exist or cannot be listed. */
  problems: Diagnostic[];
}

function isPageName(name: string): boolean {
  const lower = name.toLowerCase();
  return (PAGE_EXTENSIONS as readonly string[]).includes(extname(lower)) && !FOLDER_NOTES.has(lower);
}

async function walk(dir: string, pages: string[], problems: Diagnostic[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    problems.push(fileDiagnostic(dir, `directory ${fsErrorMessage(error)}`, 'runner/unreadable'));
    return;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path, pages, problems);
    // Symlinks and other non-directories with a page name are listed; a dangling link is
    // then reported as unreadable when it is read, naming the file.
    else if (isPageName(entry.name)) pages.push(path);
  }
}

/** Sorted by code unit order so every run, on every machine, sees pages in the same order. */
export async function listPages(inputs: readonly string[]): Promise<PageListing> {
  const pages: string[] = [];
  const problems: Diagnostic[] = [];
  for (const input of inputs) {
    let info;
    try {
      // Synchronous: a run naming its pages one by one (the bench names 2,422) spent about
      // 120 ms in awaited stats, one thread-pool round trip each, before the first worker
      // could start; with statSync the whole listing takes about 30 ms.
      info = statSync(input);
    } catch (error) {
      problems.push(fileDiagnostic(input, fsErrorMessage(error), 'runner/unreadable'));
      continue;
    }
    if (info.isDirectory()) await walk(input, pages, problems);
    else pages.push(input);
  }
  const unique = [...new Set(pages)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { pages: unique, problems };
}
