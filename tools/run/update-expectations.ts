/**
 * `photo-conformance update-expectations [--results FILE] [--out FILE]`: rewrites the
 * target's baseline from the last results.json. Failing tests become deviations; a reason
 * already written for a test that still fails is kept; tests that now pass drop out.
 */
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, writeFileAtomic } from '../spec/io.ts';
import { readResults } from '../report/results-model.ts';
import { expectationName, expectationPath, loadExpectations, serializeExpectations, updateExpectations } from './expectations.ts';

const USAGE = `usage: photo-conformance update-expectations [--results FILE] [--out FILE]
  --results FILE  the results to learn from (default reports/results.json)
  --out FILE      the baseline to rewrite (default spec/expectations/<target>.yaml, from the results' run info)`;

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, options: { results: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (error) {
    console.error(`update-expectations: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const resultsFile = resolve(values.results ?? resolve(REPO_ROOT, 'reports/results.json'));
  let results;
  try {
    results = await readResults(resultsFile);
  } catch (error) {
    console.error(`update-expectations: ${(error as Error).message}`);
    return 1;
  }
  const name = expectationName(results.run_info.target, results.run_info.profile);
  const out = resolve(values.out ?? expectationPath(name));
  const previous = await loadExpectations(out, name);
  const base = { ...previous, target: results.run_info.target, ...(results.run_info.profile ? { profile: results.run_info.profile } : {}) };
  const next = updateExpectations(base, results);
  await writeFileAtomic(out, serializeExpectations(next));
  const before = new Set(previous.deviations.map((d) => d.test));
  const after = new Set(next.deviations.map((d) => d.test));
  const added = [...after].filter((t) => !before.has(t)).length;
  const removed = [...before].filter((t) => !after.has(t)).length;
  console.log(`update-expectations: ${relative(REPO_ROOT, out)}: ${next.deviations.length} deviation(s), ${added} added, ${removed} removed`);
  if (added) console.log('  new entries carry the failure message as their reason: replace it with why the deviation is expected');
  return 0;
}
