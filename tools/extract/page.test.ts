import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpecBuilder } from './merge.ts';
import { extractPage } from './page.ts';
import { assertValidSpec } from '../spec/io.ts';

const PAGE = [
  '---',
  'ms.contentlocale: fr-FR',
  'ms.lasthandoff: 02/01/2021',
  '---',
  '# <a name="update-photo"></a>Mettre à jour la photo',
  '',
  'La taille totale de chaque requête est limitée à 4 Mo.',
  '',
  '## <a name="http-request"></a>Requête HTTP',
  '<!-- { "blockType": "ignored" } -->',
  '```http',
  'PUT /me/photo/$value',
  'PUT /users/{id | userPrincipalName}/photo/$value',
  '```',
  '',
  '## <a name="request-headers"></a>En-têtes de demande',
  '| En-tête | Valeur |',
  '|:--|:--|',
  '| Authorization | Bearer {token}. Obligatoire. |',
  '',
  '## <a name="response"></a>Réponse',
  'En cas de réussite, cette méthode renvoie un code `200 OK`.',
  '',
  '```http',
  'PUT https://graph.microsoft.com/v1.0/me/photo/$value',
  '```',
  '',
].join('\n');

const opIds = (text: string) => {
  const builder = new SpecBuilder();
  builder.add(extractPage({ path: 'page.md', text }));
  return builder.build().spec.operations.map((op) => op.id);
};

test('a page is extracted the same way twice, and the result survives JSON', () => {
  const first = extractPage({ path: 'page.md', text: PAGE });
  const second = extractPage({ path: 'page.md', text: PAGE });
  assert.deepEqual(first, second);
  assert.deepEqual(JSON.parse(JSON.stringify(first)), first);
  assert.equal(first.stats.operations, 3);
  assert.equal(first.stats.httpRequestBlocks, 2);
  assert.deepEqual(first.facts.limits.map((l) => l.maxRequestBytes), [4 * 1024 * 1024]);
});

test('CRLF and a BOM change nothing but the hash', () => {
  const plain = extractPage({ path: 'page.md', text: PAGE });
  const windows = extractPage({ path: 'page.md', text: `\ufeff${PAGE.replace(/\n/g, '\r\n')}` });
  assert.deepEqual(windows.facts, plain.facts);
  assert.deepEqual(windows.messages, plain.messages);
  assert.notEqual(windows.sha256, plain.sha256);
});

test('an unclosed fence still yields the operations it lists', () => {
  const result = extractPage({ path: 'page.md', text: '# Update\n\n```http\nPUT /me/photo/$value\nPATCH /groups/{id}/photo/$value\n' });
  assert.deepEqual(
    result.facts.operations.map((op) => `${op.method} ${op.path}`),
    ['PUT /me/photo/$value', 'PATCH /groups/{groupId}/photo/$value'],
  );
});

test('broken docfx spans keep their text and never throw', () => {
  const text = [
    '# Update',
    '',
    '<span data-ttu-id="x-1">Use only PUT in the beta version.',
    '',
    '</span></span></span><span class="sxs-lookup"><span data-stu-id="x-2">Limit of 4MB per request.',
    '',
    '```http',
    'PUT https://graph.microsoft.com/beta/me/photo/$value',
    '```',
  ].join('\n');
  const result = extractPage({ path: 'broken.md', text });
  assert.deepEqual(result.facts.methodProse.map((m) => m.methods), [['PUT']]);
  assert.deepEqual(result.facts.limits.map((l) => l.maxRequestBytes), [4194304]);
});

test('an empty page gives warnings, not a crash', () => {
  const result = extractPage({ path: 'empty.md', text: '' });
  assert.equal(result.facts.operations.length, 0);
  assert.ok(result.messages.some((m) => m.severity === 'warning'));
  assert.ok(result.messages.every((m) => m.file === 'empty.md'));
});

test('binary bytes: an error naming the file, nothing extracted', () => {
  let bytes = '';
  for (let i = 0; i < 4096; i++) bytes += String.fromCharCode((i * 7919) % 256);
  const result = extractPage({ path: 'photo.jpg.md', text: bytes });
  assert.equal(result.facts.operations.length, 0);
  const error = result.messages.find((m) => m.severity === 'error');
  assert.equal(error?.file, 'photo.jpg.md');
  assert.equal(error?.ruleId, 'input-binary');
});

test('a few stray control bytes are replaced and reported', () => {
  const result = extractPage({ path: 'page.md', text: PAGE.replace('Réponse', 'Ré\u0000ponse') });
  assert.ok(result.messages.some((m) => m.ruleId === 'input-binary' && m.severity === 'warning'));
  assert.equal(result.stats.operations, 3);
});

test('the same page in another language yields the same operation ids', () => {
  const english = PAGE.replace('ms.contentlocale: fr-FR', 'ms.contentlocale: en-US')
    .replace('Mettre à jour la photo', 'Update the photo')
    .replace('Requête HTTP', 'HTTP request')
    .replace('En-têtes de demande', 'Request headers')
    .replace('Réponse', 'Response');
  assert.deepEqual(opIds(english), opIds(PAGE));
  assert.deepEqual(opIds(PAGE), ['graph.v1.0.put.me.value', 'graph.v1.0.put.user.value']);
});

test('the spec built from one page is valid', () => {
  const builder = new SpecBuilder();
  builder.add(extractPage({ path: 'page.md', text: PAGE }));
  const { spec } = builder.build();
  assertValidSpec(spec);
  assert.equal(spec.sources[0]?.locale, 'fr-FR');
});
