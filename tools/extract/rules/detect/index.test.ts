// Runs every fixture folder of the detect rule (see ../fixture-harness.ts), and what a fixture
// cannot show: detection from the page's path (fixtures are all read as `input.md`).
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { extractPage } from '../../page.ts';
import { testRuleFixtures } from '../fixture-harness.ts';
import { versionsOfPath } from './index.ts';

testRuleFixtures('detect', ['detection'], dirname(fileURLToPath(import.meta.url)));

test('detect: a page without a request line takes its version from the folder it is kept in', () => {
  const text = '# <a name="profilephoto-resource-type"></a>Тип ресурса profilePhoto\n\nПространство имен: microsoft.graph\n\n## <a name="properties"></a>Свойства\n\n|Свойство|Тип|Описание|\n|:--|:--|:--|\n|id|string|Только для чтения.|\n';
  for (const [path, version] of [
    ['docs/ru-RU/v1.0/resources/profilephoto.md', 'v1.0'],
    ['api-reference/beta/resources/profilephoto.md', 'beta'],
    ['C:\\docs\\beta\\resources\\profilephoto.md', 'beta'],
  ] as const) {
    const result = extractPage({ path, text }, []);
    assert.deepEqual(result.facts.detection.versions, [version], path);
    assert.ok(!result.messages.some((m) => /version not detected/.test(m.message)), path);
  }
  // The nearest version folder wins; a file named like a version is not a folder.
  assert.deepEqual(versionsOfPath('pages/beta/archive/v1.0/x.md'), ['v1.0']);
  assert.deepEqual(versionsOfPath('pages/beta.md'), []);
  // No folder: as before, a warning and the API's first version.
  const bare = extractPage({ path: 'profilephoto.md', text }, []);
  assert.deepEqual(bare.facts.detection.versions, ['v1.0']);
  assert.ok(bare.messages.some((m) => /version not detected/.test(m.message)));
});
