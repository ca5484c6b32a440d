/**
 * How a sweep spends its time. Pure: what to run, in which order, with which arguments.
 *
 * A fault's run costs Playwright's start (its runner, the global setup's mock, a worker:
 * about 4 s here) plus the tests up to the first one that fails. The standard
 * mutation-testing tricks cut the second part:
 *   1. the test that killed a fault in the previous sweep most likely kills it again: the
 *      fault first runs that test alone (`--grep` on its exact title, in its file only);
 *   2. failing that, the tests that killed other faults (in the previous sweep or earlier in
 *      this one) are the likeliest killers of a fault never seen killed: one run of those;
 *   3. failing that, the whole suite, which alone decides that a fault survives.
 * Nothing depends on the tricks for correctness: a killer that no longer kills, was renamed
 * or is gone costs one short run before the next. Faults that may need the whole suite start
 * first, so that the lanes finish together.
 */
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { Phase, Strength } from './strength.ts';

/** A test that killed a fault: its title path as results.json writes it, and its file. */
export interface Killer {
  test: string;
  file: string;
}

/** Killers by fault, from the previous sweep's strength.json (of the same profile). */
export function previousKillers(previous: Strength | undefined, profile: string): Map<string, Killer> {
  const killers = new Map<string, Killer>();
  if (!previous || previous.profile !== profile) return killers;
  for (const fault of previous.faults) {
    if (fault.killed && fault.test && fault.file) killers.set(fault.name, { test: fault.test, file: fault.file });
  }
  return killers;
}

/**
 * The committed seed (spec/expectations/mutation-killers.yaml): the killer of each fault as
 * the last `mutate --save-killers` found it. A clean checkout (CI) has no strength.json; the
 * seed spares it a whole-suite run per fault. A stale or broken seed only costs time: a kill
 * is judged by the run, never taken from the seed.
 */
export function seedKillers(text: string | undefined): Map<string, Killer> {
  const killers = new Map<string, Killer>();
  if (!text) return killers;
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch {
    return killers;
  }
  const entries = (data as { killers?: Record<string, unknown> } | null)?.killers ?? {};
  for (const [fault, value] of Object.entries(entries)) {
    const k = value as Partial<Killer> | null;
    if (typeof k?.test === 'string' && typeof k.file === 'string') killers.set(fault, { test: k.test, file: k.file });
  }
  return killers;
}

/** The seed file's text for this sweep's killers (catalogue order); header comment included. */
export function serializeSeed(strength: Strength): string {
  const killers: Record<string, Killer> = {};
  for (const f of strength.faults) if (f.killed && f.test && f.file) killers[f.name] = { file: f.file, test: f.test };
  return `# The test that killed each fault of the mock's catalogue in the last full sweep
# (\`photo-conformance mutate --save-killers\`). \`mutate\` runs it first when there is no
# reports/strength.json (a clean checkout): a hint for speed, never a verdict.
${stringifyYaml({ killers }, { lineWidth: 0 })}`;
}

/** What to run first: the previous sweep's killers, else the seed's. */
export function firstKillers(previous: ReadonlyMap<string, Killer>, seed: ReadonlyMap<string, Killer>): Map<string, Killer> {
  return new Map([...seed, ...previous]);
}

/**
 * The order faults start in: those without a previous killer first, since each may need the
 * whole suite (and a survivor runs all of it), then the others, whose first run is one test;
 * the catalogue's order within each. (How long a fault took last time says little: a fault
 * first caught by the whole suite costs one test the next time.)
 */
export function sweepOrder(faults: readonly string[], killers: ReadonlyMap<string, Killer>): string[] {
  return [...faults.filter((f) => !killers.has(f)), ...faults.filter((f) => killers.has(f))];
}

const killerKey = (killer: Killer) => `${killer.file}\n${killer.test}`;

/** Killers once each, in the order first seen. */
export function distinctKillers(killers: Iterable<Killer>): Killer[] {
  const byKey = new Map<string, Killer>();
  for (const killer of killers) if (!byKey.has(killerKey(killer))) byKey.set(killerKey(killer), { test: killer.test, file: killer.file });
  return [...byKey.values()];
}

export interface Stage {
  phase: Phase;
  /** the tests to run; none: the whole suite */
  killers: Killer[];
}

/**
 * The runs one fault may take, each only if the one before did not kill it: its previous
 * killer alone, then the other known killers together, then the whole suite. `known` is
 * read when the second stage starts, so that it holds the kills of faults that ended since.
 */
export function faultStages(own: Killer | undefined, known: () => Iterable<Killer>): (() => Stage | undefined)[] {
  return [
    () => (own ? { phase: 'previous-killer', killers: [own] } : undefined),
    () => {
      const others = distinctKillers(known()).filter((k) => !own || killerKey(k) !== killerKey(own));
      return others.length ? { phase: 'known-killers', killers: others } : undefined;
    },
    () => ({ phase: 'full-suite', killers: [] }),
  ];
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * A --grep that matches one test by its title path as results.json writes it
 * (`describe › title`). Playwright matches against the project, the file, each title and
 * the tags, joined by spaces, tags right after the title that carries them, and case
 * folded; so the titles must follow one another, tags allowed between, and end the string
 * but for tags.
 */
export function killerGrep(test: string): string {
  const titles = test.split(' › ').map(escapeRegExp);
  const tags = '(?: @\\S+)*';
  return `(?:^| )${titles.join(`${tags} `)}${tags}$`;
}

/** Playwright's file filter is a regular expression too: this one matches one file. */
export function killerFileFilter(file: string): string {
  return `${escapeRegExp(file)}$`;
}

/** Where a run keeps apart from every other: its own artifacts folder and one reporter. */
export interface Isolation {
  /** where Playwright writes its artifacts (it empties the folder first) */
  outputDir: string;
  /** the conformance reporter, the only one: the config's html, junit and json reporters write into reports/ */
  reporter: string;
}

/** `--grep` for the killers (one alternative each), and their files for Playwright to load, no others. */
function focus(killers: readonly Killer[]): { grep: string[]; files: string[] } {
  if (killers.length === 0) return { grep: [], files: [] };
  const distinct = distinctKillers(killers);
  const grep = distinct.length === 1 ? killerGrep(distinct[0]!.test) : [...new Set(distinct.map((k) => `(?:${killerGrep(k.test)})`))].join('|');
  return { grep: ['--grep', grep], files: [...new Set(distinct.map((k) => k.file))].sort().map(killerFileFilter) };
}

const graded = ['--target', 'mock', '--profile', 'docs', '--fail-on', 'may', '--no-report', '--workers', '1'];
const isolated = (run: Isolation) => ['--reporter', run.reporter, '--output', run.outputDir];

export interface FaultRun extends Isolation {
  fault: string;
  /** the tests to run; none or empty: the whole suite */
  killers?: readonly Killer[];
  /** run to the end instead of stopping at the first unexpected failure (which areas catch it) */
  complete?: boolean;
}

/**
 * `photo-conformance run` arguments for one fault: the mock with the fault on, graded as
 * `--fail-on may` would, one Playwright worker, stopping at the first unexpected failure.
 */
export function faultRunArgs(run: FaultRun): string[] {
  const { grep, files } = focus(run.killers ?? []);
  return [...graded, '--fault', run.fault, ...grep, '--', ...(run.complete ? [] : ['--max-failures=1']), ...isolated(run), ...files];
}

/**
 * The control run: every killing test of the sweep, once, with no fault on. A kill counts
 * only if its test does not fail there; a test that fails on the conformant mock too (a red
 * suite, a harness being changed) would "kill" every fault and prove nothing.
 */
export function controlRunArgs(run: Isolation & { killers: readonly Killer[] }): string[] {
  const { grep, files } = focus(run.killers);
  return [...graded, ...grep, '--', ...isolated(run), ...files];
}
