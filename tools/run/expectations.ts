/**
 * The regression baseline: `spec/expectations/<name>.yaml` lists only the known deviations
 * of one target (tests that fail there), each with a reason. Applying it to a results file
 * sets each result's `expected`; grading then tells a new failure from a known one, and
 * shows an unexpected pass (a deviation that went away) as loudly as a new failure.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { REPO_ROOT } from '../spec/io.ts';
import { applyVerdicts, type Results, type TestResult } from '../report/results-model.ts';

export interface Deviation {
  /** the test's title path as results.json writes it (`describe › title`) */
  test: string;
  requirement?: string;
  /** what the target does instead of passing */
  expected: 'FAIL';
  reason: string;
}

export interface ExpectationFile {
  target: string;
  profile?: string;
  deviations: Deviation[];
}

export class ExpectationError extends Error {
  override name = 'ExpectationError';
}

export const EXPECTATIONS_DIR = resolve(REPO_ROOT, 'spec/expectations');

/** mock with the docs profile is `mock`; other profiles are suffixed (`mock-live`). */
export function expectationName(target: string, profile: string | null | undefined): string {
  return target === 'mock' && profile && profile !== 'docs' ? `${target}-${profile}` : target;
}

export const expectationPath = (name: string, dir = EXPECTATIONS_DIR) => resolve(dir, `${name}.yaml`);

export function parseExpectations(text: string, file: string): ExpectationFile {
  let value: unknown;
  try {
    value = parseYaml(text, { uniqueKeys: true });
  } catch (error) {
    throw new ExpectationError(`${file}: cannot be parsed: ${(error as Error).message}`);
  }
  const problem = (where: string, what: string) => new ExpectationError(`${file}: ${where} ${what}`);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw problem('/', 'must be a mapping with target and deviations');
  const doc = value as Record<string, unknown>;
  if (typeof doc.target !== 'string') throw problem('/target', 'must be a string');
  const list = doc.deviations ?? [];
  if (!Array.isArray(list)) throw problem('/deviations', 'must be a list');
  const seen = new Set<string>();
  const deviations = list.map((entry: unknown, i): Deviation => {
    const e = (entry ?? {}) as Record<string, unknown>;
    if (typeof e.test !== 'string' || e.test.length === 0) throw problem(`/deviations/${i}/test`, 'must name a test');
    if (typeof e.reason !== 'string' || e.reason.trim().length === 0) throw problem(`/deviations/${i}/reason`, 'must say why the deviation is expected');
    if ((e.expected ?? 'FAIL') !== 'FAIL') throw problem(`/deviations/${i}/expected`, "must be FAIL (a baseline records failures only)");
    if (seen.has(e.test)) throw problem(`/deviations/${i}/test`, `repeats '${e.test}'`);
    seen.add(e.test);
    return { test: e.test, ...(typeof e.requirement === 'string' ? { requirement: e.requirement } : {}), expected: 'FAIL', reason: e.reason };
  });
  return { target: doc.target, ...(typeof doc.profile === 'string' ? { profile: doc.profile } : {}), deviations };
}

/** A missing file is an empty baseline: every failure is new. */
export async function loadExpectations(file: string, target: string): Promise<ExpectationFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { target, deviations: [] };
    throw new ExpectationError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  return parseExpectations(text, file);
}

export interface Applied {
  results: Results;
  /** deviations that no result matched (renamed or removed tests), in a full run */
  unmatched: Deviation[];
}

/** Pure: sets `expected` (and its reason) from the baseline, then regrades every verdict. */
export function applyExpectations(results: Results, expectations: ExpectationFile, options: { strict: boolean }): Applied {
  const byTest = new Map(expectations.deviations.map((d) => [d.test, d]));
  const matched = new Set<string>();
  const updated = results.results.map((result): TestResult => {
    const deviation = byTest.get(result.test);
    const { expected_reason: _dropped, ...rest } = result;
    if (!deviation) return { ...rest, expected: 'PASS' };
    matched.add(deviation.test);
    return { ...rest, expected: deviation.expected, expected_reason: deviation.reason };
  });
  return {
    results: applyVerdicts({ ...results, results: updated }, options),
    unmatched: expectations.deviations.filter((d) => !matched.has(d.test)),
  };
}

const failed = (r: TestResult) => r.status === 'FAIL' || r.status === 'TIMEOUT';

/** One line per failure, for a new baseline entry that nobody has explained yet. */
function firstLine(message: string | null): string {
  const line = (message ?? '').split('\n').map((l) => l.trim()).find((l) => l.length > 0 && !/^Error:\s*$/.test(l)) ?? 'failed';
  return line.replace(/\u001b\[[0-9;]*m/g, '').slice(0, 200);
}

/**
 * The baseline a results file implies: every failing test becomes a deviation; a reason
 * already written for the same test is kept; entries for tests this run did not execute
 * (a --grep or a shard) are kept as they were.
 */
export function updateExpectations(previous: ExpectationFile, results: Results): ExpectationFile {
  const ran = new Set(results.results.filter((r) => r.status !== 'SKIP').map((r) => r.test));
  const reasons = new Map(previous.deviations.map((d) => [d.test, d.reason]));
  const kept = previous.deviations.filter((d) => !ran.has(d.test));
  const current = results.results.filter(failed).map(
    (r): Deviation => ({
      test: r.test,
      ...(r.requirement ? { requirement: r.requirement } : {}),
      expected: 'FAIL',
      reason: reasons.get(r.test) ?? `new, not yet explained: ${firstLine(r.message)}`,
    }),
  );
  const deviations = [...kept, ...current].sort((a, b) => (a.test < b.test ? -1 : a.test > b.test ? 1 : 0));
  return { target: previous.target, ...(previous.profile ? { profile: previous.profile } : {}), deviations };
}

export function serializeExpectations(file: ExpectationFile): string {
  const header = [
    `# Known deviations of the ${file.target}${file.profile ? ` (${file.profile} profile)` : ''} target: only tests that do not pass,`,
    '# each with the reason. Rewritten from the last results by `npm run update-expectations`,',
    '# which keeps the reasons of entries that persist; edit a reason, not the list.',
  ].join('\n');
  return `${header}\n${stringifyYaml(file, { lineWidth: 0 })}`;
}
