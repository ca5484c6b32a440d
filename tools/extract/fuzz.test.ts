// Fuzz: deterministic, seeded mutations of the rule fixtures and of the corpus pages (read
// in place), a bounded number of them. Every mutant must extract without throwing, give a
// JSON-serializable result whose messages name the file, and merge into a valid spec.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertValidSpec } from '../spec/io.ts';
import { CORPUS_DIR as CORPUS, corpusAbsent } from '../spec/paths.ts';
import { SpecBuilder } from './merge.ts';
import { extractPage } from './page.ts';
import { seededRandom } from '../testing/seeded-random.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const MUTANTS_PER_PAGE = 10;


const NOISE = ['```', '<span data-ttu-id="z">', '</span>', '<span class="sxs-lookup">', '<!--', '-->', '<!-- { "blockType": "response" } -->', '|', '\r\n', '\u0000', '\ufeff', '> ', '- ', '**', '[', '](', '{', '}', '<id>', '\t', 'PUT /me/photo/$value\n', 'HTTP/1.1 200 OK\n', '4 MB', '---\n', '# <a name="permissions"></a>'];

function mutate(text: string, next: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T;
  let out = text;
  const edits = 1 + Math.floor(next() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * (out.length + 1));
    const span = Math.floor(next() * 200);
    switch (Math.floor(next() * 6)) {
      case 0: // delete a slice
        out = out.slice(0, at) + out.slice(at + span);
        break;
      case 1: // duplicate a slice
        out = out.slice(0, at) + out.slice(at, at + span) + out.slice(at);
        break;
      case 2: // insert markup noise
        out = out.slice(0, at) + pick(NOISE) + out.slice(at);
        break;
      case 3: // truncate
        out = out.slice(0, at);
        break;
      case 4: {
        // swap two lines
        const lines = out.split('\n');
        const a = Math.floor(next() * lines.length);
        const b = Math.floor(next() * lines.length);
        [lines[a], lines[b]] = [lines[b] as string, lines[a] as string];
        out = lines.join('\n');
        break;
      }
      default: // random code units, including lone surrogates
        out = out.slice(0, at) + String.fromCharCode(...Array.from({ length: 1 + (span % 16) }, () => Math.floor(next() * 0xffff))) + out.slice(at);
    }
  }
  return out;
}

function seedPages(): { name: string; text: string }[] {
  const pages: { name: string; text: string }[] = [];
  const rules = join(HERE, 'rules');
  for (const rule of readdirSync(rules, { withFileTypes: true }).filter((e) => e.isDirectory())) {
    const fixtures = join(rules, rule.name, 'fixtures');
    if (!existsSync(fixtures)) continue;
    for (const fixture of readdirSync(fixtures).sort()) {
      const input = join(fixtures, fixture, 'input.md');
      if (existsSync(input)) pages.push({ name: `${rule.name}/${fixture}`, text: readFileSync(input, 'utf8') });
    }
  }
  if (!corpusAbsent()) {
    for (const name of readdirSync(CORPUS).filter((n) => n.endsWith('.txt')).sort()) {
      pages.push({ name: `corpus/${name}`, text: readFileSync(join(CORPUS, name), 'utf8') });
    }
  }
  return pages;
}

const pages = seedPages();

test('fuzz seeds exist: the rule fixtures', () => {
  const fixtures = pages.filter((p) => !p.name.startsWith('corpus/')).length;
  assert.ok(fixtures >= 40, `only ${fixtures} rule fixtures`);
});

test('fuzz seeds exist: the corpus pages', { skip: corpusAbsent() }, () => {
  assert.equal(pages.filter((p) => p.name.startsWith('corpus/')).length, 5, `the corpus pages in ${CORPUS}`);
});

pages.forEach((page, index) => {
  test(`fuzz ${page.name}`, () => {
    const next = seededRandom(0x5eed + index);
    const builder = new SpecBuilder();
    for (let i = 0; i < MUTANTS_PER_PAGE; i++) {
      const text = mutate(page.text, next);
      const file = `mutant-${i}.md`;
      const result = extractPage({ path: file, text });
      assert.deepEqual(JSON.parse(JSON.stringify(result)), result, `${page.name} mutant ${i}: not JSON-serializable`);
      assert.ok(result.messages.every((m) => m.file === file && m.line >= 1 && m.column >= 1), `${page.name} mutant ${i}: bad message position`);
      assert.ok(!result.messages.some((m) => /rule failed|could not be parsed/.test(m.message)), `${page.name} mutant ${i}: ${result.messages.map((m) => m.message).join('; ')}`);
      builder.add(result);
    }
    const { spec } = builder.build();
    assertValidSpec(spec, `${page.name} mutants`);
  });
});
