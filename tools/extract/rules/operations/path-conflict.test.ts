/**
 * A syntax block against the examples, through the merge: the examples' form is the path,
 * both forms stay in originalPaths, the conflict keeps each value with its line, and a
 * warning names both lines.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assertValidSpec } from '../../../spec/io.ts';
import { SpecBuilder } from '../../merge.ts';
import { extractPage } from '../../page.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const read = (name: string) => readFileSync(join(FIXTURES, name, 'input.md'), 'utf8');

test('team paths: /team/{id} in the syntax block, /teams/... in the examples', () => {
  const builder = new SpecBuilder();
  builder.add(extractPage({ path: 'team.md', text: read('en-team-syntax-against-examples') }));
  const { spec, messages } = builder.build();
  assertValidSpec(spec);
  const op = spec.operations.find((o) => o.id === 'graph.v1.0.get.team.metadata');
  assert.equal(op?.path, '/teams/{teamId}/photo');
  assert.deepEqual(op?.originalPaths, ['/team/{id}/photo', '/teams/5d2a1c9e-33b4-4f5e-8a6b-0c1d2e3f4a5b/photo']);
  const conflict = spec.conflicts.find((c) => c.id === 'graph.v1.0.get.team.metadata/path');
  assert.deepEqual(conflict?.values.map((v) => [v.value, v.sources.map((s) => s.ref)]), [
    ['/team/{teamId}/photo', ['team.md:24:1']],
    ['/teams/{teamId}/photo', ['team.md:34:1']],
  ]);
  assert.deepEqual(conflict?.resolution.rule, 'examples-over-syntax-block');
  assert.deepEqual(conflict?.resolution.value, '/teams/{teamId}/photo');
  const warning = messages.find((m) => m.file === 'team.md' && m.line === 24 && m.severity === 'warning');
  assert.match(warning?.message ?? '', /\(team\.md:24\).*\(team\.md:34\)/);
  // A size variant only the syntax block lists still becomes the team's, by the examples' collection.
  assert.ok(spec.operations.some((o) => o.id === 'graph.v1.0.get.team.photo-size' && o.path === '/teams/{teamId}/photos/{size}'));
});

test("a team's photo through its group keeps an id of its own beside the group's and the team's", () => {
  const builder = new SpecBuilder();
  builder.add(extractPage({ path: 'de.md', text: read('de-team-photo-through-groups') }));
  const ids = builder.build().spec.operations.map((o) => `${o.id} ${o.path}`);
  assert.deepEqual(ids, [
    'graph.beta.put.group.value /groups/{groupId}/photo/$value',
    'graph.beta.put.me.value /me/photo/$value',
    'graph.beta.put.team.value /teams/{teamId}/photo/$value',
    'graph.beta.put.team.value.via-groups /groups/{teamId}/photo/$value',
  ]);
});
