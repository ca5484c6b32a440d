import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FAULT_NAMES, UnknownFaultError } from '../mock/faults.ts';
import { UsageError } from '../run/cli.ts';
import { killMatrixLines, parseMutateArgs, strengthExitCode } from './cli.ts';
import { allKilled, sampleStrength } from './fixtures/sample-strength.ts';
import { inLanes } from './sweep.ts';

describe('photo-conformance mutate options', () => {
  it('sweeps the whole catalogue by default, as many runs at once as CPUs', () => {
    const options = parseMutateArgs([], 2);
    assert.deepEqual(options.faults, FAULT_NAMES);
    assert.equal(options.workers, 2);
    assert.equal(options.full, false);
    assert.equal(options.json, false);
    assert.equal(parseMutateArgs([], 0).workers, 1);
  });

  it('takes named faults in catalogue order, once each, and a number of workers', () => {
    const options = parseMutateArgs(['--fault', 'etag-weak', '--fault', 'upload-status-204', '--fault', 'etag-weak', '--workers', '3', '--full', '--json'], 2);
    assert.deepEqual(options.faults, ['upload-status-204', 'etag-weak']);
    assert.equal(options.workers, 3);
    assert.equal(options.full, true);
    assert.equal(options.json, true);
  });

  it('refuses an unknown fault by name, listing the known ones', () => {
    assert.throws(
      () => parseMutateArgs(['--fault', 'etag-weak', '--fault', 'etag-wek']),
      (error: unknown) => error instanceof UnknownFaultError && /unknown fault: etag-wek \(known: upload-status-204, .*etag-weak/.test(error.message),
    );
  });

  it('refuses workers that are not a whole number of runs, and options it does not know', () => {
    for (const workers of ['0', '-1', '1.5', '50%', 'two']) {
      assert.throws(() => parseMutateArgs(['--workers', workers]), (error: unknown) => error instanceof UsageError && /--workers/.test((error as Error).message), workers);
    }
    assert.throws(() => parseMutateArgs(['--grep', 'x']), UsageError);
  });
});

describe('the kill matrix', () => {
  it('exits 1 on a survivor, 2 on a fault it could not judge, 0 when every fault is killed', () => {
    assert.equal(strengthExitCode(allKilled()), 0);
    assert.equal(strengthExitCode({ survived: ['stale-etag'], errors: [] }), 1);
    assert.equal(strengthExitCode(sampleStrength()), 2);
    const covered = { survived: [], errors: [], areaCoverage: [{ area: 'sizes', caughtBy: ['a', 'b'], onlyBy: ['a'] }] };
    assert.equal(strengthExitCode(covered), 0);
    assert.equal(strengthExitCode({ ...covered, areaCoverage: [...covered.areaCoverage, { area: 'headers', caughtBy: ['b'], onlyBy: [] }] }), 1, 'an area no fault is caught by alone');
  });

  it('prints one aligned row a fault: killed or SURVIVED, time, level, requirement and test, then the totals', () => {
    const lines = killMatrixLines(sampleStrength());
    assert.match(lines[0]!, /^fault +result +time +level +requirement +test that caught it$/);
    const rows = lines.slice(1, 5);
    assert.deepEqual(rows.map((r) => r.split(/\s+/)[0]), ['upload-status-204', 'etag-weak', 'stale-etag', 'torn-write']);
    // every column starts where its header does
    const starts = (line: string) => ['result', 'time', 'level', 'requirement'].map((h) => lines[0]!.indexOf(h)).map((i) => line[i - 2] === ' ' && line[i - 1] === ' ' && line[i] !== ' ');
    for (const row of rows) assert.deepEqual(starts(row), [true, true, true, true], row);
    assert.match(rows[0]!, /upload-status-204 +killed +3\.2 s +MUST +graph\.v1\.0\.update-photo\/put-me-value\/status +PUT \/me\/photo\/\$value: answers 200 \| not 204$/);
    assert.match(rows[2]!, /^stale-etag +SURVIVED +28\.7 s +- +- +-$/);
    assert.match(rows[3]!, /^torn-write +ERROR +1\.2 s .* see below$/);
    assert.ok(lines.some((l) => /^ERROR torn-write: Playwright exited with 1/.test(l)));
    assert.equal(
      lines.at(-1),
      'suite strength: 2/4 faults killed (a partial sweep: 4 of the catalogue\'s 5), 33.3 s wall, 2 at once; SURVIVED: stale-etag; not judged (errors): torn-write',
    );
    assert.equal(killMatrixLines(allKilled()).at(-1), 'suite strength: 5/5 faults killed, 12.5 s wall, 2 at once');
  });
});

describe('inLanes', () => {
  it('runs at most N tasks at once, starts them in order, and keeps the results in that order', async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const out = await inLanes([30, 5, 20, 5, 1], 2, async (ms) => {
      started.push(ms);
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, ms));
      running -= 1;
      return ms * 2;
    });
    assert.equal(most, 2);
    assert.deepEqual(started, [30, 5, 20, 5, 1]);
    assert.deepEqual(out, [60, 10, 40, 10, 2]);
    assert.deepEqual(await inLanes([], 2, async () => 1), []);
  });
});
