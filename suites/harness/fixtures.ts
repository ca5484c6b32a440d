/**
 * The suite's fixtures, composed with `test.extend`:
 *   target       (worker) the resolved target: the run's mock for this worker slot, a URL, a tenant
 *   client       (test)   records every exchange; attached as `exchange` when the test ends
 *   conformance  (test)   what a check needs: target, client, and the journal hook for writes
 * Before each test the target is reset (a mock goes back to its seed state).
 */
// The root test type, without the browser fixtures: `test` from @playwright/test sets up
// context options and trace recording around every test (two auto fixtures, each a recorded
// step with a captured stack), which this suite never uses: it makes its own HTTP requests.
import { _baseTest as base, expect } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import type { TestCase } from './case.ts';
import { runCase, type Conformance } from './checks.ts';
import { RecordingClient } from './client.ts';
import { backupBeforeChange } from './restore.ts';
import { resolveTarget, targetSettingsFromEnv, type ResolvedTarget } from './target.ts';

interface WorkerFixtures {
  target: ResolvedTarget;
  /** titles (file left out, ' › ' between) of the baseline's known deviations */
  expectedFailures: ReadonlySet<string>;
}
interface TestFixtures {
  client: RecordingClient;
  conformance: Conformance;
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

  // The fixtures below are boxed as 'self' (no recorded step): they run around every test, and
  // each step Playwright records costs a captured stack and two messages to the runner.
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

  client: [
    async ({ target, expectedFailures }, use, testInfo) => {
      // A known deviation is expected to fail: Playwright keeps the worker after it (a new
      // worker per failure costs seconds), and still reports it if it passes.
      if (expectedFailures.has(testInfo.titlePath.slice(1).join(' › '))) testInfo.fail(true, 'a known deviation in the baseline');
      await target.reset();
      const client = new RecordingClient();
      await use(client);
      if (client.exchanges.length > 0) {
        await testInfo.attach('exchange', { body: JSON.stringify(client.exchanges, null, 2), contentType: 'application/json' });
      }
    },
    { box: 'self' },
  ],

  conformance: [
    async ({ target, client }, use, testInfo) => {
      await use({
        target,
        client,
        testInfo,
        beforeChange: (operation, url, principal) => backupBeforeChange(target, client, operation, url, principal),
      });
    },
    { box: 'self' },
  ],
});

export { expect };

/** The one call a generated test makes. */
export async function check(conformance: Conformance, testCase: TestCase): Promise<void> {
  await runCase(conformance, testCase);
}
