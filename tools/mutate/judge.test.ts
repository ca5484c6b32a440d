import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gradeVerdict, type Results, type Status, type TestResult } from '../report/results-model.ts';
import { sampleRuns } from '../report/fixtures/sample-results.ts';
import { confirmKills, judgeRun } from './judge.ts';
import type { FaultVerdict } from './strength.ts';

/** The docs sample with every result set to one status (expected as recorded), so a single one can be made to fail. */
function allAs(status: Status): Results {
  const { docs } = sampleRuns();
  return {
    ...docs,
    results: docs.results.map((r) => ({ ...r, status, verdict: gradeVerdict({ ...r, status }, { strict: false }) })),
  };
}

function withStatus(results: Results, test: string, status: Status): Results {
  return {
    ...results,
    results: results.results.map((r): TestResult => (r.test.startsWith(test) ? { ...r, status, verdict: gradeVerdict({ ...r, status }, { strict: false }) } : r)),
  };
}

describe('judgeRun: what one fault run says', () => {
  it('kills on the first new failure, naming its requirement, level, test and file', () => {
    const verdict = judgeRun({ exitCode: 1, results: sampleRuns().docs });
    assert.deepEqual(verdict, {
      kind: 'killed',
      caught: {
        requirement: 'graph.v1.0.update-photo/put-me-value/content-type',
        level: 'MUST',
        test: 'graph v1.0 PUT /me/photo/$value › refuses a request without Content-Type',
        file: 'suites/generated/update-photo.spec.ts',
        areas: [...new Set(sampleRuns().docs.results.filter((r) => r.verdict === 'fail' || r.verdict === 'non-strict' || r.verdict === 'informational').map((r) => r.area ?? 'unknown'))].sort(),
      },
    });
  });

  it('kills on a broken SHOULD or MAY too (the sweep gates at --fail-on may), and on a timeout', () => {
    const passing = allAs('PASS');
    for (const [test, level] of [
      ['outlook v2.0 photos', 'SHOULD'],
      ['graph beta refuses a personal', 'MAY'],
    ] as const) {
      const verdict = judgeRun({ exitCode: 1, results: withStatus(passing, test, 'FAIL') });
      assert.equal(verdict.kind, 'killed');
      assert.equal(verdict.kind === 'killed' && verdict.caught.level, level);
    }
    const timedOut = judgeRun({ exitCode: 1, results: withStatus(passing, 'graph beta refuses a photo over', 'TIMEOUT') });
    assert.equal(timedOut.kind === 'killed' && timedOut.caught.requirement, 'graph.beta.update-profilephoto/size-limit');
  });

  it('does not count a known deviation failing as a kill', () => {
    // PATCH on beta is expected to fail in the sample; everything else passes.
    const results = withStatus(allAs('PASS'), 'graph beta refuses PATCH', 'FAIL');
    assert.equal(results.results.find((r) => r.test === 'graph beta refuses PATCH')?.verdict, 'expected-fail');
    assert.deepEqual(judgeRun({ exitCode: 0, results }), { kind: 'survived' });
  });

  it('lets the fault survive when the run ends cleanly with tests run and none failing anew, skips or not', () => {
    const { docs } = sampleRuns();
    const skippedOrPassing = docs.results.map((r): TestResult => {
      const status: Status = r.verdict === 'pass' ? 'PASS' : r.verdict === 'expected-fail' ? 'FAIL' : 'SKIP';
      return { ...r, status, verdict: gradeVerdict({ ...r, status }, { strict: false }) };
    });
    assert.deepEqual(judgeRun({ exitCode: 0, results: { ...docs, results: skippedOrPassing } }), { kind: 'survived' });
  });

  it('never counts a run that did not happen as killed or survived', () => {
    const errors = [
      judgeRun({ exitCode: 130, results: sampleRuns().docs }),
      judgeRun({ exitCode: 127, results: new Error('not found') }),
      judgeRun({ exitCode: 1, results: new Error('reports/x.json: not found') }),
      // global setup threw, or no test matched: Playwright fails, no test did
      judgeRun({ exitCode: 1, results: withStatus(allAs('SKIP'), 'graph beta refuses PATCH', 'FAIL') }),
      judgeRun({ exitCode: 0, results: allAs('SKIP') }),
    ];
    for (const verdict of errors) assert.equal(verdict.kind, 'error', JSON.stringify(verdict));
    assert.match((errors[0] as { reason: string }).reason, /exited with 130/);
    assert.match((errors[2] as { reason: string }).reason, /no usable results: reports\/x\.json: not found/);
    assert.match((errors[3] as { reason: string }).reason, /without a failing test/);
    assert.match((errors[4] as { reason: string }).reason, /no test ran/);
  });

  it('calls a run stopped by an unexpected pass what it is, not a kill', () => {
    const verdict = judgeRun({ exitCode: 1, results: allAs('PASS') });
    assert.equal(verdict.kind, 'error');
    assert.match((verdict as { reason: string }).reason, /unexpected pass of a known deviation \(graph beta refuses PATCH\)/);
  });
});

describe('confirmKills: the control run with no fault on', () => {
  const none = { level: null, requirement: null, test: null, file: null, phase: null, error: null } as const;
  const { docs } = sampleRuns();
  // In the sample, the status test passes and the Content-Type test fails with no fault on.
  const [passing, failing] = docs.results as [TestResult, TestResult];
  const killedBy = (name: string, r: TestResult): FaultVerdict => ({
    ...none,
    name,
    outcome: 'killed',
    level: r.level,
    requirement: r.requirement,
    test: r.test,
    file: r.file,
    phase: 'full-suite',
    seconds: 3,
  });
  const verdicts: FaultVerdict[] = [killedBy('a', passing), killedBy('b', failing), { ...none, name: 'c', outcome: 'survived', phase: 'full-suite', seconds: 9 }];

  it('keeps a kill whose test passes without the fault, and voids one whose test fails there too', () => {
    const confirmed = confirmKills(verdicts, { exitCode: 1, results: docs });
    assert.deepEqual(confirmed.map((v) => v.outcome), ['killed', 'error', 'survived']);
    assert.match(confirmed[1]!.error!, /fails with no fault on too \(FAIL\): graph v1\.0 PUT \/me\/photo\/\$value › refuses a request without Content-Type/);
    assert.equal(confirmed[1]!.requirement, failing.requirement, 'the would-be killer stays named');
  });

  it('voids every kill when the control run did not happen, and one whose test it did not run', () => {
    const crashed = confirmKills(verdicts, { exitCode: 139, results: docs, logTail: '\n    Segmentation fault' });
    assert.deepEqual(crashed.map((v) => v.outcome), ['error', 'error', 'survived']);
    assert.match(crashed[0]!.error!, /control run .* did not happen: Playwright exited with 139\n    Segmentation fault$/);
    assert.deepEqual(confirmKills(verdicts, { exitCode: 1, results: new Error('no results') }).map((v) => v.outcome), ['error', 'error', 'survived']);
    const without = { ...docs, results: docs.results.filter((r) => r !== passing) };
    assert.match(confirmKills(verdicts, { exitCode: 1, results: without })[0]!.error!, /was not in the control run/);
  });

  it('keeps a kill whose test skips with no fault on (it needs the fault\'s own setting to check anything)', () => {
    const skipped = { ...docs, results: docs.results.map((r) => (r === passing ? { ...r, status: 'SKIP' as const, verdict: 'skip' as const } : r)) };
    assert.deepEqual(confirmKills(verdicts, { exitCode: 1, results: skipped }).map((v) => v.outcome), ['killed', 'error', 'survived']);
  });
});
