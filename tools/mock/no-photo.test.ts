import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Spec } from '../spec/model.ts';
import { noPhotoRules } from './no-photo.ts';
import { testInputs } from './testing.ts';

const kindOf = (rules: Map<string, { kind: string; status?: number }>, id: string) => {
  const rule = rules.get(id);
  assert.ok(rule, `${id} is a read of the spec`);
  return rule.kind === 'status' ? `status ${rule.status}` : rule.kind;
};

describe('no-photo rules from the spec', () => {
  it('follows each requirement where it names the read: 404 on Graph $value, the placeholder on metadata and sizes', async () => {
    const { spec } = await testInputs();
    const rules = noPhotoRules(spec);
    for (const version of ['v1.0', 'beta']) {
      assert.equal(kindOf(rules, `graph.${version}.get.me.value`), 'status 404');
      assert.equal(kindOf(rules, `graph.${version}.get.team.value`), 'status 404');
      assert.equal(kindOf(rules, `graph.${version}.get.me.metadata`), 'placeholder');
      assert.equal(kindOf(rules, `graph.${version}.get.group.photo-size`), 'placeholder');
    }
    assert.equal(kindOf(rules, 'outlook.beta.get.me.metadata'), 'placeholder');
  });

  it('answers a read no requirement names like the named reads of its version: media like media, entities like entities', async () => {
    const { spec } = await testInputs();
    const rules = noPhotoRules(spec);
    assert.equal(kindOf(rules, 'graph.v1.0.get.me.photo-size-value'), 'status 404');
    assert.equal(kindOf(rules, 'graph.v1.0.get.me.photos'), 'placeholder');
    // Outlook names only entity reads, and no page shows a placeholder's bytes: its $value is
    // left to the profile's observed answer.
    assert.equal(kindOf(rules, 'outlook.v2.0.get.me.value'), 'unstated');
  });

  it('without either kind of requirement: the placeholder where the spec has one, else unstated', async () => {
    const { spec } = await testInputs();
    const bare: Spec = { ...spec, requirements: [] };
    assert.equal(kindOf(noPhotoRules(bare), 'graph.v1.0.get.me.value'), 'placeholder');
    assert.equal(kindOf(noPhotoRules({ ...bare, sizeVariants: { ...spec.sizeVariants!, placeholder: undefined } }), 'graph.v1.0.get.me.value'), 'unstated');
  });

  it('a no-photo statement wins over a placeholder requirement naming the same read', async () => {
    const { spec } = await testInputs();
    const both = spec.requirements.find((r) => r.assert.kind === 'placeholder' && r.operations.includes('graph.v1.0.get.me.metadata'))!;
    const clash: Spec = {
      ...spec,
      requirements: [...spec.requirements, { ...both, id: 'test/no-photo', assert: { kind: 'no-photo', status: 404 }, operations: ['graph.v1.0.get.me.metadata'] }],
    };
    assert.equal(kindOf(noPhotoRules(clash), 'graph.v1.0.get.me.metadata'), 'status 404');
  });
});
