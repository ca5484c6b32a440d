import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Operation, Spec } from '../spec/model.ts';
import { factRequirements, protocolFacts, readFactRows, withFacts } from './facts.ts';

// A facts document of our own, laid out as the shared one is (and with a row nothing knows).
const FACTS = `# Observed

Some prose that is not a table.

## Auth
| case | what the service returns | source |
|---|---|---|
| missing, malformed or expired token | 401 \`InvalidAuthenticationToken\` ("Access token has expired.") | issue#1 |
| token without the needed permission | 403 \`ErrorAccessDenied\` "Access is denied." | issue#2 |
| the photo is missing | 404, body \`{"error":{"code":"ImageNotFound","message":"x","innerError":{"date":..,"request-id":..}}}\` | issue#3 |
| successful \`$value\` headers | \`200\`, \`ETag: "89C63EA8"\` (8 hex digits in quotes, no \`W/\`), \`request-id\`, \`client-request-id\` | issue#4 |
| bytes that are not an image | error "The file you chose isn't an image." | issue#5 |
| throttling | 429 with \`Retry-After\` | issue#6 |
| size variants | a non-square upload is padded, not cropped | issue#7 |
| something else entirely | 418 \`Teapot\` | issue#8 |
`;

function op(partial: Partial<Operation> & Pick<Operation, 'id' | 'api' | 'version' | 'method' | 'target'>): Operation {
  return { path: '/me/photo', resource: 'me', originalPaths: [], parameters: [], headers: [], responses: [], permissions: [], sources: [], ...partial } as unknown as Operation;
}

const spec = {
  operations: [
    op({ id: 'graph.v1.0.get.me.metadata', api: 'graph', version: 'v1.0', method: 'GET', target: 'metadata' }),
    op({ id: 'graph.v1.0.get.me.value', api: 'graph', version: 'v1.0', method: 'GET', target: 'value' }),
    op({ id: 'graph.v1.0.put.me.value', api: 'graph', version: 'v1.0', method: 'PUT', target: 'value' }),
    op({ id: 'outlook.v2.0.get.me.metadata', api: 'outlook', version: 'v2.0', method: 'GET', target: 'metadata' }),
  ],
  requirements: [],
} as unknown as Spec;

test('every body row of a three-column table is read, with its line', () => {
  const rows = readFactRows(FACTS);
  assert.equal(rows.length, 8);
  assert.equal(rows[0]!.case, 'missing, malformed or expired token');
  assert.equal(rows[0]!.line, 8);
  // inline code loses its backticks: the text is what a reader sees
  assert.match(rows[5]!.returns, /^429 with Retry-After$/);
});

test('rows are recognised by what their case says; an unknown row gives nothing', () => {
  const facts = protocolFacts(readFactRows(FACTS));
  const kinds = facts.map((f) => f.kind);
  assert.deepEqual(kinds, ['error-code', 'error-code', 'inner-error', 'headers', 'not-an-image', 'throttling', 'padded']);
  assert.deepEqual(facts[0], { ...facts[0], situation: 'unauthenticated', status: 401, code: 'InvalidAuthenticationToken' });
  assert.deepEqual(facts[1], { ...facts[1], situation: 'forbidden', status: 403, code: 'ErrorAccessDenied' });
  assert.deepEqual((facts[2] as { members: string[] }).members, ['date', 'request-id']);
  assert.deepEqual((facts[3] as { headers: unknown[] }).headers, [
    { name: 'ETag', pattern: '^"[0-9A-Fa-f]{8}"$' },
    { name: 'request-id' },
    { name: 'client-request-id', echo: true },
  ]);
});

test('a weak tag allowed by the row makes W/ optional in the pattern', () => {
  const rows = readFactRows('| case | returns | source |\n|---|---|---|\n| successful reads headers | `ETag: "AB12"` | x |\n');
  const [fact] = protocolFacts(rows);
  assert.deepEqual(fact && fact.kind === 'headers' ? fact.headers : [], [{ name: 'ETag', pattern: '^(W/)?"[0-9A-Fa-f]{4}"$' }]);
});

test('requirements per API version, SHOULD by the observed rule, citing the row', () => {
  const source = { id: 'facts.observed', path: 'facts/observed.md', sha256: '0'.repeat(64) };
  const reqs = factRequirements(spec, source, protocolFacts(readFactRows(FACTS)));
  const ids = reqs.map((r) => r.id).sort();
  assert.deepEqual(ids, [
    'graph.v1.0/protocol/client-request-id',
    'graph.v1.0/protocol/error-forbidden',
    'graph.v1.0/protocol/error-unauthenticated',
    'graph.v1.0/protocol/etag',
    'graph.v1.0/protocol/etag-names-one-photo',
    'graph.v1.0/protocol/not-an-image',
    'graph.v1.0/protocol/request-id',
    'graph.v1.0/protocol/throttling',
    'outlook.v2.0/protocol/error-forbidden',
    'outlook.v2.0/protocol/error-unauthenticated',
    'outlook.v2.0/protocol/throttling',
  ]);
  for (const r of reqs) {
    assert.equal(r.level, 'SHOULD');
    assert.equal(r.levelBasis?.rule, 'observed');
    assert.equal(r.area, 'protocol');
    assert.match(r.sources[0]!.ref, /^facts\/observed\.md:\d+:1$/);
  }
  const graph401 = reqs.find((r) => r.id === 'graph.v1.0/protocol/error-unauthenticated')!;
  assert.deepEqual(graph401.assert, { kind: 'error-body', situation: 'unauthenticated', status: 401, code: 'InvalidAuthenticationToken', innerError: ['date', 'request-id'] });
  // Graph's innerError row is cited beside the code's row
  assert.deepEqual(graph401.sources.map((s) => s.line), [8, 10]);
  const outlook401 = reqs.find((r) => r.id === 'outlook.v2.0/protocol/error-unauthenticated')!;
  assert.equal('innerError' in outlook401.assert, false);
  // no $value read or write in outlook: nothing to hang a header or padding requirement on
  assert.ok(!ids.some((id) => id.startsWith('outlook') && /etag|padded|not-an-image/.test(id)));
});

test('withFacts adds the source and keeps requirements sorted; no facts, no change', () => {
  assert.equal(withFacts(spec, []), spec);
  const out = withFacts(spec, [{ path: '../shared/facts/live-behaviour.md', text: FACTS }]);
  assert.deepEqual(out.facts?.map((f) => [f.id, f.title]), [['facts.live-behaviour', 'Observed']]);
  const ids = out.requirements.map((r) => r.id);
  assert.deepEqual(ids, [...ids].sort());
  assert.equal(spec.requirements.length, 0, 'the input spec is untouched');
});

test('a facts document that cannot be read is an error naming it, never a silent loss', async () => {
  const { runExtraction } = await import('./cli.ts');
  const run = await runExtraction([], { facts: ['/nonexistent/facts.md'], cache: false });
  const error = run.diagnostics.find((d) => d.ruleId === 'facts');
  assert.equal(error?.severity, 'error');
  assert.match(`${error?.file} ${error?.message}`, /nonexistent\/facts\.md facts document cannot be read \(ENOENT\)/);
});
