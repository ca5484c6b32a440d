/**
 * The group runner end to end through Playwright and the conformance reporter: every check of
 * a group gets its own result; a failing check does not stop its group; a group fails exactly
 * when a check turns out other than the baseline expects; a check that overruns stops its
 * group, and the rest are said to be not run; --grep selects checks.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../../tools/spec/paths.ts';
import { parseResultsText, type Results } from '../../tools/report/results-model.ts';

function runFixture(dir: string, env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(REPO_ROOT, 'node_modules/.bin/playwright'), ['test', '-c', 'suites/harness/fixtures/group-run/playwright.config.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        FIXTURE_OUTPUT_DIR: join(dir, 'out'),
        FIXTURE_PLAYWRIGHT_JSON: join(dir, 'playwright.json'),
        PHOTO_RESULTS_FILE: join(dir, 'results.json'),
        PHOTO_SPEC: 'tools/report/fixtures/spec.yaml',
        PHOTO_GREP: '',
        PHOTO_GREP_INVERT: '',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

interface PlaywrightJson {
  suites: Array<{ title: string; specs?: Array<{ title: string; tests: Array<{ results: Array<{ status: string; workerIndex: number }> }> }>; suites?: PlaywrightJson['suites'] }>;
}

function groupStatuses(report: PlaywrightJson): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (suites: PlaywrightJson['suites']) => {
    for (const s of suites) {
      for (const spec of s.specs ?? []) out[spec.title] = spec.tests[0]?.results.at(-1)?.status ?? 'not run';
      walk(s.suites ?? []);
    }
  };
  walk(report.suites);
  return out;
}

describe('checks in groups', { timeout: 120_000 }, () => {
  let dir: string;
  let results: Results;
  let groups: Record<string, string>;
  let output: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'groups-'));
    const run = await runFixture(dir);
    output = run.output;
    assert.equal(run.code, 1, `groups fail, so Playwright exits 1:\n${run.output}`);
    results = parseResultsText(await readFile(join(dir, 'results.json'), 'utf8'), 'results.json');
    groups = groupStatuses(JSON.parse(await readFile(join(dir, 'playwright.json'), 'utf8')) as PlaywrightJson);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const verdicts = () => Object.fromEntries(results.results.map((r) => [r.test.replace('fixture › graph.v1.0.get.me.metadata/fixture ', ''), `${r.status}/${r.expected}/${r.verdict}`]));

  it('gives every check a result of its own, and a failure does not stop its group', () => {
    assert.deepEqual(verdicts(), {
      passes: 'PASS/PASS/pass',
      fails: 'FAIL/PASS/fail',
      skips: 'SKIP/PASS/skip',
      'fails, known': 'FAIL/FAIL/expected-fail',
      'passes again': 'PASS/PASS/pass',
      'passes 2': 'PASS/PASS/pass',
      'fails, known 2': 'FAIL/FAIL/expected-fail',
      'passes, known': 'PASS/FAIL/unexpected-pass',
      hangs: 'TIMEOUT/PASS/fail',
      'passes after the hang': 'TIMEOUT/PASS/fail',
    });
  });

  it('fails a group exactly when a check turns out other than the baseline expects', () => {
    assert.deepEqual(groups, { mixed: 'failed', 'only known deviations fail': 'passed', 'a known deviation passes': 'failed', hangs: 'failed' });
    assert.match(output, /1 of 5 checks of this group did not turn out as the baseline expects/);
  });

  it('keeps messages, requirements, and each check\'s exchanges', () => {
    const fails = results.results.find((r) => r.test.endsWith('fixture fails'))!;
    assert.match(fails.message ?? '', /expected 200, got 500/);
    assert.equal(fails.requirement, 'graph.v1.0.get.me.metadata/fixture');
    assert.equal(fails.operation, 'graph.v1.0.get.me.metadata');
    assert.equal(fails.exchanges.length, 1);
    assert.equal(results.results.find((r) => r.test.endsWith('skips'))!.message, 'the target has no such user');
    assert.match(results.results.find((r) => r.test.endsWith('hangs'))!.message ?? '', /did not finish within 0.3 s/);
    assert.match(results.results.find((r) => r.test.endsWith('after the hang'))!.message ?? '', /^not run: an earlier check of its group/);
  });

  it('selects checks by --grep and --grep-invert, as Playwright would select tests', async () => {
    const sub = await mkdtemp(join(dir, 'grep-'));
    const run = await runFixture(sub, { PHOTO_GREP: '@fails', PHOTO_GREP_INVERT: 'known' });
    const selected = parseResultsText(await readFile(join(sub, 'results.json'), 'utf8'), 'results.json');
    assert.deepEqual(
      selected.results.map((r) => r.test),
      ['fixture › graph.v1.0.get.me.metadata/fixture fails'],
      run.output,
    );
  });
});
