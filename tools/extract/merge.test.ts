import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { assertValidSpec } from '../spec/io.ts';
import { corpusAbsent, REPO_ROOT } from '../spec/paths.ts';
import { readManifest } from './cli.ts';
import type { Spec } from '../spec/model.ts';
import { SpecBuilder } from './merge.ts';
import { extractPage } from './page.ts';
import type { PageResult } from './types.ts';

function page(opts: { date: string; locale?: string; version: 'beta' | 'v1.0'; megabytes: number; prose: string; methods: string[] }): string {
  return [
    '---',
    `ms.contentlocale: ${opts.locale ?? 'en-US'}`,
    `ms.lasthandoff: ${opts.date}`,
    '---',
    '# <a name="update-photo"></a>Update the photo',
    '',
    `Each request is limited to ${opts.megabytes} MB in total.`,
    '',
    opts.prose,
    '',
    '## <a name="http-request"></a>HTTP request',
    '<!-- { "blockType": "ignored" } -->',
    '```http',
    ...opts.methods.map((m) => `${m} /me/photo/$value`),
    '```',
    '',
    '## <a name="permissions"></a>Permissions',
    '| Permission type | Permissions |',
    '|:--|:--|',
    '| Delegated (work or school account) | User.ReadWrite |',
    '| Delegated (personal Microsoft account) | Not supported. |',
    '| Application | User.ReadWrite.All |',
    '',
    '## <a name="response"></a>Response',
    'If successful, this method returns a `200 OK` response code.',
    '',
    '```http',
    `PUT https://graph.microsoft.com/${opts.version}/me/photo/$value`,
    '```',
    '',
  ].join('\n');
}

const older = (): PageResult =>
  extractPage({ path: 'older.md', text: page({ date: '01/01/2019', version: 'beta', megabytes: 4, prose: 'Use only PUT for this operation in the beta version.', methods: ['PUT'] }) });
const newer = (): PageResult =>
  extractPage({ path: 'newer.md', text: page({ date: '06/01/2020', version: 'beta', megabytes: 8, prose: 'Use only PUT for this operation in the beta version.', methods: ['PUT'] }) });
const v1 = (): PageResult =>
  extractPage({ path: 'v1.md', text: page({ date: '01/01/2018', version: 'v1.0', megabytes: 4, prose: 'You can use PATCH or PUT for this operation in version 1.0.', methods: ['PATCH', 'PUT'] }) });

function build(...results: PageResult[]): { spec: Spec; messages: ReturnType<SpecBuilder['build']>['messages'] } {
  const builder = new SpecBuilder();
  for (const r of results) builder.add(r);
  return builder.build();
}

test('same api and version: the newest page wins, every value is kept with its sources', () => {
  const { spec } = build(older(), newer());
  assertValidSpec(spec);
  assert.deepEqual(spec.limits.map((l) => [l.api, l.version, l.maxRequestBytes]), [['graph', 'beta', 8 * 1024 * 1024]]);
  const conflict = spec.conflicts.find((c) => c.id === 'graph.beta/limits/request-size');
  assert.ok(conflict);
  assert.equal(conflict.resolution.rule, 'newest-page');
  assert.equal(conflict.resolution.value, 8 * 1024 * 1024);
  assert.deepEqual(
    conflict.values.map((v) => [v.value, v.sources.map((s) => s.source)]),
    [
      [4 * 1024 * 1024, ['older']],
      [8 * 1024 * 1024, ['newer']],
    ],
  );
  const op = spec.operations.find((o) => o.id === 'graph.beta.put.me.value');
  assert.equal(op?.maxRequestBytes, 8 * 1024 * 1024);
  assert.deepEqual([...new Set(op?.sources.map((s) => s.source))], ['newer', 'older']);
});

test('different versions keep their own methods; the conflict is recorded per version', () => {
  const { spec } = build(newer(), v1());
  assert.deepEqual(
    spec.methods.map((m) => [m.version, m.allowed]),
    [
      ['beta', ['PUT']],
      ['v1.0', ['PATCH', 'PUT']],
    ],
  );
  const conflict = spec.conflicts.find((c) => c.id === 'graph/methods/value');
  assert.equal(conflict?.resolution.rule, 'per-version');
  assert.deepEqual(conflict?.resolution.value, { beta: ['PUT'], 'v1.0': ['PATCH', 'PUT'] });
  const requirement = spec.requirements.find((r) => r.id === 'graph.beta/methods/value');
  assert.deepEqual(requirement?.assert, { kind: 'methods', allowed: ['PUT'] });
  assert.equal(requirement?.level, 'MUST');
});

test('prose against endpoint blocks: the block decides and a diagnostic says so', () => {
  const contradicting = extractPage({
    path: 'contradicting.md',
    text: page({ date: '01/01/2021', version: 'v1.0', megabytes: 4, prose: 'Use only PUT for this operation in version 1.0.', methods: ['PATCH', 'PUT'] }),
  });
  const { spec, messages } = build(contradicting);
  assert.deepEqual(spec.methods[0]?.allowed, ['PATCH', 'PUT']);
  assert.deepEqual(spec.methods[0]?.fromProse, ['PUT']);
  assert.equal(spec.conflicts.find((c) => c.id === 'graph.v1.0/methods/value')?.resolution.rule, 'endpoint-block-over-prose');
  assert.ok(messages.some((m) => m.severity === 'warning' && /endpoint blocks decide/.test(m.message)));
});

test('the order pages are added in does not change the spec', () => {
  assert.deepEqual(build(older(), newer(), v1()).spec, build(v1(), newer(), older()).spec);
});

test('requirement ids do not depend on the page language', () => {
  const french = extractPage({
    path: 'french.md',
    text: page({ date: '01/01/2019', version: 'beta', megabytes: 4, locale: 'fr-FR', prose: 'Utilisez uniquement PUT pour cette opération dans la version bêta.', methods: ['PUT'] })
      .replace('Update the photo', 'Mettre à jour la photo')
      .replace('HTTP request', 'Requête HTTP')
      .replace('If successful, this method returns', 'En cas de réussite, cette méthode renvoie'),
  });
  const ids = (r: PageResult) => build(r).spec.requirements.map((q) => q.id);
  assert.deepEqual(ids(french), ids(older()));
  assert.ok(ids(french).includes('graph.beta.put.me.value/permissions/delegated-personal'));
});

test('"not supported" is an explicit permission value', () => {
  const op = build(older()).spec.operations.find((o) => o.id === 'graph.beta.put.me.value');
  assert.deepEqual(
    op?.permissions.map((p) => [p.type, p.supported, p.permissions]),
    [
      ['delegatedWork', true, ['User.ReadWrite']],
      ['delegatedPersonal', false, []],
      ['application', true, ['User.ReadWrite.All']],
    ],
  );
});

test('a page without a photo operation is reported and left out', () => {
  const other = extractPage({ path: 'mail.md', text: '# Send mail\n\n```http\nPOST https://graph.microsoft.com/v1.0/me/sendMail\n```\n' });
  const { spec, messages } = build(other, older());
  assert.deepEqual(spec.sources.map((s) => s.id), ['older']);
  assert.ok(messages.some((m) => m.file === 'mail.md' && /left out of the spec/.test(m.message)));
});

test('the corpus spec: every kind of assertion, schemas that compile and accept their examples', { skip: corpusAbsent() }, async () => {
  const builder = new SpecBuilder();
  // The pages (and pins) spec/sources.yaml names, as `extract` reads them.
  for (const { path, pins } of await readManifest()) {
    builder.add(extractPage({ path, text: readFileSync(resolve(REPO_ROOT, path), 'utf8'), ...(pins ? { pins } : {}) }));
  }
  const { spec } = builder.build();
  assertValidSpec(spec);
  const kinds = new Set(spec.requirements.map((r) => r.assert.kind));
  for (const kind of ['status', 'content-type', 'response-schema', 'request-header', 'methods', 'size-limit', 'size-variants', 'placeholder', 'permission', 'behaviour', 'no-photo', 'response-header', 'media-entity']) {
    assert.ok(kinds.has(kind as never), `no requirement asserts ${kind}`);
  }
  const ajv = new Ajv({ strict: false });
  for (const op of spec.operations) {
    for (const response of op.responses) {
      if (!response.schema) continue;
      const validate = ajv.getSchema(response.schema) ?? ajv.compile({ ...(spec.schemas[response.schema] as object), $id: response.schema });
      assert.ok(validate(response.example), `${op.id}: example does not match ${response.schema}`);
    }
  }
  // The examples' schemas per API, and the resource pages' per API version (what the reads are validated against).
  assert.deepEqual(Object.keys(spec.schemas), ['graph.beta.profilePhoto', 'graph.profilePhoto', 'graph.v1.0.profilePhoto', 'outlook.profilePhoto']);
  assert.deepEqual(spec.entities?.map((e) => [e.name, e.versions, e.schema]), [
    ['microsoft.graph.profilePhoto', ['beta'], 'graph.beta.profilePhoto'],
    ['microsoft.graph.profilePhoto', ['v1.0'], 'graph.v1.0.profilePhoto'],
  ]);
  for (const entity of spec.entities ?? []) {
    const validate = ajv.compile({ ...(spec.schemas[entity.schema as string] as object), $id: `entity:${entity.schema}` });
    for (const op of spec.operations.filter((o) => o.api === entity.api && entity.versions.includes(o.version) && (o.target === 'metadata' || o.target === 'photoSize'))) {
      for (const response of op.responses) if (response.example !== undefined) assert.ok(validate(response.example), `${op.id}: example does not match ${entity.schema}`);
    }
  }
  for (const r of spec.requirements) assert.match(r.id, /^[a-z0-9][a-z0-9./-]*$/);
});

test('a level follows who the sentence binds, and every requirement records why', () => {
  // "You should include a token" tells the caller what to do: the server's 401 is still a MUST.
  const headers = [
    '## <a name="request-headers"></a>Request headers',
    '| Name | Description |',
    '|:--|:--|',
    '| Authorization | Bearer {token}. Required. You should include a valid access token. |',
    '| Content-Type | image/jpeg. Required. |',
    '',
  ].join('\n');
  const text = page({ date: '01/01/2021', version: 'v1.0', megabytes: 4, prose: 'You can use PATCH or PUT for this operation in version 1.0.', methods: ['PUT'] }).replace(
    '## <a name="permissions"></a>',
    `${headers}\n## <a name="permissions"></a>`,
  );
  const { spec } = build(extractPage({ path: 'headers.md', text }));
  const auth = spec.requirements.find((r) => r.id === 'graph.v1.0.put.me.value/request-headers/authorization');
  assert.equal(auth?.level, 'MUST');
  assert.equal(auth?.levelBasis?.rule, 'caller-duty');
  const status = spec.requirements.find((r) => r.id === 'graph.v1.0.put.me.value/response/status');
  assert.deepEqual([status?.level, status?.levelBasis?.rule], ['MUST', 'service-statement']);
  for (const r of spec.requirements) assert.ok(r.levelBasis?.note, `${r.id} says why it is ${r.level}`);
});
