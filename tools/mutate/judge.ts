/**
 * What one Playwright run with a fault switched on says about that fault. Pure: the exit
 * code and the graded results in, a verdict out.
 *
 * A fault is killed by a new failure at any level (MUST, SHOULD or MAY: `--fail-on may`),
 * that is a test failing that the baseline does not expect to fail. A run that ends cleanly
 * without one lets the fault survive. Anything else (Playwright not starting, a global setup
 * that throws, no results, no test run, a run stopped by something other than a new failure)
 * is an error of the sweep: it is neither a kill nor a survivor, because nothing was judged.
 * And a kill counts only when its test does not fail with the fault off (the control run).
 */
import type { Level } from '../spec/model.ts';
import type { Results } from '../report/results-model.ts';
import { GATED } from '../run/cli.ts';
import type { FaultVerdict } from './strength.ts';

export interface Catch {
  requirement: string | null;
  level: Level | null;
  test: string;
  file: string;
  /** the requirement areas with a new failure in the run (all of them when it ran to the end) */
  areas: string[];
}

export type RunVerdict = { kind: 'killed'; caught: Catch } | { kind: 'survived' } | { kind: 'error'; reason: string };

export interface FinishedRun {
  /** Playwright's exit code: 0 all as expected, 1 something unexpected, anything else it did not run */
  exitCode: number;
  /** the run's results with the baseline applied, or why there are none */
  results: Results | Error;
}

const NEW_FAILURE = new Set<string>(GATED.may);

export function judgeRun(run: FinishedRun): RunVerdict {
  if (run.exitCode !== 0 && run.exitCode !== 1) return { kind: 'error', reason: `Playwright exited with ${run.exitCode}: the run did not happen` };
  if (run.results instanceof Error) return { kind: 'error', reason: `Playwright exited with ${run.exitCode} and left no usable results: ${run.results.message}` };
  const results = run.results.results;
  // With one worker and --max-failures=1 there is one; should there be more, the suite's order decides.
  const first = results.find((r) => NEW_FAILURE.has(r.verdict));
  if (first) {
    const areas = [...new Set(results.filter((r) => NEW_FAILURE.has(r.verdict)).map((r) => r.area ?? 'unknown'))].sort();
    return { kind: 'killed', caught: { requirement: first.requirement, level: first.level, test: first.test, file: first.file, areas } };
  }
  const unexpectedPass = results.find((r) => r.verdict === 'unexpected-pass');
  if (unexpectedPass) {
    return {
      kind: 'error',
      reason: `the run stopped at an unexpected pass of a known deviation (${unexpectedPass.test}), not at a new failure; update spec/expectations/mock.yaml`,
    };
  }
  if (run.exitCode === 1) {
    return { kind: 'error', reason: 'Playwright exited with 1 without a failing test (global setup, a test file that does not load, or no test matched)' };
  }
  if (!results.some((r) => r.status !== 'SKIP')) return { kind: 'error', reason: 'no test ran' };
  return { kind: 'survived' };
}

/**
 * The kills the control run (every killing test, no fault on) confirms: a killing test must
 * not fail there. It passes, or skips (a test may need the fault's own setting to check
 * anything: retry-after-missing is the one that makes the mock throttle). One that fails
 * there too, or is not in the control run at all, or a control run that did not happen,
 * turns the kill into an error of the sweep: the fault was not shown to be caught.
 */
export function confirmKills(verdicts: readonly FaultVerdict[], control: FinishedRun & { logTail?: string }): FaultVerdict[] {
  const unusable =
    control.exitCode !== 0 && control.exitCode !== 1
      ? `Playwright exited with ${control.exitCode}`
      : control.results instanceof Error
        ? control.results.message
        : undefined;
  const statusOf = new Map(control.results instanceof Error ? [] : control.results.results.map((r) => [`${r.file}\n${r.test}`, r.status]));
  return verdicts.map((v) => {
    if (v.outcome !== 'killed') return v;
    const status = statusOf.get(`${v.file}\n${v.test}`);
    if (!unusable && (status === 'PASS' || status === 'SKIP')) return v;
    const error = unusable
      ? `the control run (the killing tests with no fault on) did not happen: ${unusable}${control.logTail ?? ''}`
      : status
        ? `its killing test fails with no fault on too (${status}): ${v.test}; the suite is red on the conformant mock there, so the kill proves nothing`
        : `its killing test was not in the control run with no fault on: ${v.test}`;
    return { ...v, outcome: 'error', error };
  });
}
