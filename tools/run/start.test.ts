import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { REPO_ROOT } from '../spec/io.ts';
import { REQUIRE_CORPUS_ENV } from '../spec/paths.ts';
import { splitStartArgs } from './start.ts';

describe('photo-conformance start arguments', () => {
  it('gives the pages after --docs to the extractor and every other option to run', () => {
    assert.deepEqual(splitStartArgs(['--docs', 'a.md', 'pages/', '--grep', '@sizes', '--strict']), {
      docs: ['a.md', 'pages/'],
      runArgs: ['--grep', '@sizes', '--strict'],
    });
    assert.deepEqual(splitStartArgs(['--profile', 'live']), { docs: [], runArgs: ['--profile', 'live'] });
  });
});

describe('photo-conformance start with pages it cannot use', () => {
  const dir = mkdtempSync(join(tmpdir(), 'start-docs-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const specFile = join(REPO_ROOT, 'spec/profilephoto.yaml');
  const cases: [string, string, RegExp][] = [
    ['a folder that does not exist', join(dir, 'missing'), /missing:1:1 error does not exist/],
    ['random bytes', join(dir, 'noise.md'), /noise\.md:1:1 error is a binary file/],
    ['a page about something else', join(dir, 'cats.md'), /none of the 1 page\(s\) states a profile photo operation/],
  ];
  writeFileSync(join(dir, 'noise.md'), Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 197 + 13) % 256)));
  writeFileSync(join(dir, 'cats.md'), '# Cats\n\nThis page is about cats.\n');

  for (const [name, docs, diagnostic] of cases) {
    it(`stops before testing anything, names the page and says what to do: ${name}`, () => {
      const before = readFileSync(specFile);
      const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'tools/cli/main.ts'), 'start', '--docs', docs], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
      });
      const output = `${r.stdout}${r.stderr}`;
      assert.equal(r.status, 1, output);
      assert.match(output, diagnostic);
      assert.match(r.stderr, /spec\/profilephoto\.yaml is unchanged\. Name markdown pages .* or drop --docs\./);
      assert.doesNotMatch(output, /── generate/, 'the suite is not regenerated from a spec the user did not ask for');
      assert.deepEqual(readFileSync(specFile), before, 'the committed spec is left as it was');
    });
  }
});

describe('photo-conformance start where the source pages must be there', () => {
  // A copy of the project with nothing beside it: no ../shared/corpus.
  const dir = mkdtempSync(join(tmpdir(), 'start-required-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'project');
  mkdirSync(root);
  for (const entry of ['tools', 'spec', 'package.json', 'tsconfig.json']) cpSync(join(REPO_ROOT, entry), join(root, entry), { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));

  it('stops on the missing pages, naming them, instead of testing the committed spec', () => {
    const before = readFileSync(join(root, 'spec/profilephoto.yaml'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'tools/cli/main.ts'), 'start'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, [REQUIRE_CORPUS_ENV]: '1' },
    });
    const output = `${r.stdout}${r.stderr}`;
    assert.equal(r.status, 1, output);
    assert.match(output, /\.\.\/shared\/corpus\/000_[0-9a-f]+\.txt:1:1 error does not exist/);
    assert.match(r.stderr, new RegExp(`${REQUIRE_CORPUS_ENV} is set; spec/profilephoto\\.yaml is unchanged\\. Put the pages spec/sources\\.yaml names in place`));
    assert.doesNotMatch(output, /── generate/);
    assert.deepEqual(readFileSync(join(root, 'spec/profilephoto.yaml')), before);
  });
});
