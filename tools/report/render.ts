/**
 * Renders the conformance report from one or more results.json files:
 *   matrix.html  self-contained (inline CSS and JS, no network), requirements x runs
 *   matrix.md    the same summary, short enough for a CI job summary
 * Both end with the suite's strength when a mutation sweep left strength.json beside them.
 * The layout lives in templates/*.eta; this file reads, redacts, builds the view model
 * (matrix.ts) and writes both files atomically.
 */
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import { readSpec, writeFileAtomic } from '../spec/io.ts';
import type { Spec } from '../spec/model.ts';
import { readStrength } from '../mutate/strength.ts';
import { buildMatrix, buildStrengthView, type Matrix, type SourceLink, type StrengthView } from './matrix.ts';
import { redactValue, secretsFromEnvironment } from './redact.ts';
import { readResults, type Results } from './results-model.ts';

const TEMPLATES = resolve(dirname(fileURLToPath(import.meta.url)), 'templates');

export interface RenderOptions {
  /** results.json paths, one column each (shards of one run share a column). */
  results: string[];
  outDir: string;
  /** With a spec, requirements that no run checked appear as "not run" rows. */
  specFile?: string;
  /** How many failures matrix.md lists before pointing at matrix.html. */
  markdownLimit?: number;
  /**
   * The mutation sweep to show as "suite strength": by default outDir/strength.json when
   * there is one (a broken one is left out with a warning: it must not cost the matrix);
   * a file named here must be readable; null shows none.
   */
  strengthFile?: string | null;
  now?: Date;
}

export interface RenderedReports {
  html: string;
  markdown: string;
  matrix: Matrix;
  strength: StrengthView | null;
  /** why the default strength.json was left out */
  warnings: string[];
}

interface ListedFailure {
  title: string;
  level: string | null;
  column: string;
  message: string;
  source: SourceLink | null;
}

/**
 * A failure message in one line: its first meaningful line, plus Playwright's
 * `Expected:` / `Received:` lines, which say more than the matcher's name.
 */
export function oneLineMessage(text: string | null | undefined): string {
  const lines = (text ?? '').split('\n').map((line) => line.trim());
  const first = lines.find((line) => line && !/^error:?$/i.test(line))?.replace(/^Error:\s*/, '') ?? '';
  const expected = lines.find((line) => line.startsWith('Expected:'))?.slice(9).trim();
  const received = lines.find((line) => line.startsWith('Received:'))?.slice(9).trim();
  const saysItAlready = expected !== undefined && received !== undefined && first.includes(expected) && first.includes(received);
  const detail = expected !== undefined && received !== undefined && !saysItAlready ? ` (expected ${expected}, received ${received})` : '';
  const short = first.length > 140 ? `${first.slice(0, 137)}…` : first;
  return `${short}${detail}`;
}

/** Markdown table cells and list items: no pipes or markup that would break the line. */
function markdownInline(text: string | null | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').replace(/\\/g, '\\\\').replace(/([|*_`[\]<>#])/g, '\\$1').trim();
}

function listed(matrix: Matrix, verdict: 'fail' | 'unexpected-pass'): ListedFailure[] {
  const out: ListedFailure[] = [];
  for (const area of matrix.areas) {
    for (const row of area.rows) {
      for (const cell of row.cells) {
        for (const test of cell.tests) {
          if (test.verdict !== verdict) continue;
          out.push({
            title: row.requirement ?? test.title,
            level: row.level,
            column: matrix.columns[cell.column]!.label,
            message: oneLineMessage(test.message) || test.status,
            source: test.source ?? row.sources[0] ?? null,
          });
        }
      }
    }
  }
  return out;
}

export function renderMatrixFiles(
  matrix: Matrix,
  options: { outDir: string; markdownLimit?: number; strength?: StrengthView | null },
): { html: string; markdown: string } {
  const strength = options.strength ?? null;
  const html = new Eta({ views: TEMPLATES, autoEscape: true, cache: true }).render('matrix-html', { matrix, strength });
  const markdown = new Eta({ views: TEMPLATES, autoEscape: false, cache: true }).render('matrix-md', {
    matrix,
    strength,
    md: markdownInline,
    strict: matrix.columns.some((c) => c.runInfo.strict),
    failures: listed(matrix, 'fail'),
    unexpectedPasses: listed(matrix, 'unexpected-pass'),
    limit: options.markdownLimit ?? 25,
    htmlPath: relative(process.cwd(), resolve(options.outDir, 'matrix.html')) || 'matrix.html',
  });
  // Templates leave runs of blank lines where a block was empty; markdown wants at most one.
  return { html, markdown: `${markdown.replace(/\n{3,}/g, '\n\n').trim()}\n` };
}

export async function renderReports(options: RenderOptions): Promise<RenderedReports> {
  if (options.results.length === 0) throw new Error('renderReports: no results.json given');
  const outDir = resolve(options.outDir);
  const knownSecrets = secretsFromEnvironment();
  const runs: { file: string; results: Results }[] = [];
  for (const file of options.results) {
    // A results file may come from another machine: it is redacted again before rendering.
    runs.push({ file: relative(outDir, resolve(file)) || file, results: redactValue(await readResults(file), { knownSecrets }) });
  }
  const spec: Spec | undefined = options.specFile ? await readSpec(options.specFile) : undefined;
  const matrix = buildMatrix({ runs, spec, outDir, now: options.now });
  const { strength, warnings } = await strengthFor(options.strengthFile, outDir);
  const { html, markdown } = renderMatrixFiles(matrix, { outDir, markdownLimit: options.markdownLimit, strength });
  await writeFileAtomic(resolve(outDir, 'matrix.html'), html);
  await writeFileAtomic(resolve(outDir, 'matrix.md'), markdown);
  return { html: resolve(outDir, 'matrix.html'), markdown: resolve(outDir, 'matrix.md'), matrix, strength, warnings };
}

async function strengthFor(file: string | null | undefined, outDir: string): Promise<{ strength: StrengthView | null; warnings: string[] }> {
  if (file === null) return { strength: null, warnings: [] };
  if (file !== undefined) {
    const named = await readStrength(resolve(file));
    if (!named) throw new Error(`${file}: not found; run \`photo-conformance mutate\` first`);
    return { strength: buildStrengthView(named), warnings: [] };
  }
  try {
    const found = await readStrength(resolve(outDir, 'strength.json'));
    return { strength: found ? buildStrengthView(found) : null, warnings: [] };
  } catch (error) {
    return { strength: null, warnings: [`${(error as Error).message.split('\n')[0]}; the suite strength section is left out`] };
  }
}

