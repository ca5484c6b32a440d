/**
 * The files a generating command wrote earlier into a folder: those ending in `suffix` whose
 * text starts with its header. Only those are its to compare (`--check`) or remove; anything
 * else in the folder is someone else's.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function ownedFiles(dir: string, suffix: string, header: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return out;
  }
  for (const name of names.filter((n) => n.endsWith(suffix)).sort()) {
    const text = await readFile(join(dir, name), 'utf8');
    if (text.startsWith(header)) out.set(name, text);
  }
  return out;
}
