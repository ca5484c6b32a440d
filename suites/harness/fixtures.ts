/**
 * The suite's fixtures and its unit of work.
 *
 * A generated file lists its checks in groups (a requirement area of one resource, at most
 * a few dozen checks), and each group is one Playwright test that runs its checks one after
 * another, each as a step:
 *   - before each check the target is reset (a mock goes back to its seed state);
 *   - each check gets its own recording client, and its outcome (status, message, the
 *     exchanges) is attached to its step as JSON, which the conformance reporter turns into
 *     one result per check;
 *   - a check that fails does not stop its group; the group fails at its end, naming every
 *     check that failed, and passes when every failure is a known deviation of the baseline.
 *
 * Why groups: Playwright replaces a worker after every failed test (it cannot know what a
 * failure left behind), and a new worker costs most of a second here. With one test per
 * check, a server that fails a hundred checks cost a hundred worker starts (the failing run
 * took eight times as long as a conformant one); with groups it costs one per failing group.
 * Playwright's own reports stay truthful: a group fails exactly when one of its checks fails
 * unexpectedly, and its steps show which.
 *
 * Fixtures, composed with `test.extend`:
 *   target          (worker) the resolved target: the run's mock for this worker slot, a URL, a tenant
 *   expectedFailures (worker) the baseline's known deviations, by title path
 *   checks          (test)   runs a group
 */
// The root test type, without the browser fixtures: `test` from @playwright/test sets up
// context options and trace recording around every test (two auto fixtures, each a recorded
// step with a captured stack), which this suite never uses: it makes its own HTTP requests.
import { _baseTest as base, expect, type TestInfo } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { CHECK_ANNOTATION, CHECK_OUTCOME_ATTACHMENT, CHECKS_SELECTED_ATTACHMENT, type CheckOutcome, type GroupedCheck, type TestCase } from './case.ts';
import { runCase, Skip, type Conformance } from './checks.ts';
import { RecordingClient } from './client.ts';
import { backupBeforeChange } from './restore.ts';
import { selectionFromEnv, selects, type Selection } from './select.ts';
import { resolveTarget, targetSettingsFromEnv, type ResolvedTarget } from './target.ts';

/** How long one check may take (a group's timeout is the sum over its checks). */
export const CHECK_TIMEOUT_MS = 60_000;

interface WorkerFixtures {
  target: ResolvedTarget;
  /** titles (file left out, ' › ' between) of the baseline's known deviations */
  expectedFailures: ReadonlySet<string>;
  selection: Selection;
}
interface TestFixtures {
  checks: (group: readonly GroupedCheck[]) => Promise<void>;
}

export const test = base.extend<TestFixtures, WorkerFixtures>({
  target: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use, workerInfo) => {
      const target = await resolveTarget(targetSettingsFromEnv(), workerInfo.parallelIndex);
      try {
        await use(target);
      } finally {
        await target.close();
      }
    },
    { scope: 'worker', timeout: 60_000 },
  ],

  // The fixtures below are boxed as 'self' (no recorded step).
  expectedFailures: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      // Written by `photo-conformance run` from the baseline; a bare `playwright test` has none.
      const file = process.env.PHOTO_EXPECTED_FAILURES_FILE;
      const titles: unknown = file ? JSON.parse(await readFile(file, 'utf8')) : [];
      await use(new Set(Array.isArray(titles) ? titles.filter((t): t is string => typeof t === 'string') : []));
    },
    { scope: 'worker', box: 'self' },
  ],

  selection: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      await use(selectionFromEnv());
    },
    { scope: 'worker', box: 'self' },
  ],

  checks: [
    async ({ target, expectedFailures, selection }, use, testInfo) => {
      await use((group) => runGroup({ target, expectedFailures, selection, testInfo }, group));
    },
    { box: 'self' },
  ],
});

export { expect };

/** A group's Playwright details: the union of its checks' tags, and its checks by title. */
export function groupDetails(group: readonly GroupedCheck[]): { tag: string[]; annotation: { type: string; description: string }[] } {
  return {
    tag: [...new Set(group.flatMap((c) => c.tags))].sort(),
    annotation: group.map((c) => ({ type: CHECK_ANNOTATION, description: c.title })),
  };
}

export interface GroupContext {
  target: ResolvedTarget;
  expectedFailures: ReadonlySet<string>;
  selection: Selection;
  testInfo: TestInfo;
  /** what performs a check (the harness's own, unless a test of the runner brings its own) */
  run?: (c: Conformance, testCase: TestCase) => Promise<void>;
  checkTimeoutMs?: number;
}

class Deadline extends Error {
  override name = 'Deadline';
}

function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Deadline(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The describe title (the API and version) of the group's test. */
function describeOf(testInfo: TestInfo): string {
  return testInfo.titlePath.slice(1, -1).join(' › ');
}

export async function runGroup(context: GroupContext, group: readonly GroupedCheck[]): Promise<void> {
  const { target, expectedFailures, selection, testInfo } = context;
  const run = context.run ?? runCase;
  const timeoutMs = context.checkTimeoutMs ?? CHECK_TIMEOUT_MS;
  const describe = describeOf(testInfo);
  const file = relative(testInfo.project.testDir, testInfo.file);
  const selected = group.filter((c) => selects(selection, { project: testInfo.project.name, file, describe, title: c.title, tags: c.tags }));
  // The reporter lists these, each with its outcome, or as not run if the group ends first.
  await testInfo.attach(CHECKS_SELECTED_ATTACHMENT, { body: JSON.stringify(selected.map((c) => c.title)), contentType: 'application/json' });
  if (selected.length === 0) testInfo.skip(true, 'no check of this group matches --grep');
  testInfo.setTimeout(selected.length * timeoutMs + 30_000);

  const unexpected: string[] = [];
  let stoppedBy: string | null = null;
  for (const [index, check] of selected.entries()) {
    const expected = expectedFailures.has(`${describe} › ${check.title}`) ? 'FAIL' : 'PASS';
    const { requirement, operation } = check.case;
    const outcome: CheckOutcome = {
      title: check.title,
      requirement,
      operation: operation.id,
      api: operation.api,
      version: operation.version,
      source: check.source,
      status: 'PASS',
      expected,
      message: null,
      duration: 0,
      exchanges: [],
    };
    let failure: unknown;
    await test
      .step(check.title, async (step) => {
        const started = performance.now();
        const client = new RecordingClient();
        if (stoppedBy) {
          outcome.status = 'TIMEOUT';
          outcome.message = `not run: ${stoppedBy}`;
        } else {
          try {
            await withDeadline(
              (async () => {
                await target.reset();
                await run(
                  {
                    target,
                    client,
                    checkId: `${testInfo.testId}.${index}`,
                    beforeChange: (op, url, principal) => backupBeforeChange(target, client, op, url, principal),
                  },
                  check.case,
                );
              })(),
              timeoutMs,
              'the check',
            );
          } catch (error) {
            if (error instanceof Skip) {
              outcome.status = 'SKIP';
              outcome.message = error.message;
            } else {
              outcome.status = error instanceof Deadline ? 'TIMEOUT' : 'FAIL';
              outcome.message = messageOf(error);
              failure = error;
              // A check that overran may still be sending: the rest of the group would share
              // the target with it, so they are not run, and say why.
              if (error instanceof Deadline) stoppedBy = `an earlier check of its group (${check.title}) did not finish within ${timeoutMs / 1000} s`;
            }
          }
        }
        outcome.duration = Math.round(performance.now() - started);
        outcome.exchanges = client.exchanges;
        await step.attach(CHECK_OUTCOME_ATTACHMENT, { body: JSON.stringify(outcome), contentType: 'application/json' });
        if (outcome.status === 'SKIP') step.skip(true, outcome.message ?? undefined);
        // The step shows red in Playwright's report; the group decides below whether that is a failure.
        if (outcome.status === 'FAIL' || outcome.status === 'TIMEOUT') throw failure ?? new Error(outcome.message ?? 'not run');
      })
      .catch(() => undefined);

    const failed = outcome.status === 'FAIL' || outcome.status === 'TIMEOUT';
    if (failed && expected === 'PASS') unexpected.push(`✘ ${check.title}\n    ${firstLine(outcome.message)}`);
    if (outcome.status === 'PASS' && expected === 'FAIL') unexpected.push(`✔ ${check.title}\n    passed, but the baseline records it as a known deviation`);
  }
  if (unexpected.length > 0) {
    // Each check's own message is on its step (and in the conformance report); here, a list.
    const shown = unexpected.slice(0, MESSAGE_CHECKS);
    const more = unexpected.length > shown.length ? `\n… and ${unexpected.length - shown.length} more` : '';
    throw new Error(`${unexpected.length} of ${selected.length} checks of this group did not turn out as the baseline expects:\n${shown.join('\n')}${more}`);
  }
}

/** Checks a failed group's message names (the steps name every one). */
const MESSAGE_CHECKS = 5;
const firstLine = (text: string | null) => (text ?? '').split('\n').find((l) => l.trim()) ?? '';
