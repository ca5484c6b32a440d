/**
 * End to end through Playwright: the baseline's known deviations are marked as expected to
 * fail before they run, so they keep their worker (Playwright starts a new worker after every
 * unexpected failure, which made a run with ten deviations three times slower).
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
    const known = results.filter((r) => r.expectedStatus === 'failed');
    assert.ok(known.length > 0, 'some tests were marked as known deviations');
    assert.ok(known.every((r) => r.status === 'failed'), JSON.stringify(known));
    assert.deepEqual([...new Set(results.map((r) => r.workerIndex))], [0], 'no worker was replaced');
  });
});
