import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Results, TestResult } from '../report/results-model.ts';
import { gradeRun } from './cli.ts';
import { applyExpectations, parseExpectations, serializeExpectations, updateExpectations, type ExpectationFile } from './expectations.ts';

function result(test: string, status: TestResult['status'], level: TestResult['level'] = 'MUST', message: string | null = null): TestResult {
  return {
    test,
    file: 'suites/generated/graph-v1.0.spec.ts',
    requirement: test.split(' ')[0] ?? null,
    level,
    area: 'status',
    operation: null,
    api: 'graph',
    version: 'v1.0',
    source: null,
    source_sentence: null,
    status,
    expected: 'PASS',
    verdict: 'pass',
    message,
    duration: 1,
    exchanges: [],
  };
}

function run(...results: TestResult[]): Results {
  return {
    run_info: { target: 'mock', profile: 'live', base_url: null, spec_version: 1, spec_sha256: null, date: '2026-11-24T21:00:00.000Z', strict: false, grep: null, shard: null, tool_version: '0' },
    time_start: 0,
    time_end: 1,
    results,
  };
}

const baseline: ExpectationFile = {
  target: 'mock',
  profile: 'live',
  deviations: [{ test: 'r.placeholder GET /me/photo', expected: 'FAIL', reason: 'live answers 404 ImageNotFound' }],
};

describe('applyExpectations', () => {
  it('a known deviation is expected-fail and does not fail the run', () => {
    const { results } = applyExpectations(run(result('r.placeholder GET /me/photo', 'FAIL'), result('r.status PUT', 'PASS')), baseline, { strict: false });
    assert.deepEqual(results.results.map((r) => r.verdict), ['expected-fail', 'pass']);
    assert.equal(results.results[0]!.expected_reason, 'live answers 404 ImageNotFound');
    assert.equal(gradeRun(results, [], { strict: false, partial: false }).exitCode, 0);
  });

  it('a run that checked nothing, or that Playwright failed with no failing check, is broken, not conformant', () => {
    const none = applyExpectations(run(), baseline, { strict: false });
    const empty = gradeRun(none.results, [], { strict: false, partial: false });
    assert.equal(empty.exitCode, 1);
    assert.match(empty.lines.join('\n'), /RUN BROKEN: no check ran/);
    assert.equal(gradeRun(none.results, [], { strict: false, partial: true }).exitCode, 0, 'a --grep that matches nothing is the user’s choice');
    const passing = applyExpectations(run(result('r.status PUT', 'PASS')), baseline, { strict: false });
    const setupFailed = gradeRun(passing.results, [], { strict: false, partial: false, playwrightExit: 1 });
    assert.equal(setupFailed.exitCode, 1);
    assert.match(setupFailed.lines.join('\n'), /RUN BROKEN: Playwright exited with 1 and no check failed/);
    const should = applyExpectations(run(result('r.ct GET', 'FAIL', 'SHOULD')), baseline, { strict: false });
    assert.equal(gradeRun(should.results, [], { strict: false, failOn: 'must', partial: false, playwrightExit: 1 }).exitCode, 0, 'a failing check explains the exit');
    const skipped = applyExpectations(run(result('r.status PUT', 'SKIP')), baseline, { strict: false });
    assert.match(gradeRun(skipped.results, [], { strict: false, partial: false }).lines.join('\n'), /every check was skipped/);
  });

  it('--fail-on moves the line: should (the default) gates SHOULD, must lets it through, may gates MAY', () => {
    const should = applyExpectations(run(result('r.ct GET', 'FAIL', 'SHOULD')), baseline, { strict: false });
    assert.equal(should.results.results[0]!.verdict, 'non-strict', 'the report still grades by level');
    const byDefault = gradeRun(should.results, [], { strict: false, partial: false });
    assert.equal(byDefault.exitCode, 1);
    assert.match(byDefault.lines.join('\n'), /NEW FAILURE \[SHOULD\] r\.ct GET/);
    assert.equal(gradeRun(should.results, [], { strict: false, failOn: 'must', partial: false }).exitCode, 0);
    const may = applyExpectations(run(result('r.known GET', 'FAIL', 'MAY')), baseline, { strict: false });
    assert.equal(gradeRun(may.results, [], { strict: false, failOn: 'should', partial: false }).exitCode, 0);
    assert.equal(gradeRun(may.results, [], { strict: false, failOn: 'may', partial: false }).exitCode, 1);
  });

  it('a new MUST failure fails the run; with --fail-on must a new SHOULD failure fails it only when strict', () => {
    const must = applyExpectations(run(result('r.status PUT', 'FAIL', 'MUST')), baseline, { strict: false });
    assert.equal(must.results.results[0]!.verdict, 'fail');
    const grade = gradeRun(must.results, must.unmatched, { strict: false, partial: false });
    assert.equal(grade.exitCode, 1);
    assert.match(grade.lines.join('\n'), /NEW FAILURE \[MUST\] r\.status PUT/);

    const should = applyExpectations(run(result('r.ct GET', 'FAIL', 'SHOULD')), baseline, { strict: false });
    assert.equal(should.results.results[0]!.verdict, 'non-strict');
    assert.equal(gradeRun(should.results, [], { strict: false, failOn: 'must', partial: false }).exitCode, 0);
    const strict = applyExpectations(run(result('r.ct GET', 'FAIL', 'SHOULD')), baseline, { strict: true });
    assert.equal(gradeRun(strict.results, [], { strict: true, partial: false }).exitCode, 1);
  });

  it('an unexpected pass is reported loudly, and fails the run when strict', () => {
    const applied = applyExpectations(run(result('r.placeholder GET /me/photo', 'PASS')), baseline, { strict: false });
    assert.equal(applied.results.results[0]!.verdict, 'unexpected-pass');
    const grade = gradeRun(applied.results, [], { strict: false, partial: false });
    assert.match(grade.lines.join('\n'), /UNEXPECTED PASS.*r\.placeholder GET \/me\/photo/);
    assert.equal(grade.exitCode, 0);
    assert.equal(gradeRun(applyExpectations(run(result('r.placeholder GET /me/photo', 'PASS')), baseline, { strict: true }).results, [], { strict: true, partial: false }).exitCode, 1);
  });

  it('reports baseline entries that match no test in a full run', () => {
    const applied = applyExpectations(run(result('r.status PUT', 'PASS')), baseline, { strict: false });
    assert.deepEqual(applied.unmatched.map((d) => d.test), ['r.placeholder GET /me/photo']);
    assert.match(gradeRun(applied.results, applied.unmatched, { strict: false, partial: false }).lines.join('\n'), /match no test/);
    assert.doesNotMatch(gradeRun(applied.results, applied.unmatched, { strict: false, partial: true }).lines.join('\n'), /match no test/);
  });
});

describe('updateExpectations', () => {
  it('records only failures, keeps reasons that persist, drops what now passes, keeps tests not run', () => {
    const previous: ExpectationFile = {
      target: 'mock',
      profile: 'live',
      deviations: [
        { test: 'a still fails', expected: 'FAIL', reason: 'explained by a person' },
        { test: 'b now passes', expected: 'FAIL', reason: 'was broken' },
        { test: 'c not run (grep)', expected: 'FAIL', reason: 'kept as is' },
      ],
    };
    const next = updateExpectations(
      previous,
      run(result('a still fails', 'FAIL'), result('b now passes', 'PASS'), result('d new', 'FAIL', 'MUST', 'Error: expected 200, got 404 ImageNotFound'), result('e skipped', 'SKIP')),
    );
    assert.deepEqual(
      next.deviations.map((d) => [d.test, d.reason]),
      [
        ['a still fails', 'explained by a person'],
        ['c not run (grep)', 'kept as is'],
        ['d new', 'new, not yet explained: Error: expected 200, got 404 ImageNotFound'],
      ],
    );
    // What it writes, it reads back unchanged.
    assert.deepEqual(parseExpectations(serializeExpectations(next), 'x.yaml'), next);
  });

  it('refuses a baseline entry without a reason, naming the file and entry', () => {
    assert.throws(() => parseExpectations('target: mock\ndeviations:\n  - test: t\n    expected: FAIL\n', 'spec/expectations/mock.yaml'), /mock\.yaml: \/deviations\/0\/reason/);
    assert.throws(() => parseExpectations('target: mock\ndeviations:\n  - { test: t, reason: r, expected: PASS }\n', 'f.yaml'), /expected must be FAIL/);
    assert.throws(() => parseExpectations('target: [', 'f.yaml'), /f\.yaml: cannot be parsed/);
  });
});
