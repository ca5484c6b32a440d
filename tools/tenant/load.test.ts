import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TenantDirectory } from './directory.ts';
import { CONSUMER_TENANT_ID, loadTenantFixture, TenantFixtureError } from './load.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');

describe('default tenant fixture', async () => {
  const fixture = await loadTenantFixture();
  const users = fixture.tenants.flatMap((t) => t.users);

  it('has at least two work tenants and the consumer tenant', () => {
    assert.ok(fixture.tenants.filter((t) => t.id !== CONSUMER_TENANT_ID).length >= 2);
    assert.ok(fixture.tenants.some((t) => t.id === CONSUMER_TENANT_ID));
  });

  it('has every kind of photo owner the pages describe', () => {
    assert.ok(users.some((u) => u.mailbox && u.photo), 'a user with a mailbox and a photo');
    assert.ok(users.some((u) => !u.mailbox), 'a directory-only user');
    assert.ok(users.some((u) => u.mailbox && !u.photo && u.kind === 'work'), 'a user who never had a photo');
    assert.ok(users.some((u) => u.kind === 'personal' && u.password), 'a personal account that can sign in');
    assert.ok(users.some((u) => u.photo && u.photo.width !== u.photo.height), 'a non-square photo');
    assert.ok(fixture.tenants.some((t) => t.groups.some((g) => g.photo) && t.groups.some((g) => !g.photo)));
    const contacts = users.flatMap((u) => u.contacts ?? []);
    assert.ok(contacts.some((c) => c.folder), 'a contact in a contact folder');
    assert.ok(contacts.some((c) => !c.folder && c.photo), 'a contact with a photo in the default folder');
  });

  it('has apps with different grants, including one with no photo permission', () => {
    const apps = fixture.tenants.flatMap((t) => t.apps);
    assert.ok(apps.length >= 4);
    assert.ok(apps.some((a) => a.roles.length === 1 && a.roles[0] === 'Group.ReadWrite.All'));
    assert.ok(apps.some((a) => a.roles.every((r) => !/^(User|Group|Contacts)\./.test(r))));
  });

  it('has teams with and without a photo, granted resource-specific permissions on some only, and a B2C tenant', () => {
    const teams = fixture.tenants.flatMap((t) => t.groups.filter((g) => g.team));
    assert.ok(teams.some((g) => g.photo) && teams.some((g) => !g.photo));
    assert.ok(teams.some((g) => g.resourceSpecificGrants?.length) && teams.some((g) => !g.resourceSpecificGrants?.length));
    assert.ok(fixture.tenants.some((t) => t.kind === 'b2c' && t.users.some((u) => u.password)));
    const pat = users.find((u) => u.kind === 'personal')!;
    assert.ok(pat.contacts?.some((c) => c.photo) && pat.contacts.some((c) => !c.photo) && pat.contacts.some((c) => c.folder));
  });

  it('gives every permission an operation of the committed spec names first (least privileged) a token to try', async () => {
    const { readSpec } = await import('../spec/io.ts');
    const spec = await readSpec();
    const home = fixture.tenants[0]!;
    const consumer = fixture.tenants.find((t) => t.id === CONSUMER_TENANT_ID)!;
    const holds = (list: string[], p: string) => list.some((x) => x.toLowerCase() === p.toLowerCase());
    const missing = new Set<string>();
    for (const op of spec.operations) {
      for (const entry of op.permissions) {
        const least = entry.supported ? entry.permissions[0] : undefined;
        if (!least) continue;
        // Outlook's lists have no type of their own for personal accounts: the work list stands for both.
        const found =
          entry.type === 'application'
            ? home.apps.some((a) => holds(a.roles, least))
            : entry.type === 'delegatedWork'
              ? home.apps.some((a) => holds(a.scopes, least))
              : consumer.apps.some((a) => holds(a.scopes, least));
        if (!found) missing.add(`${entry.type} ${least} (${op.id})`);
      }
    }
    assert.deepEqual([...missing], []);
  });

  it('indexes tenants by id, domain and the consumers alias; users by id and UPN', () => {
    const directory = new TenantDirectory(fixture);
    const contoso = directory.tenant('CONTOSO.onmicrosoft.com');
    assert.equal(contoso?.id, '8f3c2a10-0001-4c5e-9a7b-000000000001');
    assert.equal(directory.tenant('consumers')?.id, CONSUMER_TENANT_ID);
    assert.equal(directory.tenant('00000000-0000-0000-0000-000000000000'), undefined);
    const adele = directory.user(contoso!.id, 'Adele.Vance@contoso.onmicrosoft.com');
    assert.equal(adele?.id, '5b2e7c41-0001-4a1f-8d3e-000000000101');
    assert.equal(directory.user(contoso!.id, adele!.id), adele);
    // Users of one tenant are not found through another.
    assert.equal(directory.user('8f3c2a10-0002-4c5e-9a7b-000000000002', adele!.id), undefined);
    assert.equal(directory.app(contoso!.id, '3e9a4b7c-0005-4d2e-8f1a-000000000305')?.roles[0], 'Group.ReadWrite.All');
  });
});

describe('bad fixtures name the file, line and path', () => {
  for (const name of readdirSync(FIXTURES)) {
    it(name, async () => {
      const file = join(FIXTURES, name, 'tenant.yaml');
      const expected = readFileSync(join(FIXTURES, name, 'messages.txt'), 'utf8').trim().replaceAll('{file}', file);
      await assert.rejects(loadTenantFixture(file), (error: unknown) => {
        assert.ok(error instanceof TenantFixtureError);
        assert.equal(error.message, expected);
        return true;
      });
    });
  }

  it('a missing file', async () => {
    await assert.rejects(loadTenantFixture(join(FIXTURES, 'no-such.yaml')), /no-such\.yaml: not found$/);
  });
});
