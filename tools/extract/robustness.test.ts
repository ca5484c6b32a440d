// Malformed and oversized input: every case returns diagnostics naming the file, never a
// throw or a hang (a hang fails the run through the per-test timeout; nothing is timed).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_PAGE_CHARS } from './markdown.ts';
import { extractPage } from './page.ts';

const PAGE = [
  '# Update the photo',
  '',
  '```http',
  'PUT /me/photo/$value',
  'PUT /users/{id | userPrincipalName}/photo/$value',
  'PUT /groups/{id}/photo/$value',
  '```',
  '',
].join('\n');

test('a 10 MB page is read up to the cap with a warning', () => {
  const big = PAGE + '\nfiller line with some words in it to make the page large\n'.repeat(Math.ceil((10 * 1024 * 1024) / 58));
  assert.ok(big.length > 10 * 1024 * 1024);
  const result = extractPage({ path: 'big.md', text: big });
  const warning = result.messages.find((m) => m.ruleId === 'input-size');
  assert.ok(warning, 'expected an input-size warning');
  assert.match(warning.message, new RegExp(String(MAX_PAGE_CHARS)));
  assert.equal(result.stats.operations, 3);
});

// Inputs on which micromark's own cost grows quadratically; each must come back quickly
// with a diagnostic (no timing is asserted: a hang would fail the run by its test timeout).
for (const [name, unit] of [
  ['open brackets and emphasis', '[*_'],
  ['nested block quotes', '> '],
  ['autolink literals', 'a@b.co '],
  ['one huge paragraph', 'word\n'],
  ['carriage returns', '\r'],
  ['thousands of short emphasis paragraphs', `${'*a'.repeat(199)}\n\n`],
  ['thousands of short span paragraphs', `${'<span>'.repeat(150)}\n\n`],
] as const) {
  test(`pathological 10 MB page (${name}) gives a diagnostic, not a hang`, { timeout: 60_000 }, () => {
    const text = unit.repeat(Math.ceil((10 * 1024 * 1024) / unit.length));
    const result = extractPage({ path: 'pathological.md', text });
    assert.equal(result.facts.operations.length, 0);
    assert.ok(result.messages.some((m) => m.ruleId === 'input-size' && m.file === 'pathological.md'));
  });
}

