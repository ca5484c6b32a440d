import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRunArgs, playwrightArgs, runEnvironment } from '../run/cli.ts';
import { grepPattern, grepTitle as harnessGrepTitle, selectionFromEnv, selects } from '../../suites/harness/select.ts';
import { controlRunArgs, faultRunArgs, faultStages, firstKillers, killerFileFilter, killerGrep, previousKillers, seedKillers, serializeSeed, sweepOrder, type Killer } from './plan.ts';
import { allKilled } from './fixtures/sample-strength.ts';
import { buildStrength, type FaultVerdict } from './strength.ts';

/** What the harness matches a check's --grep against (select.ts, as Playwright matches a test). */
function grepTitle(file: string, [describe, check]: [{ title: string }, { title: string; tags?: string[] }]): string {
  return harnessGrepTitle({ project: 'mock', file, describe: describe.title, title: check.title, tags: check.tags ?? [] });
}
/** How the harness reads a --grep (Playwright's reading). */
const playwrightRegExp = grepPattern;

const TITLE = 'graph v1.0 › graph.v1.0.get.me.value/status GET /me/photo/$value: answers 200 (image/jpeg) [size 48x48]?';

describe('the previous killer, run alone', () => {
  it('greps exactly one test by its title path, whatever regex characters it holds, tags between and after', () => {
    const re = () => playwrightRegExp(killerGrep(TITLE));
    const [describeTitle, title] = TITLE.split(' › ') as [string, string];
    const file = 'graph-v1.0.spec.ts';
    assert.ok(re().test(grepTitle(file, [{ title: describeTitle }, { title, tags: ['@graph', '@v1.0', '@must'] }])));
    assert.ok(!re().test(grepTitle(file, [{ title: describeTitle }, { title: `${title} again`, tags: ['@must'] }])), 'a longer title is another test');
    assert.ok(!re().test(grepTitle(file, [{ title: `x${describeTitle}` }, { title }])), 'another describe block');
    assert.ok(!re().test(grepTitle(file, [{ title: describeTitle }, { title: title.replace('$value', 'Xvalue') }])), '$ is literal');
    assert.ok(!re().test(grepTitle(file, [{ title: describeTitle }, { title: title.replace('(image/jpeg)', 'image/jpeg') }])), 'parentheses are literal');
  });

  it('filters one test file', () => {
    const re = playwrightRegExp(killerFileFilter('suites/generated/graph-v1.0.spec.ts'));
    assert.ok(re.test('/work/main/suites/generated/graph-v1.0.spec.ts'));
    assert.ok(!playwrightRegExp(killerFileFilter('suites/generated/graph-v1.0.spec.ts')).test('/work/main/suites/generated/graph-v1x0.spec.ts'));
  });

  it('builds run arguments that `run` accepts: one worker, the fault, --fail-on may, stop at the first failure, a reporter and output of its own', () => {
    const killer: Killer = { test: TITLE, file: 'suites/generated/graph-v1.0.spec.ts' };
    const options = parseRunArgs(faultRunArgs({ fault: 'etag-weak', killers: [killer], outputDir: '/tmp/m/output', reporter: '/repo/tools/report/reporter.ts' }));
    assert.deepEqual(options.faults, ['etag-weak']);
    assert.equal(options.workers, '1');
    assert.equal(options.failOn, 'may');
    assert.equal(options.report, false);
    assert.equal(options.grep, killerGrep(TITLE));
    const args = playwrightArgs(options);
    assert.deepEqual(args.slice(-6), ['--max-failures=1', '--reporter', '/repo/tools/report/reporter.ts', '--output', '/tmp/m/output', killerFileFilter(killer.file)]);
    // The killer is a check, a step of a group: the harness selects it (PHOTO_GREP), not Playwright.
    assert.equal(runEnvironment(options, '/tmp/r.json', {}).PHOTO_GREP, killerGrep(TITLE));
    const [describeTitle, title] = TITLE.split(' › ') as [string, string];
    const selection = selectionFromEnv({ PHOTO_GREP: killerGrep(TITLE) });
    assert.ok(selects(selection, { project: 'mock', file: 'graph-v1.0.spec.ts', describe: describeTitle, title, tags: ['@graph', '@must'] }));
    assert.ok(!selects(selection, { project: 'mock', file: 'graph-v1.0.spec.ts', describe: describeTitle, title: `${title} again`, tags: [] }));
    const wholeOptions = parseRunArgs(faultRunArgs({ fault: 'etag-weak', killers: [], outputDir: '/tmp/o', reporter: '/r.ts' }));
    const whole = playwrightArgs(wholeOptions);
    assert.equal(runEnvironment(wholeOptions, '/tmp/r.json', {}).PHOTO_GREP, undefined, 'without a killer, the whole suite');
    assert.equal(whole.at(-1), '/tmp/o');
  });
});

describe('the order of a sweep', () => {
  const verdict = (name: string, outcome: FaultVerdict['outcome'], seconds: number): FaultVerdict => ({
    name,
    outcome,
    level: outcome === 'killed' ? 'MUST' : null,
    requirement: outcome === 'killed' ? `r.${name}` : null,
    test: outcome === 'killed' ? `d › t ${name}` : null,
    file: outcome === 'killed' ? 'suites/generated/x.spec.ts' : null,
    phase: 'full-suite',
    seconds,
    error: null,
  });
  const catalogue = { a: 'A', b: 'B', c: 'C', d: 'D', e: 'E' };
  const previous = buildStrength({
    catalogue,
    verdicts: [verdict('a', 'killed', 2), verdict('b', 'survived', 30), verdict('c', 'killed', 9), verdict('d', 'killed', 2)],
    profile: 'docs',
    workers: 2,
    wallSeconds: 40,
    now: new Date('2026-12-01T00:00:00Z'),
  });

  it('takes the killers of the previous sweep of the same profile only, and only of faults it killed', () => {
    const hints = previousKillers(previous, 'docs');
    assert.deepEqual([...hints.keys()], ['a', 'c', 'd']);
    assert.deepEqual(hints.get('c'), { test: 'd › t c', file: 'suites/generated/x.spec.ts' });
    assert.equal(previousKillers(previous, 'live').size, 0);
    assert.equal(previousKillers(undefined, 'docs').size, 0);
  });

  it('starts the faults without a killer first (each may need the whole suite), then the others, each in catalogue order', () => {
    const hints = previousKillers(previous, 'docs');
    assert.deepEqual(sweepOrder(['a', 'b', 'c', 'd', 'e'], hints), ['b', 'e', 'a', 'c', 'd']);
    assert.deepEqual(sweepOrder(['d', 'a'], hints), ['d', 'a']);
    assert.deepEqual(sweepOrder(['a', 'b'], new Map()), ['a', 'b']);
  });
});

describe('the control run', () => {
  it('greps every killing test once, in their files, with no fault on and no stop at the first failure', () => {
    const killers = [
      { test: TITLE, file: 'suites/generated/graph-v1.0.spec.ts' },
      { test: 'outlook v2.0 › o.x GET /me/photo: 200', file: 'suites/generated/outlook-v2.0.spec.ts' },
      { test: TITLE, file: 'suites/generated/graph-v1.0.spec.ts' },
    ];
    const options = parseRunArgs(controlRunArgs({ killers, outputDir: '/tmp/c', reporter: '/r.ts' }));
    assert.deepEqual(options.faults, []);
    const grep = playwrightRegExp(options.grep!);
    const [describeTitle, title] = TITLE.split(' › ') as [string, string];
    assert.ok(grep.test(grepTitle('graph-v1.0.spec.ts', [{ title: describeTitle }, { title, tags: ['@must'] }])));
    assert.ok(playwrightRegExp(options.grep!).test(grepTitle('outlook-v2.0.spec.ts', [{ title: 'outlook v2.0' }, { title: 'o.x GET /me/photo: 200' }])));
    assert.ok(!playwrightRegExp(options.grep!).test(grepTitle('outlook-v2.0.spec.ts', [{ title: 'outlook v2.0' }, { title: 'o.x GET /me/photo: 201' }])));
    assert.equal(options.grep!.split('|(?:').length, 2, 'each test once');
    const args = playwrightArgs(options);
    assert.ok(!args.includes('--max-failures=1'));
    assert.deepEqual(args.slice(-6), ['--reporter', '/r.ts', '--output', '/tmp/c', killerFileFilter(killers[0]!.file), killerFileFilter(killers[1]!.file)]);
  });
});

describe('the stages of one fault', () => {
  const own: Killer = { test: 'd › own', file: 'suites/generated/a.spec.ts' };
  const other: Killer = { test: 'd › other', file: 'suites/generated/b.spec.ts' };
  const stages = (hint: Killer | undefined, known: Killer[]) => faultStages(hint, () => known).map((next) => next());

  it('runs its previous killer alone, then the other known killers once each, then the whole suite', () => {
    assert.deepEqual(stages(own, [own, other, { ...other }]), [
      { phase: 'previous-killer', killers: [own] },
      { phase: 'known-killers', killers: [other] },
      { phase: 'full-suite', killers: [] },
    ]);
  });

  it('skips a stage with nothing to run: no previous killer, no other killer known', () => {
    assert.deepEqual(stages(undefined, [other]).map((s) => s?.phase), [undefined, 'known-killers', 'full-suite']);
    assert.deepEqual(stages(own, [own]).map((s) => s?.phase), ['previous-killer', undefined, 'full-suite']);
    assert.deepEqual(stages(undefined, []).map((s) => s?.phase), [undefined, undefined, 'full-suite']);
  });

  it('reads the known killers when the stage starts, so kills made meanwhile count', () => {
    const known: Killer[] = [];
    const [, second] = faultStages(undefined, () => known);
    known.push(other);
    assert.deepEqual(second!(), { phase: 'known-killers', killers: [other] });
  });
});

describe('the committed seed of killers', () => {
  it('round-trips the killers of a sweep, and a previous sweep wins over the seed', () => {
    const strength = allKilled();
    const text = serializeSeed(strength);
    assert.match(text, /^# The test that killed each fault/);
    const seed = seedKillers(text);
    const killed = strength.faults.filter((f) => f.killed && f.test && f.file);
    assert.ok(killed.length > 0);
    assert.deepEqual([...seed.keys()], killed.map((f) => f.name));
    assert.deepEqual(seed.get(killed[0]!.name), { file: killed[0]!.file, test: killed[0]!.test });
    const previous = new Map<string, Killer>([[killed[0]!.name, { file: 'other.spec.ts', test: 'newer killer' }]]);
    const first = firstKillers(previous, seed);
    assert.equal(first.get(killed[0]!.name)?.test, 'newer killer');
    assert.equal(first.size, seed.size);
  });

  it('a missing, broken or odd seed gives no killers: only a slower sweep', () => {
    assert.equal(seedKillers(undefined).size, 0);
    assert.equal(seedKillers('killers: [unclosed').size, 0);
    assert.equal(seedKillers('killers:\n  a: { test: 1 }\n  b: null\n').size, 0);
  });
});
