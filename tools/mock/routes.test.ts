import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowedMethods, buildRouteTable, compileTemplate, matchPath, matchTemplate, requestSegments, versionRoot } from './routes.ts';
import { testInputs } from './testing.ts';

describe('path templates', () => {
  it('reads users/{id}, Users(\'{id}\') and photos(\'{size}\') as one shape', () => {
    const template = compileTemplate("/Users('{user_id}')/photos('{size}')/$value");
    for (const path of ["/users/a@b.c/photos/48x48/$value", "/USERS('a@b.c')/photos('48x48')/%24value", "/users(a@b.c)/Photos(48x48)/$VALUE"]) {
      const captures = matchTemplate(template, requestSegments(path)!);
      assert.deepEqual(captures, { me: false, user: 'a@b.c', size: '48x48' }, path);
    }
  });

  it('names each capture by the collection in front of it, whatever the extractor called the parameter', () => {
    const template = compileTemplate('/users/{id | userPrincipalName}/contactfolders/<folderId>/contacts/{id}/photo/$value');
    const captures = matchTemplate(template, requestSegments('/users/u1/contactFolders/f1/contacts/c1/photo/$value')!);
    assert.deepEqual(captures, { me: false, user: 'u1', folder: 'f1', contact: 'c1' });
  });

  it('marks /me and refuses other lengths or literals', () => {
    const template = compileTemplate('/me/photo/$value');
    assert.deepEqual(matchTemplate(template, ['me', 'photo', '$value']), { me: true });
    assert.equal(matchTemplate(template, ['me', 'photo']), undefined);
    assert.equal(matchTemplate(template, ['me', 'photos', '$value']), undefined);
  });

  it('takes no OData system segment for a key: photos/$value is not the size $value', () => {
    const template = compileTemplate('/me/photos/{size}');
    assert.deepEqual(matchTemplate(template, ['me', 'photos', '48x48']), { me: true, size: '48x48' });
    assert.equal(matchTemplate(template, ['me', 'photos', '$value']), undefined);
    assert.equal(matchTemplate(template, ['me', 'photos', '']), undefined);
  });

  it('keeps an encoded slash inside one segment and rejects broken escapes', () => {
    assert.deepEqual(requestSegments('/users/a%2Fb/photo'), ['users', 'a/b', 'photo']);
    assert.equal(requestSegments('/users/%E0%A4%A/photo'), undefined);
  });

  it('splits the version root of each API', () => {
    assert.deepEqual(versionRoot(['api', 'v2.0', 'me', 'photo']), { api: 'outlook', version: 'v2.0', rest: ['me', 'photo'] });
    assert.deepEqual(versionRoot(['beta', 'me']), { api: 'graph', version: 'beta', rest: ['me'] });
  });
});

describe('routes from the spec', () => {
  it('allows per version what the spec says: PATCH and PUT in v1.0, PUT only in beta (GET too: the get pages document the read)', async () => {
    const { spec } = await testInputs();
    const table = buildRouteTable(spec.operations);
    const at = (version: 'v1.0' | 'beta') => allowedMethods(spec, matchPath(table, { api: 'graph', version, rest: ['me', 'photo', '$value'] }));
    assert.deepEqual(at('v1.0'), ['GET', 'PATCH', 'PUT']);
    assert.deepEqual(at('beta'), ['GET', 'PUT']);
  });

  it('drops a write method the spec method rule does not allow even when an endpoint block lists it', async () => {
    const { spec } = await testInputs();
    const narrowed = { ...spec, methods: spec.methods.map((m) => (m.api === 'graph' && m.version === 'v1.0' ? { ...m, allowed: ['PUT' as const] } : m)) };
    const table = buildRouteTable(spec.operations);
    // The rule narrows writes only: the documented GET stays.
    assert.deepEqual(allowedMethods(narrowed, matchPath(table, { api: 'graph', version: 'v1.0', rest: ['me', 'photo', '$value'] })), ['GET', 'PUT']);
  });

  it('reads a team from /teams and from the syntax blocks\' /team, and lists both operations of /groups/{teamId}', async () => {
    for (const path of ['/teams/t1/photo', "/Teams('t1')/photo", '/team/t1/photo']) {
      assert.deepEqual(matchTemplate(compileTemplate('/teams/{teamId}/photo'), requestSegments(path)!) ?? matchTemplate(compileTemplate('/team/{id}/photo'), requestSegments(path)!), { me: false, team: 't1' }, path);
    }
    const { spec } = await testInputs();
    const table = buildRouteTable(spec.operations);
    const match = matchPath(table, { api: 'graph', version: 'beta', rest: ['groups', 'g1', 'photo', '$value'] });
    assert.deepEqual(match.candidates.map((c) => `${c.route.operation.method} ${c.route.operation.resource}`).sort(), ['GET group', 'PUT group', 'PUT team']);
    assert.ok(match.candidates.every((c) => c.captures.group === 'g1'));
    assert.deepEqual(allowedMethods(spec, match), ['GET', 'PUT']);
  });
});

describe('the committed spec', () => {
  it('routes every operation it lists, by its own path, with its method allowed', async () => {
    const { readSpec } = await import('../spec/io.ts');
    const spec = await readSpec();
    assert.ok(spec.operations.length > 0);
    const table = buildRouteTable(spec.operations);
    for (const op of spec.operations) {
      const concrete = op.path.replace(/\{[^}]*\}/g, (m) => (/size/i.test(m) ? '48x48' : 'id1'));
      const match = matchPath(table, { api: op.api, version: op.version, rest: requestSegments(concrete)! });
      assert.ok(match.candidates.some((c) => c.route.operation.id === op.id), `${op.id}: ${concrete}`);
      assert.ok(allowedMethods(spec, match).includes(op.method), `${op.id} allows ${op.method}`);
    }
  });
});
