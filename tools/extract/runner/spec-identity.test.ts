// The real extractor and merge through the runner: the spec must not depend on the number
// of jobs or on whether results came from the cache.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { CORPUS_DIR as CORPUS, corpusAbsent } from '../../spec/paths.ts';
import { SpecBuilder } from '../merge.ts';
import { extractFiles } from './index.ts';

let cache: string;
before(async () => {
  cache = await mkdtemp(join(tmpdir(), 'extract-spec-identity-'));
});
after(async () => {
  await rm(cache, { recursive: true, force: true });
});

async function specOf(jobs: number, cacheDir: string | false) {
  const builder = new SpecBuilder();
  const summary = await extractFiles(CORPUS, { jobs, cache: cacheDir, onResult: (result) => builder.add(result) });
  return { spec: builder.build().spec, summary };
}

it('builds the same spec from the corpus with jobs=1, jobs=2 and a warm cache', { skip: corpusAbsent() }, async () => {
  const one = await specOf(1, false);
  const two = await specOf(2, cache);
  const warm = await specOf(2, cache);
  assert.equal(one.summary.pages, 5);
  assert.ok(one.spec.operations.length > 0, 'the corpus yields operations');
  assert.equal(two.summary.jobs, 2);
  assert.equal(two.summary.extracted, 5);
  assert.equal(warm.summary.cacheHits, 5);
  assert.equal(warm.summary.extracted, 0);
  assert.deepEqual(two.spec, one.spec);
  assert.deepEqual(warm.spec, one.spec);
});
