import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Code } from 'mdast';
import { normalizePath, openingRequest, operationId, parseRequestLine, rejectedRequestLinesIn, requestLinesIn } from './path-template.ts';

test('every placeholder notation becomes one {name} notation, the original kept', () => {
  const cases: [string, string, string[][]][] = [
    ['/users/{id | userPrincipalName}/photo/$value', '/users/{userId}/photo/$value', [['userId', 'id', 'userPrincipalName']]],
    ['/users/<id | userPrincipalName>/photo/$value', '/users/{userId}/photo/$value', [['userId', 'id', 'userPrincipalName']]],
    ["/Users('{user_id}')/photo", '/users/{userId}/photo', [['userId', 'id']]],
    ["/users/'{user_id}'/photo", '/users/{userId}/photo', [['userId', 'id']]],
    ["/me/photos('{size}')/$value", '/me/photos/{size}/$value', [['size', 'size']]],
    ["/me/photos('240x240')", '/me/photos/{size}', [['size', 'size']]],
    ['/me/photos/48x48/$value', '/me/photos/{size}/$value', [['size', 'size']]],
    ['/me/contactfolders/{contactFolderId}/contacts/{id}/photo/$value', '/me/contactFolders/{contactFolderId}/contacts/{contactId}/photo/$value', [['contactFolderId', 'id'], ['contactId', 'id']]],
  ];
  for (const [raw, path, parameters] of cases) {
    const normalized = normalizePath(raw);
    assert.equal(normalized.path, path, raw);
    assert.deepEqual(normalized.parameters.map((p) => [p.name, ...p.kinds]), parameters, raw);
  }
});

test('resource and target follow the photo grammar; other paths have neither', () => {
  const classify = (raw: string) => {
    const n = normalizePath(raw);
    return [n.resource, n.target, n.owner];
  };
  assert.deepEqual(classify('/me/photo'), ['me', 'metadata', undefined]);
  assert.deepEqual(classify('/groups/{id}/photo/$value'), ['group', 'value', undefined]);
  assert.deepEqual(classify('/users/{id}/photos'), ['user', 'photos', undefined]);
  assert.deepEqual(classify('/users/{id}/contacts/{id}/photo/$value'), ['contact', 'value', 'user']);
  assert.deepEqual(classify('/me/contactFolders/{f}/contacts/{id}/photo'), ['contactInFolder', 'metadata', 'me']);
  assert.deepEqual(classify('/users/{id}/messages'), [undefined, undefined, undefined]);
  assert.deepEqual(classify('/groups/{id}/contacts/{id}/photo'), [undefined, undefined, undefined]);
});

test('request lines: Graph and Outlook roots, query strings, prose rejected', () => {
  const graph = parseRequestLine('GET https://graph.microsoft.com/beta/me/photo/$value?$select=id HTTP/1.1');
  assert.deepEqual([graph?.api, graph?.version, graph?.path, graph?.originalPath], ['graph', 'beta', '/me/photo/$value', '/me/photo/$value']);
  const outlook = parseRequestLine("PATCH https://outlook.office.com/api/v2.0/users('{user_id}')/photo/$value");
  assert.deepEqual([outlook?.api, outlook?.version, outlook?.method, outlook?.path], ['outlook', 'v2.0', 'PATCH', '/users/{userId}/photo/$value']);
  const relative = parseRequestLine('PUT /me/photo/$value');
  assert.deepEqual([relative?.api, relative?.version], [undefined, undefined]);
  assert.equal(parseRequestLine('PUT the photo in place'), undefined);
  assert.equal(parseRequestLine('Use PUT or PATCH'), undefined);
});

test('operation ids are built from facts only', () => {
  assert.equal(operationId({ api: 'graph', version: 'beta', method: 'PUT', resource: 'contactInFolder', target: 'value', owner: 'me' }), 'graph.beta.put.me.contact-in-folder.value');
  assert.equal(operationId({ api: 'outlook', version: 'v2.0', method: 'GET', resource: 'user', target: 'photoSizeValue' }), 'outlook.v2.0.get.user.photo-size-value');
});

test('the request a block opens with: on its first line that is not blank, else none', () => {
  const code = (value: string): Code => ({ type: 'code', value });
  const opening = openingRequest(code('\n  \t\nGET /me/photo\nHost: x'));
  assert.deepEqual(opening && [opening.request.method, opening.request.path, opening.offset], ['GET', '/me/photo', 2]);
  assert.equal(openingRequest(code('PUT /me/photo/$value'))?.offset, 0);
  // A request further down is not the one the block opens with.
  assert.equal(openingRequest(code('HTTP/1.1 200 OK\n\nGET /me/photo')), undefined);
  assert.equal(openingRequest(code('')), undefined);
  assert.equal(openingRequest(code('\n \u00a0\n\t')), undefined);
});

test('request lines anywhere in a block, indented by any white space; none in JSON', () => {
  const code = (value: string): Code => ({ type: 'code', value });
  const mixed = code('{\n  "a": 1\n}\n\n\tGET https://graph.microsoft.com/v1.0/me/photo\n\u00a0PATCH /users/{id}/photo/$value\nGETTING /no');
  const lines = requestLinesIn(mixed);
  assert.deepEqual(
    lines.map(({ request, offset, raw }) => [request.method, request.path, offset, raw]),
    [
      ['GET', '/me/photo', 4, 'GET https://graph.microsoft.com/v1.0/me/photo'],
      ['PATCH', '/users/{userId}/photo/$value', 5, 'PATCH /users/{id}/photo/$value'],
    ],
  );
  // Read once per block: the rules that ask again get the same lines.
  assert.equal(requestLinesIn(mixed), lines);
  assert.deepEqual(requestLinesIn(code('{\n  "GET": "/me/photo"\n}')), []);
  assert.deepEqual(requestLinesIn(code('')), []);
});

test('teams, a team through its group, and why other paths have no resource', () => {
  const classify = (raw: string) => {
    const n = normalizePath(raw);
    return [n.path, n.resource, n.target, n.route, n.unclassified?.why, n.unclassified?.collection];
  };
  assert.deepEqual(classify('/teams/{team-id}/photo/$value'), ['/teams/{teamId}/photo/$value', 'team', 'value', undefined, undefined, undefined]);
  assert.deepEqual(classify('/groups/{teamId}/photo/$value'), ['/groups/{teamId}/photo/$value', 'team', 'value', 'groups', undefined, undefined]);
  assert.deepEqual(classify('/groups/{id}/photo'), ['/groups/{groupId}/photo', 'group', 'metadata', undefined, undefined, undefined]);
  assert.deepEqual(classify('/team/{id}/photo'), ['/team/{teamId}/photo', undefined, undefined, undefined, 'unknown-owner', 'team']);
  assert.deepEqual(classify('/teams/{id}/contacts/{id}/photo')[4], 'unknown-target');
  assert.deepEqual(classify('/users/{id}/messages')[4], 'not-photo-path');
  assert.equal(operationId({ api: 'graph', version: 'beta', method: 'PUT', resource: 'team', target: 'value', route: 'groups' }), 'graph.beta.put.team.value.via-groups');
});

test('lines shaped like requests that are not readable ones are kept with the reason', () => {
  const code = (value: string): Code => ({ type: 'code', value });
  const block = code('GET /me/photo\nHEAD /me/photo\nget /me/photo\nGET /me/photo (size)\nreturn /x/.test(s)\nHTTP/1.1 200 OK');
  assert.deepEqual(requestLinesIn(block).map((l) => l.offset), [0]);
  assert.deepEqual(
    rejectedRequestLinesIn(block).map((l) => [l.offset, l.why.split(' ')[0]]),
    [
      [1, "'HEAD'"],
      [2, 'method'],
      [3, 'the'],
    ],
  );
});
