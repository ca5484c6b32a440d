import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sampleRuns } from './fixtures/sample-results.ts';
import {
  ResultsError,
  applyVerdicts,
  countVerdicts,
  gradeVerdict,
  parseResultsText,
  serializeResults,
  worstVerdict,
  type Verdict,
} from './results-model.ts';

describe('gradeVerdict (Autobahn grading by level)', () => {
  const cases: [string, Parameters<typeof gradeVerdict>[0], boolean, Verdict][] = [
    ['a broken MUST fails', { status: 'FAIL', expected: 'PASS', level: 'MUST' }, false, 'fail'],
    ['a broken SHOULD is non-strict', { status: 'FAIL', expected: 'PASS', level: 'SHOULD' }, false, 'non-strict'],
    ['a broken MAY is informational', { status: 'FAIL', expected: 'PASS', level: 'MAY' }, false, 'informational'],
    ['a timed-out SHOULD is non-strict', { status: 'TIMEOUT', expected: 'PASS', level: 'SHOULD' }, false, 'non-strict'],
    ['a timed-out MUST fails', { status: 'TIMEOUT', expected: 'PASS', level: 'MUST' }, false, 'fail'],
    ['a failing test without a level fails', { status: 'FAIL', expected: 'PASS', level: null }, false, 'fail'],
    ['a known deviation is an expected fail', { status: 'FAIL', expected: 'FAIL', level: 'MUST' }, false, 'expected-fail'],
    ['a pass against a recorded failure is unexpected', { status: 'PASS', expected: 'FAIL', level: 'MAY' }, false, 'unexpected-pass'],
    ['a pass passes', { status: 'PASS', expected: 'PASS', level: 'MUST' }, false, 'pass'],
    ['a skip is a skip', { status: 'SKIP', expected: 'PASS', level: 'MUST' }, false, 'skip'],
    ['strict: a broken SHOULD fails', { status: 'FAIL', expected: 'PASS', level: 'SHOULD' }, true, 'fail'],
    ['strict: a broken MAY fails', { status: 'FAIL', expected: 'PASS', level: 'MAY' }, true, 'fail'],
    ['strict: a known deviation stays expected', { status: 'FAIL', expected: 'FAIL', level: 'SHOULD' }, true, 'expected-fail'],
  ];
  for (const [name, input, strict, verdict] of cases) {
    it(name, () => assert.equal(gradeVerdict(input, { strict }), verdict));
  }
});

describe('applyVerdicts', () => {
  it('recomputes verdicts after expectations change, without mutating its input', () => {
    const { docs } = sampleRuns();
    const before = JSON.stringify(docs);
    const changed = { ...docs, results: docs.results.map((r) => (r.requirement?.endsWith('/content-type') ? { ...r, expected: 'FAIL' as const } : r)) };
    const graded = applyVerdicts(changed, { strict: false });
    assert.equal(JSON.stringify(docs), before);
    assert.equal(graded.results.find((r) => r.requirement?.endsWith('/content-type'))?.verdict, 'expected-fail');
    assert.equal(graded.run_info.strict, false);
  });

  it('strict mode turns every unexpected failure into a fail and records itself in run_info', () => {
    const graded = applyVerdicts(sampleRuns().docs, { strict: true });
    assert.equal(graded.run_info.strict, true);
    const counts = countVerdicts(graded.results);
    assert.equal(counts['non-strict'], 0);
    assert.equal(counts.informational, 0);
    assert.equal(counts.fail, 3);
    assert.equal(counts['expected-fail'], 1);
  });
});

describe('countVerdicts and worstVerdict', () => {
  it('counts each verdict of the sample docs run', () => {
    const counts = countVerdicts(sampleRuns().docs.results);
    assert.deepEqual(
      { total: counts.total, pass: counts.pass, fail: counts.fail, ns: counts['non-strict'], info: counts.informational, xf: counts['expected-fail'], up: counts['unexpected-pass'], skip: counts.skip },
      { total: 7, pass: 2, fail: 1, ns: 1, info: 1, xf: 1, up: 0, skip: 1 },
    );
  });
  it('ranks fail above everything and a skip below a pass', () => {
    assert.equal(worstVerdict(['pass', 'skip', 'non-strict', 'fail']), 'fail');
    assert.equal(worstVerdict(['pass', 'unexpected-pass']), 'unexpected-pass');
    assert.equal(worstVerdict(['pass', 'skip']), 'pass');
    assert.equal(worstVerdict(['skip', 'skip']), 'skip');
    assert.equal(worstVerdict([]), null);
  });
});

describe('parsing results.json', () => {
  it('round-trips a valid document', () => {
    const { live } = sampleRuns();
    assert.deepEqual(parseResultsText(serializeResults(live), 'live.json'), live);
  });
  it('names the file and the failing path of an invalid document', () => {
    const { docs } = sampleRuns();
    const broken = JSON.parse(JSON.stringify(docs)) as { results: { status: string }[] };
    broken.results[1]!.status = 'BROKEN';
    assert.throws(() => parseResultsText(JSON.stringify(broken), 'runs/docs.json'), (error: unknown) => {
      assert.ok(error instanceof ResultsError);
      assert.match(error.message, /^runs\/docs\.json: /);
      assert.match(error.message, /\/results\/1\/status/);
      return true;
    });
  });
  it('refuses text that is not JSON, naming the file', () => {
    assert.throws(() => parseResultsText('{"run_info": ', 'cut.json'), /cut\.json: is not JSON/);
  });
  it('refuses a date that does not parse', () => {
    const { docs } = sampleRuns();
    assert.throws(() => parseResultsText(JSON.stringify({ ...docs, run_info: { ...docs.run_info, date: 'yesterday' } }), 'd.json'), /date 'yesterday'/);
  });
});
