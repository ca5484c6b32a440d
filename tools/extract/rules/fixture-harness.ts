/**
 * A rule's fixtures are its tests (remark-lint's ok/not-ok examples): one folder per case
 * under `rules/<rule>/fixtures/<case>/` with
 *   input.md       the page (any layout, any language; written for the case, never copied)
 *   pins.yaml      optional manifest pins
 *   expected.yaml  the facts the rule produces (its keys of PageFacts)
 *   messages.txt   the rule's diagnostics, `line:column severity message`, one a line
 * The page runs through the pipeline up to and including the rule, since rules read the
 * facts of the rules before them (scoping needs the operations).
 * `UPDATE_FIXTURES=1` rewrites expected.yaml and messages.txt from the current output;
 * review the diff before committing it.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { extractPage } from '../page.ts';
import type { SourcePins } from '../types.ts';
import { pipelineRules } from './index.ts';

export interface FixtureOutput {
  facts: unknown;
  messages: string[];
}

export function runFixture(ruleId: string, keys: readonly string[], dir: string): FixtureOutput {
  const text = readFileSync(join(dir, 'input.md'), 'utf8');
  const pinsFile = join(dir, 'pins.yaml');
  const pins = existsSync(pinsFile) ? (parseYaml(readFileSync(pinsFile, 'utf8')) as SourcePins) : undefined;
  const index = pipelineRules.findIndex((rule) => rule.id === ruleId);
  const rules = ruleId === 'detect' ? [] : pipelineRules.slice(0, index + 1);
  if (ruleId !== 'detect' && index < 0) throw new Error(`unknown rule ${ruleId}`);
  const result = extractPage({ path: 'input.md', text, ...(pins ? { pins } : {}) }, rules);
  const facts = Object.fromEntries(keys.map((key) => [key, (result.facts as unknown as Record<string, unknown>)[key]]));
  const messages = result.messages
    .filter((m) => m.ruleId === ruleId || (ruleId === 'detect' && ['input-size', 'input-binary', 'frontmatter', 'parse'].includes(m.ruleId)))
    .map((m) => `${m.line}:${m.column} ${m.severity} ${m.message}`);
  return { facts: JSON.parse(JSON.stringify(facts)) as unknown, messages };
}

export function fixtureCases(ruleDir: string): string[] {
  const root = join(ruleDir, 'fixtures');
  return existsSync(root)
    ? readdirSync(root, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => join(root, e.name))
        .sort()
    : [];
}

/** Registers one test per fixture folder of a rule. */
export function testRuleFixtures(ruleId: string, keys: readonly string[], ruleDir: string): void {
  const cases = fixtureCases(ruleDir);
  test(`${ruleId}: has fixtures`, () => {
    assert.ok(cases.length >= 3, `${ruleId} needs at least three fixture cases, found ${cases.length}`);
  });
  for (const dir of cases) {
    const name = dir.split(/[\\/]/).pop() as string;
    test(`${ruleId}: ${name}`, () => {
      const actual = runFixture(ruleId, keys, dir);
      const expectedFile = join(dir, 'expected.yaml');
      const messagesFile = join(dir, 'messages.txt');
      if (process.env.UPDATE_FIXTURES) {
        writeFileSync(expectedFile, stringifyYaml(actual.facts, { lineWidth: 0 }));
        writeFileSync(messagesFile, actual.messages.length ? `${actual.messages.join('\n')}\n` : '');
      }
      assert.ok(existsSync(expectedFile), `${expectedFile} is missing`);
      const expected = parseYaml(readFileSync(expectedFile, 'utf8')) as unknown;
      assert.deepEqual(actual.facts, expected, `${name}: facts differ from expected.yaml`);
      const expectedMessages = existsSync(messagesFile)
        ? readFileSync(messagesFile, 'utf8')
            .split('\n')
            .map((l) => l.trim())
            .filter(Boolean)
        : [];
      assert.deepEqual(actual.messages, expectedMessages, `${name}: messages differ from messages.txt`);
    });
  }
}
