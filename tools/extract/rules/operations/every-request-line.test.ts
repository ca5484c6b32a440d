/**
 * No request line disappears silently: every line of a fenced block that has the shape of
 * an HTTP request line (a method, or any word in capitals, then a URL or a path) yields an
 * operation or a message of the operations rule on that line. Walks the fixture pages of
 * every rule, read here with a scanner of its own rather than the rule's.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { extractPage } from '../../page.ts';
import { pipelineRules } from '../index.ts';
import { OPERATIONS_RULE_ID } from './index.ts';

const RULES_DIR = dirname(dirname(fileURLToPath(import.meta.url)));

function fixturePages(): string[] {
  const pages: string[] = [];
  for (const rule of readdirSync(RULES_DIR, { withFileTypes: true }).filter((e) => e.isDirectory())) {
    const root = join(RULES_DIR, rule.name, 'fixtures');
    if (!existsSync(root)) continue;
    for (const c of readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory())) {
      const input = join(root, c.name, 'input.md');
      if (existsSync(input)) pages.push(input);
    }
  }
  return pages.sort();
}

/** 1-based numbers of the lines inside ``` or ~~~ fences (an unclosed fence runs to the end) that look like request lines. */
export function requestShapedLines(text: string): number[] {
  const found: number[] = [];
  let fence: string | undefined;
  text.split(/\r?\n/).forEach((line, index) => {
    const marker = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (!fence || (marker[0] === fence[0] && marker.length >= fence.length && !line.trim().slice(marker.length).trim()))) {
      fence = fence ? undefined : marker;
      return;
    }
    if (!fence) return;
    const word = /^\s*([A-Za-z]{3,10})\s+(?:https?:\/\/|\/)/.exec(line)?.[1];
    if (word && (word === word.toUpperCase() || /^(get|put|patch|post|delete)$/i.test(word))) found.push(index + 1);
  });
  return found;
}

test('the scanner finds request-shaped lines in fences only, known methods in any case, other words in capitals', () => {
  const page = ['GET /outside', '```http', 'GET /me/photo', 'HEAD /me/photo', 'get /me/photo', 'return /x/.test(s)', '{ "a": 1 }', '```', 'PUT /outside', '~~~', 'PATCH https://graph.microsoft.com/v1.0/me/photo/$value'].join('\n');
  assert.deepEqual(requestShapedLines(page), [3, 4, 5, 11]);
});

const operationsRules = pipelineRules.slice(0, pipelineRules.findIndex((r) => r.id === OPERATIONS_RULE_ID) + 1);

for (const input of fixturePages()) {
  const name = input.slice(RULES_DIR.length + 1).replace(/[\\/]input\.md$/, '');
  test(`every request line yields an operation or a message: ${name}`, () => {
    const text = readFileSync(input, 'utf8');
    const result = extractPage({ path: 'input.md', text }, operationsRules);
    const operationLines = new Set(result.facts.operations.map((op) => op.at.line));
    const messageLines = new Set(result.messages.filter((m) => m.ruleId === OPERATIONS_RULE_ID).map((m) => m.line));
    const silent = requestShapedLines(text).filter((line) => !operationLines.has(line) && !messageLines.has(line));
    assert.deepEqual(silent.map((line) => `${line}: ${text.split(/\r?\n/)[line - 1]?.trim()}`), [], `${name}: request lines with neither an operation nor a message`);
  });
}
