// End to end, through the merge: an update page's examples decide which status each resource
// answers (fixtures/en-update-user-200-team-204, fixtures/fr-group-example).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SpecBuilder } from '../../merge.ts';
import { extractPage } from '../../page.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

function specOf(...names: string[]) {
  const builder = new SpecBuilder();
  for (const name of names) builder.add(extractPage({ path: `${name}.md`, text: readFileSync(join(FIXTURES, name, 'input.md'), 'utf8') }));
  return builder.build().spec;
}

const statuses = (spec: ReturnType<typeof specOf>) =>
  Object.fromEntries(spec.operations.map((op) => [op.id, op.responses.map((r) => `${r.status} ${r.sources.map((s) => s.line).join(',')}`)]));

test('a team update answers 204 and a user update 200, each with the sentence and its own example as sources', () => {
  const spec = specOf('en-update-user-200-team-204');
  assert.deepEqual(statuses(spec), {
    'graph.v1.0.put.group.value': ['200 23'],
    'graph.v1.0.put.me.value': ['200 23,52'],
    'graph.v1.0.put.team.value': ['204 23,71'],
    'graph.v1.0.put.user.value': ['200 23'],
  });
  const status = (id: string) => spec.requirements.find((r) => r.id === `${id}/response/status`)?.assert;
  assert.deepEqual(status('graph.v1.0.put.team.value'), { kind: 'status', status: 204 });
  assert.deepEqual(status('graph.v1.0.put.user.value'), { kind: 'status', status: 200 });
});

test("a group's example: the team, reached through its group, keeps the other status", () => {
  const spec = specOf('fr-group-example');
  assert.deepEqual(statuses(spec), {
    'graph.v1.0.put.group.value': ['200 26,46'],
    'graph.v1.0.put.me.value': ['200 26'],
    'graph.v1.0.put.team.value.via-groups': ['204 26'],
    'graph.v1.0.put.user.value': ['200 26'],
  });
});

test('without examples, the sentence applies as stated', () => {
  const spec = specOf('de-prose-no-examples');
  for (const op of spec.operations) assert.deepEqual(op.responses.map((r) => r.status), [200, 204], op.id);
});
