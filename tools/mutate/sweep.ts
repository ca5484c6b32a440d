/**
 * The sweep's I/O shell: runs the suite against the mock once per fault, several faults at
 * once, and hands each fault's verdict back as it ends.
 *
 * Runs that go side by side share nothing on disk: each has its own temporary folder for
 * its results file (PHOTO_RESULTS_FILE), Playwright's output folder (`--output`, which
 * Playwright empties when it starts) and its log, and runs the conformance reporter alone
 * (`--reporter`), so that the config's html, junit and json reporters do not write into
 * reports/. Each run's mock listens on a port of its own (the slots take port 0). Each run
 * is `photo-conformance run`'s, built from its own functions: the same baseline, the same
 * environment, the same Playwright. A last control run checks every killing test with no
 * fault on (judge.ts: confirmKills).
 */
import { open, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../spec/io.ts';
import { applyExpectations, type ExpectationFile } from '../run/expectations.ts';
import { parseRunArgs, playwrightArgs, readRunResults, runEnvironment, runPlaywright } from '../run/cli.ts';
import { confirmKills, judgeRun, type FinishedRun, type RunVerdict } from './judge.ts';
import { controlRunArgs, faultRunArgs, faultStages, type Isolation, type Killer } from './plan.ts';
import type { FaultVerdict } from './strength.ts';

const REPORTER = join(REPO_ROOT, 'tools/report/reporter.ts');

export interface SweepContext {
  /** the mock baseline, applied to each run's results as `run` applies it */
  expectations: ExpectationFile;
  /** its known deviations as the harness reads them (PHOTO_EXPECTED_FAILURES_FILE) */
  knownDeviationsFile: string;
  env: NodeJS.ProcessEnv;
  /** the tests that killed a fault, in the previous sweep or in this one so far (plan.ts, stage 2) */
  knownKillers: Killer[];
  /** --full: no shorter runs first, every fault runs the whole suite */
  wholeSuiteOnly: boolean;
  /** --areas: every fault runs the whole suite to its end, to learn which areas catch it */
  areas?: boolean;
}

/** The last lines of a run's log, for an error that needs Playwright's own words. */
function logTail(log: string, lines = 12): string {
  const kept = log.trimEnd().split('\n').slice(-lines);
  return kept.length && kept[0] ? `\n    ${kept.join('\n    ')}` : '';
}

/**
 * One Playwright run, as `photo-conformance run` would make it from `runArgs`, in a folder of
 * its own: its exit code and its results with the baseline applied (or why there are none),
 * and the tail of its log.
 */
async function runIsolated(label: string, runArgs: (isolation: Isolation) => string[], context: SweepContext): Promise<FinishedRun & { logTail: string }> {
  const dir = await mkdtemp(join(tmpdir(), `photo-mutate-${label}-`));
  try {
    const resultsFile = join(dir, 'results.json');
    const logFile = join(dir, 'playwright.log');
    const options = parseRunArgs(runArgs({ outputDir: join(dir, 'output'), reporter: REPORTER }));
    const started = Date.now();
    const log = await open(logFile, 'w');
    let exitCode: number;
    try {
      exitCode = await runPlaywright(playwrightArgs(options), runEnvironment(options, resultsFile, context.env, context.knownDeviationsFile), ['ignore', log.fd, log.fd]);
    } finally {
      await log.close();
    }
    const results = await readRunResults(resultsFile, started).then(
      (read) => applyExpectations(read, context.expectations, { strict: false }).results,
      (error: Error) => error,
    );
    return { exitCode, results, logTail: logTail(await readFile(logFile, 'utf8').catch(() => '')) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One run with the fault on: the killers given, or the whole suite. */
async function runFault(fault: string, killers: readonly Killer[], context: SweepContext): Promise<RunVerdict> {
  const run = await runIsolated(fault, (isolation) => faultRunArgs({ ...isolation, fault, killers, complete: context.areas ?? false }), context);
  const verdict = judgeRun(run);
  return verdict.kind === 'error' ? { kind: 'error', reason: `${verdict.reason}${run.logTail}` } : verdict;
}

/** The sweep's verdicts with each kill confirmed by the control run (its test does not fail with no fault on). */
export async function controlKills(verdicts: readonly FaultVerdict[], context: SweepContext): Promise<FaultVerdict[]> {
  const killers = verdicts.flatMap((v) => (v.outcome === 'killed' && v.test && v.file ? [{ test: v.test, file: v.file }] : []));
  if (killers.length === 0) return [...verdicts];
  const run = await runIsolated('control', (isolation) => controlRunArgs({ ...isolation, killers }), context);
  return confirmKills(verdicts, run);
}

/**
 * A fault's verdict: the stages of plan.ts one after the other until one kills it; the
 * whole suite decides when none of the shorter runs does. A kill joins the sweep's known
 * killers for the faults still to come.
 */
export async function sweepFault(fault: string, previousKiller: Killer | undefined, context: SweepContext): Promise<FaultVerdict> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const none = { level: null, requirement: null, test: null, file: null, phase: null, error: null } as const;
  let verdict: RunVerdict = { kind: 'survived' };
  const stages = context.wholeSuiteOnly || context.areas ? faultStages(undefined, () => []) : faultStages(previousKiller, () => context.knownKillers);
  for (const next of stages) {
    const stage = next();
    if (!stage) continue;
    verdict = await runFault(fault, stage.killers, context);
    if (verdict.kind === 'killed') {
      const { requirement, level, test, file, areas } = verdict.caught;
      context.knownKillers.push({ test, file });
      return { ...none, name: fault, outcome: 'killed', level, requirement, test, file, phase: stage.phase, seconds: seconds(), ...(context.areas ? { areas } : {}) };
    }
    // Whatever else a shorter run says (the killers pass now, were renamed, did not start),
    // the next stage, and in the end the whole suite, decides.
  }
  if (verdict.kind === 'error') return { ...none, name: fault, outcome: 'error', phase: 'full-suite', error: verdict.reason, seconds: seconds() };
  return { ...none, name: fault, outcome: 'survived', phase: 'full-suite', seconds: seconds() };
}

/** Runs `task` over `items`, `lanes` at a time, in the items' order; resolves in that order too. */
export async function inLanes<I, O>(items: readonly I[], lanes: number, task: (item: I) => Promise<O>): Promise<O[]> {
  const out: O[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      out[index] = await task(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(lanes, items.length)) }, lane));
  return out;
}
