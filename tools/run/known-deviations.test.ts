/**
 * End to end through Playwright: a check the baseline records as a known deviation fails as
 * expected inside its group, so the group passes and keeps its worker (Playwright starts a new
 * worker after every failed test), and results.json still says the check failed, as expected.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../spec/paths.ts';

function run(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/cli/main.ts', 'run', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
}

interface PlaywrightJson {
  suites: Array<{ specs?: Array<{ tests: Array<{ expectedStatus: string; results: Array<{ workerIndex: number; status: string }> }> }>; suites?: PlaywrightJson['suites'] }>;
}

describe('known deviations in a run', { timeout: 180_000 }, () => {
  it('fail as expected in one worker, and the run is conformant to its baseline', async () => {
    const { code, output } = await run(['--target', 'mock', '--profile', 'live', '--workers', '1', '--grep', 'outlook.beta/sizes/placeholder', '--no-report']);
    assert.equal(code, 0, output);
    assert.match(output, /0 fail, [1-9]\d* known deviation\(s\), 0 unexpected pass/);
    const report = JSON.parse(await readFile(join(REPO_ROOT, 'reports/playwright.json'), 'utf8')) as PlaywrightJson;
    const results: Array<{ expectedStatus: string; status: string; workerIndex: number }> = [];
    const walk = (suites: PlaywrightJson['suites']) => {
      for (const s of suites) {
        for (const spec of s.specs ?? []) for (const t of spec.tests) for (const r of t.results) results.push({ expectedStatus: t.expectedStatus, status: r.status, workerIndex: r.workerIndex });
        walk(s.suites ?? []);
      }
    };
    walk(report.suites);
    assert.ok(results.length > 0, 'the placeholder checks ran');
    assert.ok(results.every((r) => r.status === 'passed' || r.status === 'skipped'), `a group with only known deviations failing passes: ${JSON.stringify(results)}`);
    assert.deepEqual([...new Set(results.map((r) => r.workerIndex))], [0], 'no worker was replaced');
    const checks = JSON.parse(await readFile(join(REPO_ROOT, 'reports/results.json'), 'utf8')) as { results: Array<{ test: string; status: string; expected: string; verdict: string }> };
    const known = checks.results.filter((r) => r.expected === 'FAIL');
    assert.ok(known.length > 0, 'some checks were known deviations');
    assert.ok(known.every((r) => r.status === 'FAIL' && r.verdict === 'expected-fail'), JSON.stringify(known));
    assert.ok(checks.results.every((r) => r.test.includes('outlook.beta') && r.test.includes('/sizes/placeholder')), 'only the checks --grep selected are listed');
  });
});
