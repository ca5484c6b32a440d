// The entity and statement merges (merge-entities.ts, merge-statements.ts), on small pages
// written for the case: a resource page, the get and update pages it links, and pages it does not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ajv } from 'ajv';
import { assertValidSpec } from '../spec/io.ts';
import type { Spec } from '../spec/model.ts';
import { SpecBuilder } from './merge.ts';
import { extractPage } from './page.ts';
import type { Diagnostic, PageResult } from './types.ts';

const resourcePage = (opts: { height?: string; methods?: string[] } = {}) =>
  [
    '---',
    'title: profilePhoto resource type',
    'ms.date: 04/01/2024',
    '---',
    '# profilePhoto resource type',
    '',
    'Namespace: microsoft.graph',
    '',
    '## Methods',
    '',
    '| Method | Return type | Description |',
    '|:--|:--|:--|',
    ...(opts.methods ?? ['profilephoto-get', 'profilephoto-update', 'profilephoto-delete']).map((m) => `| [${m}](../api/${m}.md) | [profilePhoto](profilephoto.md) | ${m}. |`),
    '',
    '> [!NOTE]',
    '> Managing photos through Microsoft Graph is not supported in Azure AD B2C tenants.',
    '',
    '## Properties',
    '',
    '| Property | Type | Description |',
    '|:--|:--|:--|',
    '| id | String | Read-only. |',
    `| height | ${opts.height ?? 'Int32'} | The height. Read-only. |`,
    '| width | Int32 | The width. Read-only. |',
    '',
    '## JSON representation',
    '',
    '<!-- { "blockType": "resource", "optionalProperties": [], "isMediaEntity": true, "keyProperty": "id", "@odata.type": "microsoft.graph.profilePhoto" } -->',
    '```json',
    '{ "id": "String", "height": 240, "width": 240 }',
    '```',
    '',
  ].join('\n');

const getPage = (opts: { height?: unknown; withId?: boolean; placeholderSentence?: boolean } = {}) =>
  [
    '---',
    'title: Get profilePhoto',
    'ms.date: 04/01/2024',
    '---',
    '# Get profilePhoto',
    '',
    ...(opts.placeholderSentence ? ['If the requested size is not available in the mailbox or in Azure AD, the size 1x1 is returned with the rest of the metadata.', ''] : []),
    '## Permissions',
    '',
    '| Permission type | Permissions |',
    '|:--|:--|',
    '| Delegated (work or school account) | User.Read |',
    '| Delegated (personal Microsoft account) | User.Read |',
    '| Application | User.Read.All |',
    '',
    '## HTTP request',
    '',
    '<!-- { "blockType": "ignored" } -->',
    '```http',
    'GET /me/photo/$value',
    'GET /me/photo',
    '```',
    '',
    '## Request headers',
    '',
    '| Name | Description |',
    '|:--|:--|',
    '| Authorization | Bearer {token}. Required. |',
    '',
    '## Response',
    '',
    '### Response for getting the photo',
    '',
    "If successful, this method returns a `200 OK` response code and the binary data of the requested photo. If the photo doesn't exist, the operation returns `404 Not Found`.",
    '',
    '### Response for getting the metadata of the photo',
    '',
    'If successful, this method returns a `200 OK` response code and a [profilePhoto](../resources/profilephoto.md) object in the response body.',
    '',
    '## Examples',
    '',
    '<!-- { "blockType": "request" } -->',
    '```http',
    'GET https://graph.microsoft.com/v1.0/me/photo',
    '```',
    '',
    'The following response shows the metadata of a photo.',
    '',
    '<!-- { "blockType": "response" } -->',
    '```http',
    'HTTP/1.1 200 OK',
    'Content-type: application/json',
    '',
    JSON.stringify({
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#me/photo/$entity',
      '@odata.mediaContentType': 'image/jpeg',
      '@odata.mediaEtag': '"BA09D118"',
      ...(opts.withId === false ? {} : { id: '240X240' }),
      width: 240,
      height: opts.height ?? 240,
    }),
    '```',
    '',
    ...(opts.placeholderSentence
      ? [
          'The following response shows the metadata when no photo was uploaded.',
          '',
          '<!-- { "blockType": "response" } -->',
          '```http',
          'HTTP/1.1 200 OK',
          'Content-type: application/json',
          '',
          JSON.stringify({ '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#me/photo/$entity', '@odata.mediaContentType': 'image/gif', '@odata.mediaEtag': '', id: '1X1', width: 1, height: 1 }),
          '```',
          '',
        ]
      : []),
  ].join('\n');

const updatePage = (path: string) =>
  [
    '---',
    'ms.date: 04/01/2024',
    '---',
    '# Update profilePhoto',
    '',
    '<!-- { "blockType": "ignored" } -->',
    '```http',
    path,
    '```',
    '',
    '## Response',
    '',
    'If successful, this method returns a `200 OK` response code.',
    '',
  ].join('\n');

const page = (path: string, text: string): PageResult => extractPage({ path, text });

function build(...results: PageResult[]): { spec: Spec; messages: Diagnostic[] } {
  const builder = new SpecBuilder();
  for (const r of results) builder.add(r);
  const built = builder.build();
  assertValidSpec(built.spec);
  return built;
}

const run = () => [
  page('docs/v1.0/resources/profilephoto.md', resourcePage()),
  page('docs/v1.0/api/profilephoto-get.md', getPage()),
  page('docs/v1.0/api/profilephoto-update.md', updatePage('PUT /me/photo/$value')),
  page('docs/v1.0/api/group-photo.md', updatePage('PUT /groups/{id}/photo/$value')),
];

test('a resource page joins the spec: entity, schema, methods matched to the pages of the run', () => {
  const { spec, messages } = build(...run());
  assert.ok(spec.sources.some((s) => s.path === 'docs/v1.0/resources/profilephoto.md' && s.versions.join() === 'v1.0'));
  assert.ok(!messages.some((m) => m.file.endsWith('resources/profilephoto.md') && /left out/.test(m.message)));
  const entity = spec.entities?.[0];
  assert.ok(entity);
  assert.equal(entity.name, 'microsoft.graph.profilePhoto');
  assert.deepEqual([entity.api, entity.versions, entity.keyProperty, entity.mediaEntity, entity.schema], ['graph', ['v1.0'], 'id', true, 'graph.v1.0.profilePhoto']);
  assert.deepEqual(entity.properties.map((p) => [p.name, p.type, p.readOnly]), [['height', 'Int32', true], ['id', 'String', true], ['width', 'Int32', true]]);
  assert.deepEqual(
    entity.methods.map((m) => [m.page, m.operations]),
    [
      ['../api/profilephoto-delete.md', []],
      ['../api/profilephoto-get.md', ['graph.v1.0.get.me.metadata', 'graph.v1.0.get.me.value']],
      ['../api/profilephoto-update.md', ['graph.v1.0.put.me.value']],
    ],
  );
  // The delete page is not in the run; the group page is, with an operation no method page yields.
  assert.ok(messages.some((m) => m.severity === 'warning' && m.file === 'docs/v1.0/resources/profilephoto.md' && /profilephoto-delete\.md .*not among the pages of this run/.test(m.message)));
  assert.ok(messages.some((m) => m.severity === 'warning' && m.file === 'docs/v1.0/api/group-photo.md' && /graph\.v1\.0\.put\.group\.value.*does not list/.test(m.message)));

  const schema = spec.schemas['graph.v1.0.profilePhoto'] as Record<string, unknown>;
  assert.deepEqual(schema.required, ['height', 'id', 'width']);
  assert.equal(schema.additionalProperties, true);
  assert.deepEqual((schema.properties as Record<string, unknown>).height, { type: 'integer', minimum: -2147483648, maximum: 2147483647, readOnly: true });
  const validate = new Ajv({ strict: false }).compile(schema);
  assert.ok(validate({ '@odata.context': 'x', '@odata.mediaEtag': '"1"', id: '240X240', height: 240, width: 240 }), 'OData annotations are allowed');
  assert.ok(!validate({ id: '240X240', height: 2 ** 31, width: 240 }), 'beyond int32');
  assert.ok(!validate({ id: '240X240', width: 240 }), 'height is required');
});

test('the entity requirements: the reads answer with the resource page schema (MUST), the metadata names its media', () => {
  const { spec } = build(...run());
  const schema = spec.requirements.find((r) => r.id === 'graph.v1.0/entities/profile-photo/response-schema');
  assert.ok(schema);
  assert.equal(schema.level, 'MUST');
  assert.deepEqual(schema.assert, { kind: 'response-schema', schema: 'graph.v1.0.profilePhoto' });
  assert.deepEqual(schema.operations, ['graph.v1.0.get.me.metadata']);
  assert.match(schema.quote.text, /returns a `200 OK` response code and a profilePhoto object/);
  assert.ok(schema.sources.some((s) => s.ref.startsWith('docs/v1.0/resources/profilephoto.md:')));
  const media = spec.requirements.find((r) => r.id === 'graph.v1.0/entities/profile-photo/media-entity');
  assert.deepEqual([media?.level, media?.assert, media?.operations, media?.quote.text], ['MUST', { kind: 'media-entity' }, ['graph.v1.0.get.me.metadata'], '"isMediaEntity": true']);
  // The examples agree with the resource page: no conflict, and their own schema requirement stays.
  assert.ok(!spec.conflicts.some((c) => c.resolution.rule === 'resource-page-over-examples'));
  assert.ok(spec.requirements.some((r) => r.id === 'graph.v1.0.get.me.metadata/response/schema' && r.assert.kind === 'response-schema' && r.assert.schema === 'graph.profilePhoto'));
});

test('the statements of the get page: no photo, ETag, media type, B2C', () => {
  const { spec } = build(...run());
  const noPhoto = spec.requirements.find((r) => r.id === 'graph.v1.0/reads/value/no-photo');
  assert.deepEqual([noPhoto?.level, noPhoto?.assert, noPhoto?.operations], ['MUST', { kind: 'no-photo', status: 404 }, ['graph.v1.0.get.me.value']]);
  assert.match(noPhoto?.quote.text ?? '', /If the photo doesn't exist, the operation returns `404 Not Found`/);
  assert.equal(noPhoto?.quote.en, noPhoto?.quote.text);
  assert.match(noPhoto?.sources[0]?.ref ?? '', /^docs\/v1\.0\/api\/profilephoto-get\.md:\d+:\d+$/);
  const etag = spec.requirements.find((r) => r.id === 'graph.v1.0/reads/value/etag');
  // An example shows what the service returns: a MUST for a conforming server (service-statement).
  assert.deepEqual([etag?.level, etag?.assert, etag?.operations], ['MUST', { kind: 'response-header', header: 'ETag' }, ['graph.v1.0.get.me.value']]);
  assert.equal(etag?.levelBasis?.rule, 'service-statement');
  // The media type line supports the $value read's content-type requirement made from the "binary data" sentence.
  const contentType = spec.requirements.find((r) => r.id === 'graph.v1.0.get.me.value/response/content-type');
  assert.equal(contentType?.level, 'MUST');
  assert.ok(contentType?.sources.some((s) => /^"@odata\.mediaContentType":\s*"image\/jpeg"$/.test(s.quote?.text ?? '')));
  assert.match(contentType?.quote.text ?? '', /binary data/);
  const b2c = spec.requirements.find((r) => r.id === 'graph/behaviours/b2c-unsupported');
  // "not supported" states what the service does: the refusal is a MUST.
  assert.equal(b2c?.level, 'MUST');
  assert.equal(b2c?.quote.text, 'Managing photos through Microsoft Graph is not supported in Azure AD B2C tenants.');
});

test('a "1x1 is returned" sentence makes the placeholder example a MUST, with the sentence as its quote', () => {
  const { spec } = build(page('docs/v1.0/api/profilephoto-get.md', getPage({ placeholderSentence: true })));
  const placeholder = spec.requirements.find((r) => r.id === 'graph.v1.0/sizes/placeholder');
  assert.equal(placeholder?.level, 'MUST');
  assert.match(placeholder?.quote.text ?? '', /size 1x1 is returned/);
  assert.ok(placeholder?.sources.some((s) => /no photo was uploaded/.test(s.quote?.text ?? '')));
});

test('a statement that only supports a requirement nothing else makes is reported', () => {
  const text = getPage().replace('## Permissions', 'If the requested size is not available, the size 1x1 is returned.\n\n## Permissions');
  const { spec, messages } = build(page('docs/v1.0/api/profilephoto-get.md', text));
  assert.equal(spec.requirements.find((r) => r.id === 'graph.v1.0/sizes/placeholder'), undefined);
  assert.ok(messages.some((m) => m.severity === 'info' && /supports graph\.v1\.0\/sizes\/placeholder, which no other fact/.test(m.message)));
});

test('examples that disagree with the resource page: a conflict, and the reads are validated against the resource page', () => {
  const { spec, messages } = build(
    page('docs/v1.0/resources/profilephoto.md', resourcePage()),
    page('docs/v1.0/api/profilephoto-get.md', getPage({ height: '240', withId: false })),
  );
  const conflict = spec.conflicts.find((c) => c.resolution.rule === 'resource-page-over-examples');
  assert.ok(conflict);
  assert.equal(conflict.id, 'graph.v1.0/entities/profile-photo/schema/graph.profilephoto');
  assert.equal(conflict.resolution.value, 'graph.v1.0.profilePhoto');
  assert.deepEqual(
    conflict.values.map((v) => v.value),
    [
      { schema: 'graph.v1.0.profilePhoto', properties: { height: 'Int32', id: 'String' } },
      { schema: 'graph.profilePhoto', properties: { height: 'string', id: 'missing' } },
    ],
  );
  assert.ok(conflict.values[0]?.sources.every((s) => s.ref.startsWith('docs/v1.0/resources/')));
  assert.ok(conflict.values[1]?.sources.every((s) => s.ref.startsWith('docs/v1.0/api/')));
  assert.equal(spec.requirements.find((r) => r.id === 'graph.v1.0.get.me.metadata/response/schema'), undefined);
  assert.ok(spec.requirements.some((r) => r.id === 'graph.v1.0/entities/profile-photo/response-schema'));
  assert.ok(messages.some((m) => m.severity === 'warning' && /disagree with the resource page on height \(Int32 against string\), id \(String against missing\)/.test(m.message)));
});

test('two resource pages that type a property differently: the newest wins, both kept', () => {
  const older = page('ru/v1.0/resources/profilephoto.md', resourcePage({ height: 'Int64' }).replace('04/01/2024', '01/01/2020'));
  const { spec } = build(older, page('docs/v1.0/resources/profilephoto.md', resourcePage()), page('docs/v1.0/api/profilephoto-get.md', getPage()));
  const conflict = spec.conflicts.find((c) => c.id === 'graph.v1.0/entities/profile-photo/properties/height');
  assert.equal(conflict?.resolution.rule, 'newest-page');
  assert.equal(conflict?.resolution.value, 'Int32');
  assert.deepEqual(conflict?.values.map((v) => v.value).sort(), ['Int32', 'Int64']);
  assert.equal(spec.entities?.length, 1);
});

test('a resource page of another entity is left out, as a page without a photo operation is', () => {
  const user = resourcePage({ methods: ['user-get', 'user-update'] })
    .replace(/profilePhoto/g, 'user');
  const { spec, messages } = build(page('docs/v1.0/resources/user.md', user), page('docs/v1.0/api/profilephoto-get.md', getPage()));
  assert.equal(spec.entities, undefined);
  assert.ok(!spec.sources.some((s) => s.path.endsWith('user.md')));
  assert.ok(messages.some((m) => m.file === 'docs/v1.0/resources/user.md' && /left out of the spec/.test(m.message)));
});

test('the order pages are added in does not change entities, requirements or conflicts', () => {
  const pages = run();
  assert.deepEqual(build(...pages).spec, build(...[...pages].reverse()).spec);
});
