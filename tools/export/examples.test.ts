import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readSpec } from '../spec/io.ts';
import { loadTenantFixture } from '../tenant/load.ts';
import { kindExample, NIL_ID, pageExample, tenantExamples, valueIn } from './examples.ts';

describe('path parameter examples', () => {
  it('reads the value a written path gives a parameter, in slash or key-segment form, and nothing from a template', () => {
    assert.equal(valueIn('/teams/{teamId}/photo/$value', '/teams/172b0cce-e65d-44ce-9a49-91d9f2e8491e/photo/$value', 'teamId'), '172b0cce-e65d-44ce-9a49-91d9f2e8491e');
    assert.equal(valueIn('/me/photos/{size}', "/me/photos('240x240')", 'size'), '240x240');
    assert.equal(valueIn('/users/{userId}/photo', "/Users('a%40b.com')/photo", 'userId'), 'a@b.com');
    assert.equal(valueIn('/users/{userId}/photo', '/users/{id | userPrincipalName}/photo', 'userId'), undefined);
    assert.equal(valueIn('/users/{userId}/photo', '/groups/x/photo', 'userId'), undefined, 'another collection');
    assert.equal(valueIn('/users/{userId}/photo', '/users/x/photo/$value', 'userId'), undefined, 'another length');
  });

  it('takes what the pages write, else a value of the kind that names nothing', async () => {
    const spec = await readSpec();
    const op = (id: string) => spec.operations.find((o) => o.id === id)!;
    const team = op('graph.v1.0.get.team.metadata');
    assert.deepEqual(pageExample(spec, team, team.parameters[0]!), {
      value: '172b0cce-e65d-44ce-9a49-91d9f2e8491e',
      source: 'pages',
      writtenIn: '/teams/172b0cce-e65d-44ce-9a49-91d9f2e8491e/photo',
    });
    const group = op('graph.v1.0.get.group.metadata');
    assert.equal(pageExample(spec, group, group.parameters[0]!), undefined);
    assert.deepEqual(kindExample(spec, group.parameters[0]!), { value: NIL_ID, source: 'kind' });
    assert.deepEqual(kindExample(spec, { name: 'size', kinds: ['size'], original: '{size}' }), { value: '48x48', source: 'kind' });
  });

  it("names a tenant's objects that have a photo: a user with a mailbox and contacts, a group, a team", async () => {
    const examples = tenantExamples(await loadTenantFixture());
    assert.deepEqual(examples, {
      userId: '5b2e7c41-0001-4a1f-8d3e-000000000101',
      groupId: '0c7d1e52-0001-4b6a-9c2d-000000000201',
      teamId: '0c7d1e52-0005-4b6a-9c2d-000000000205',
      contactId: 'AAMkAGContactAlex',
      contactFolderId: 'AAMkAGVendors',
      contactInFolderId: 'AAMkAGContactVendorPat',
    });
  });
});
