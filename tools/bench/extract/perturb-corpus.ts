/**
 * Grows the scale corpus for the memory-as-the-corpus-grows measurement: each generated
 * page is a real page perturbed the ways real pages differ (sections in another order,
 * other ids, CRLF, a BOM, stray whitespace), so every page has new bytes and the cache
 * cannot answer for it, while it still holds the same kind of facts.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { seededRandom } from '../../testing/seeded-random.ts';


/** Splits at level-2 headings outside fences: [preamble, ...sections]. */
function splitSections(lines: string[]): string[][] {
  const parts: string[][] = [[]];
  let fence: string | undefined;
  for (const line of lines) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (!fence || (marker[0] === fence[0] && marker.length >= fence.length))) fence = fence ? undefined : marker;
    if (!fence && /^## /.test(line)) parts.push([]);
    parts[parts.length - 1]!.push(line);
  }
  return parts;
}

function shuffle<T>(items: T[], next: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

const hex = (next: () => number, n: number) =>
  Array.from({ length: n }, () => Math.floor(next() * 16).toString(16)).join('');

export function perturbPage(text: string, variant: number, seed: number): string {
  const next = seededRandom(seed);
  let body = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  // Other ids: GUIDs, the localization id, and path placeholders get new names.
  body = body.replace(/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, () =>
    [hex(next, 8), hex(next, 4), hex(next, 4), hex(next, 4), hex(next, 12)].join('-'),
  );
  body = body.replace(/ms\.locfileid: "?\d+"?/, `ms.locfileid: "${variant}${Math.floor(next() * 1e8)}"`);
  if (variant % 2 === 0) body = body.replace(/\{([A-Za-z]+)-?[Ii]d\}/g, (_, name: string) => `{${name}${variant}Id}`);

  let lines = body.split('\n');
  const frontEnd = lines[0] === '---' ? lines.indexOf('---', 1) : -1;
  const front = frontEnd > 0 ? lines.slice(0, frontEnd + 1) : [];
  const [preamble = [], ...sections] = splitSections(lines.slice(front.length));
  lines = [...front, ...preamble, ...shuffle(sections, next).flat()];

  // Stray whitespace: trailing spaces and doubled blank lines, never inside the front matter.
  lines = lines.flatMap((line, i) => {
    if (i < front.length) return [line];
    const roll = next();
    if (roll < 0.05) return [`${line}   `];
    if (roll < 0.08 && line === '') return ['', ''];
    return [line];
  });
  let out = lines.join('\n');
  if (variant % 2 === 1) out = out.replace(/\n/g, '\r\n');
  if (variant % 3 === 1) out = `\uFEFF${out}`;
  return out;
}

/**
 * Writes `count` pages under `outDir`, cycling through `sources`: the n-th pass over the
 * sources is variant n, in its own folder so the paths differ too.
 */
export async function writePerturbedCorpus(sources: readonly string[], outDir: string, count: number): Promise<string[]> {
  const written: string[] = [];
  const made = new Set<string>();
  for (let i = 0; i < count; i++) {
    const source = sources[i % sources.length]!;
    const variant = Math.floor(i / sources.length) + 1;
    let target = join(outDir, `variant-${variant}`, basename(source));
    if (made.has(target)) target = join(dirname(target), `${i % sources.length}-${basename(source)}`);
    made.add(target);
    if (i % sources.length === 0) await mkdir(dirname(target), { recursive: true });
    await writeFile(target, perturbPage(await readFile(source, 'utf8'), variant, i + 1));
    written.push(target);
  }
  return written;
}
