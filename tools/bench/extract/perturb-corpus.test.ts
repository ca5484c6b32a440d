import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { perturbPage } from './perturb-corpus.ts';
import { countHttpRequestBlocks } from './request-blocks.ts';

const source = readFileSync(new URL('./fixtures/sample-page/input.md', import.meta.url), 'utf8');

it('gives every variant new bytes but keeps its request blocks and sections', () => {
  const variants = [1, 2, 3, 4].map((variant) => perturbPage(source, variant, variant * 7));
  assert.equal(new Set([source, ...variants]).size, 5);
  const headings = (text: string) => text.split(/\r?\n/).filter((line) => line.startsWith('## ')).map((l) => l.trim()).sort();
  for (const variant of variants) {
    assert.equal(countHttpRequestBlocks(variant), countHttpRequestBlocks(source));
    assert.deepEqual(headings(variant), headings(source));
    assert.match(variant, /^\uFEFF?---\r?\ntitle:/, 'front matter stays first');
  }
  assert.ok(variants[0]!.includes('\r\n') && !variants[1]!.includes('\r\n'));
  assert.ok(variants[0]!.startsWith('\uFEFF'));
  assert.match(variants[1]!, /\{accessPackage2Id\}/);
  assert.equal(perturbPage(source, 3, 21), variants[2], 'the same seed builds the same page');
});
