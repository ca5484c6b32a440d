import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Behaviour, Operation, Permission } from '../../spec/model.ts';
import type { Principal } from '../../tenant/model.ts';
import { assertAuthorized, authorize } from './authorize.ts';
import { AuthError } from './errors.ts';

// Operations shaped like the extractor's output for the update page's permission table.
const SOURCE = { source: 'test', ref: 'test.md:1:1', line: 1, column: 1 };
const permission = (type: Permission['type'], supported: boolean, permissions: string[]): Permission => ({
  type,
  supported,
  permissions,
  sources: [SOURCE],
});
function operation(partial: Partial<Operation>): Operation {
  return {
    id: 'graph.beta.PUT.user.value',
    api: 'graph',
    version: 'beta',
    method: 'PUT',
    path: '/users/{id}/photo/$value',
    originalPaths: [],
    parameters: [],
    resource: 'user',
    target: 'value',
    headers: [],
    responses: [],
    permissions: [
      permission('delegatedWork', true, ['User.ReadWrite', 'User.ReadWrite.All']),
      permission('delegatedPersonal', false, []),
      permission('application', true, ['User.ReadWrite.All']),
    ],
    sources: [SOURCE],
    ...partial,
  };
}
const putUser = operation({});
const putMe = operation({ id: 'graph.beta.PUT.me.value', path: '/me/photo/$value', resource: 'me' });
const getMeValue = operation({ id: 'graph.beta.GET.me.value', method: 'GET', path: '/me/photo/$value', resource: 'me' });
const getMeMetadata = operation({ id: 'graph.beta.GET.me.metadata', method: 'GET', path: '/me/photo', resource: 'me', target: 'metadata' });
const putGroup = operation({
  id: 'graph.beta.PUT.group.value',
  path: '/groups/{id}/photo/$value',
  resource: 'group',
  permissions: [permission('delegatedWork', true, ['Group.ReadWrite.All']), permission('application', true, ['Group.ReadWrite.All'])],
});
// Outlook's pages list lower-case scopes and say nothing of account kinds or application permissions.
const outlookPutMe = operation({
  id: 'outlook.v2.0.PUT.me.value',
  api: 'outlook',
  version: 'v2.0',
  resource: 'me',
  permissions: [permission('delegatedWork', true, ['user.readwrite'])],
});

const ADELE = '5b2e7c41-0001-4a1f-8d3e-000000000101';
const MEGAN = '5b2e7c41-0002-4a1f-8d3e-000000000102';
const app = (roles: string[]): Principal => ({ tenantId: 't', kind: 'application', appId: 'a', permissions: roles });
const user = (scopes: string[], accountKind: 'work' | 'personal' = 'work'): Principal => ({
  tenantId: 't',
  kind: 'delegated',
  appId: 'a',
  userId: ADELE,
  accountKind,
  permissions: scopes,
});

describe('authorize', () => {
  it('allows an app holding a listed role and names the role it used', () => {
    assert.deepEqual(authorize(app(['Calendars.Read', 'User.ReadWrite.All']), putUser, { ownerUserId: MEGAN }), {
      outcome: 'allowed',
      permission: 'User.ReadWrite.All',
      basis: 'granted',
    });
  });

  it('denies an app without any listed role', () => {
    const decision = authorize(app(['Calendars.Read']), putUser, { ownerUserId: MEGAN });
    assert.equal(decision.outcome, 'denied');
    assert.match((decision as { reason: string }).reason, /User\.ReadWrite\.All/);
  });

  it('lets User.ReadWrite change the signed-in user\'s photo, by /me or by their own id', () => {
    assert.equal(authorize(user(['User.ReadWrite']), putMe).outcome, 'allowed');
    assert.equal(authorize(user(['User.ReadWrite']), putUser, { ownerUserId: ADELE.toUpperCase() }).outcome, 'allowed');
  });

  it('keeps User.ReadWrite to the signed-in user; another user needs a .All permission', () => {
    assert.equal(authorize(user(['User.ReadWrite']), putUser, { ownerUserId: MEGAN }).outcome, 'denied');
    assert.equal(authorize(user(['User.ReadWrite.All']), putUser, { ownerUserId: MEGAN }).outcome, 'allowed');
  });

  it('matches permission names case-insensitively', () => {
    assert.equal(authorize(user(['User.ReadWrite']), outlookPutMe).outcome, 'allowed');
  });

  it('refuses a personal account where the table says not supported', () => {
    assert.equal(authorize(user(['User.ReadWrite'], 'personal'), putMe).outcome, 'notSupported');
  });

  it('uses the delegated list for personal accounts when the page does not split account kinds', () => {
    assert.equal(authorize(user(['User.ReadWrite'], 'personal'), outlookPutMe).outcome, 'allowed');
  });

  it('denies a kind of caller the table does not list', () => {
    assert.equal(authorize(app(['User.ReadWrite.All']), outlookPutMe).outcome, 'denied');
  });

  it('allows any valid token when the page lists no permissions', () => {
    assert.deepEqual(authorize(app([]), operation({ permissions: [] })), { outcome: 'allowed', basis: 'unspecified' });
  });

  it('does not treat a group as another user', () => {
    assert.equal(authorize(user(['Group.ReadWrite.All']), putGroup).outcome, 'allowed');
    assert.equal(authorize(user(['User.ReadWrite.All']), putGroup).outcome, 'denied');
  });

  it('with adminAnyUser, an app may use the directory-wide permissions of an untyped list', () => {
    // The v1.0 page lists permissions without a type; the extractor records them as delegated.
    const untyped = operation({
      version: 'v1.0',
      id: 'graph.v1.0.PUT.user.value',
      permissions: [permission('delegatedWork', true, ['User.ReadWrite', 'User.ReadWrite.All'])],
    });
    const behaviours: Behaviour[] = [{ id: 'b', kind: 'adminAnyUser', api: 'graph', versions: ['v1.0'], resources: ['user'], sources: [SOURCE] }];
    assert.equal(authorize(app(['User.ReadWrite.All']), untyped, { ownerUserId: MEGAN, behaviours }).outcome, 'allowed');
    // Only the .All permission: User.ReadWrite means "the signed-in user", which an app is not.
    assert.equal(authorize(app(['User.ReadWrite']), untyped, { ownerUserId: MEGAN, behaviours }).outcome, 'denied');
    // Without the behaviour, or for another resource or version, an app gets nothing from a delegated list.
    assert.equal(authorize(app(['User.ReadWrite.All']), untyped, { ownerUserId: MEGAN }).outcome, 'denied');
    const beta = [{ ...behaviours[0]!, versions: ['beta' as const] }];
    assert.equal(authorize(app(['User.ReadWrite.All']), untyped, { ownerUserId: MEGAN, behaviours: beta }).outcome, 'denied');
    // Signed-in users are not restricted by it.
    assert.equal(authorize(user(['User.ReadWrite.All']), untyped, { ownerUserId: MEGAN, behaviours }).outcome, 'allowed');
  });
});

const refusal = (fn: () => void): AuthError => {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof AuthError);
    return error;
  }
  assert.fail('expected a refusal');
};

describe('assertAuthorized', () => {
  it('answers 403 ErrorAccessDenied for a missing permission', () => {
    const error = refusal(() => assertAuthorized(app([]), putUser, { ownerUserId: MEGAN }));
    assert.equal(error.status, 403);
    assert.equal(error.code, 'ErrorAccessDenied');
  });

  it('passes silently when allowed', () => {
    assert.doesNotThrow(() => assertAuthorized(user(['User.ReadWrite']), putMe));
  });

  it('docs profile: a personal account where the page says not supported gets 403', () => {
    const error = refusal(() => assertAuthorized(user(['User.ReadWrite'], 'personal'), putMe, { profile: 'docs' }));
    assert.equal(error.status, 403);
    assert.match(error.message, /personal/);
  });

  it('live profile: a personal account reads /me/photo/$value but not the metadata', () => {
    assert.doesNotThrow(() => assertAuthorized(user(['User.ReadWrite'], 'personal'), getMeValue, { profile: 'live' }));
    const error = refusal(() => assertAuthorized(user(['User.ReadWrite'], 'personal'), getMeMetadata, { profile: 'live' }));
    assert.equal(error.status, 404);
    assert.equal(error.code, 'ConsumerPhotoIsNotSupported');
    // Reading still needs a listed permission.
    assert.equal(refusal(() => assertAuthorized(user(['Mail.Read'], 'personal'), getMeValue, { profile: 'live' })).status, 403);
  });

  it('live profile: a personal account is refused its metadata even where the page grants it, and keeps its contacts', () => {
    const documentedForPersonal = { ...getMeMetadata, permissions: [permission('delegatedPersonal', true, ['User.Read'])] };
    assert.equal(authorize(user(['User.Read'], 'personal'), documentedForPersonal).outcome, 'allowed');
    assert.doesNotThrow(() => assertAuthorized(user(['User.Read'], 'personal'), documentedForPersonal, { profile: 'docs' }));
    assert.equal(refusal(() => assertAuthorized(user(['User.Read'], 'personal'), documentedForPersonal, { profile: 'live' })).code, 'ConsumerPhotoIsNotSupported');
    const contact = operation({ id: 'graph.v1.0.GET.me.contact.metadata', method: 'GET', resource: 'contact', target: 'metadata', permissions: [permission('delegatedPersonal', true, ['Contacts.Read'])] });
    assert.doesNotThrow(() => assertAuthorized(user(['Contacts.Read'], 'personal'), contact, { profile: 'live' }));
  });
});

describe('resource-specific permissions', () => {
  const getTeam = operation({
    id: 'graph.beta.GET.team.metadata',
    method: 'GET',
    path: '/teams/{id}/photo',
    resource: 'team',
    target: 'metadata',
    permissions: [permission('application', true, ['TeamSettings.Read.Group', 'Team.ReadBasic.All'])],
  });

  it('count only on a resource that granted them to the app', () => {
    const rsc = app(['TeamSettings.Read.Group']);
    assert.equal(authorize(rsc, getTeam, { resourceGrants: ['teamsettings.read.group'] }).outcome, 'allowed');
    const elsewhere = authorize(rsc, getTeam, { resourceGrants: [] });
    assert.equal(elsewhere.outcome, 'denied');
    assert.match((elsewhere as { reason: string }).reason, /not granted to this app on the addressed resource/);
    assert.equal(authorize(rsc, getTeam).outcome, 'denied');
  });

  it('leave tenant-wide permissions of the same list alone', () => {
    assert.equal(authorize(app(['Team.ReadBasic.All']), getTeam).outcome, 'allowed');
  });

  it('an app-only caller where the page says application is not supported is told so', () => {
    const putTeamBeta = operation({ id: 'graph.beta.PUT.team.value', resource: 'team', permissions: [permission('application', false, [])] });
    const error = refusal(() => assertAuthorized(app(['TeamSettings.ReadWrite.All']), putTeamBeta));
    assert.equal(error.status, 403);
    assert.match(error.message, /app-only/);
  });
});
