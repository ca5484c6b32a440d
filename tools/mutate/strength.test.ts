import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { areaCoverage, buildStrength, parseStrengthText, serializeStrength, shortTestTitle, type FaultVerdict } from './strength.ts';

const CATALOGUE = { 'upload-status-204': 'answers 204', 'etag-weak': 'a weak ETag', 'stale-etag': 'the ETag stays' };

const killedBy = (name: string, requirement: string, seconds: number, phase: FaultVerdict['phase'] = 'full-suite'): FaultVerdict => ({
  name,
  outcome: 'killed',
  level: 'MUST',
  requirement,
  test: `graph v1.0 › ${requirement} PUT /me/photo/$value: answers 200`,
  file: 'suites/generated/graph-v1.0.spec.ts',
  phase,
  seconds,
  error: null,
});

describe('strength.json', () => {
  const strength = buildStrength({
    catalogue: CATALOGUE,
    // in the order the runs ended, not the catalogue's
    verdicts: [
      { name: 'stale-etag', outcome: 'survived', level: null, requirement: null, test: null, file: null, phase: 'full-suite', seconds: 31.04, error: null },
      killedBy('upload-status-204', 'graph.v1.0.update-photo/status', 3.26, 'previous-killer'),
    ],
    profile: 'docs',
    workers: 2,
    wallSeconds: 34.449,
    now: new Date('2026-12-05T10:00:00Z'),
  });

  it('has one versioned, deterministic shape: totals first, faults in catalogue order, times in tenths', () => {
    assert.deepEqual(Object.keys(strength), ['schemaVersion', 'generatedAt', 'profile', 'catalogue', 'swept', 'killed', 'survived', 'errors', 'workers', 'wallSeconds', 'faults']);
    assert.equal(strength.schemaVersion, 1);
    assert.equal(strength.catalogue, 3);
    assert.equal(strength.swept, 2);
    assert.equal(strength.killed, 1);
    assert.deepEqual(strength.survived, ['stale-etag']);
    assert.deepEqual(strength.errors, []);
    assert.equal(strength.wallSeconds, 34.4);
    assert.deepEqual(strength.faults.map((f) => f.name), ['upload-status-204', 'stale-etag']);
    assert.deepEqual(strength.faults[0], {
      name: 'upload-status-204',
      description: 'answers 204',
      outcome: 'killed',
      killed: true,
      level: 'MUST',
      requirement: 'graph.v1.0.update-photo/status',
      test: 'graph v1.0 › graph.v1.0.update-photo/status PUT /me/photo/$value: answers 200',
      file: 'suites/generated/graph-v1.0.spec.ts',
      phase: 'previous-killer',
      seconds: 3.3,
      error: null,
    });
    assert.equal(strength.faults[1]!.killed, false);
  });

  it('reads back what it writes, and refuses another version or a broken file', () => {
    const text = serializeStrength(strength);
    assert.deepEqual(parseStrengthText(text, 'strength.json'), strength);
    assert.throws(() => parseStrengthText(JSON.stringify({ ...strength, schemaVersion: 2 }), 'strength.json'), /strength\.json: does not match the strength schema \(version 1\)[\s\S]*schemaVersion/);
    assert.throws(() => parseStrengthText('{', 'strength.json'), /strength\.json: is not JSON/);
    const broken = { ...strength, faults: [{ ...strength.faults[0], outcome: 'maybe' }] };
    assert.throws(() => serializeStrength(broken as never), /faults\/0\/outcome/);
  });

  it('shortens a killing test to what follows its requirement, without tags', () => {
    assert.equal(shortTestTitle('graph v1.0 › graph.v1.0.x/status PUT /me/photo/$value: answers 200 @must @graph', 'graph.v1.0.x/status'), 'PUT /me/photo/$value: answers 200');
    assert.equal(shortTestTitle('harness › the target answers at all', null), 'the target answers at all');
    assert.equal(shortTestTitle('graph v1.0 › another title', 'graph.v1.0.x/status'), 'another title');
  });
});

describe('area coverage (mutate --areas)', () => {
  it('names, for each area, the faults its checks catch and those no other area catches', () => {
    const coverage = areaCoverage(['status', 'headers', 'sizes'], [
      { name: 'etag-weak', areas: ['headers'] },
      { name: 'size-wrong', areas: ['sizes', 'status'] },
      { name: 'status-500', areas: ['status'] },
      { name: 'survivor', areas: [] },
    ]);
    assert.deepEqual(coverage, [
      { area: 'headers', caughtBy: ['etag-weak'], onlyBy: ['etag-weak'] },
      { area: 'sizes', caughtBy: ['size-wrong'], onlyBy: [] },
      { area: 'status', caughtBy: ['size-wrong', 'status-500'], onlyBy: ['status-500'] },
    ]);
  });
});
