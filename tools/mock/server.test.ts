import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import sharp from 'sharp';
import { appToken, call, dimensions, image, startTestServer, streamUpload, T, testInputs, userToken } from './testing.ts';
import type { MockServer } from './server.ts';

const ETAG = /^"[0-9A-F]{8}"$/;

async function photoState(server: MockServer, keyPart: string) {
  const state = (await call(server, 'GET', '/_mock/state')).json() as { photos: { key: string; etag: string; store: string; sizes: string[]; original: { width: number; height: number } }[] };
  return state.photos.find((p) => p.key.includes(keyPart.toLowerCase()));
}

describe('docs profile', () => {
  let server: MockServer;
  let graphApp: string;
  let graphAlice: string;
  let outlookAlice: string;
  let graphPat: string;
  let graphAliceReader: string;
  before(async () => {
    server = await startTestServer();
    graphApp = await appToken(server, 'graph');
    graphAlice = await userToken(server, 'graph', T.aliceUpn, 'alice-pw', ['User.ReadWrite', 'Contacts.ReadWrite']);
    outlookAlice = await userToken(server, 'outlook', T.aliceUpn, 'alice-pw', ['User.Read', 'User.ReadWrite', 'User.ReadWrite.All']);
    graphPat = await userToken(server, 'graph', 'pat@outlook.com', 'pat-pw', ['User.ReadWrite'], T.consumer);
    graphAliceReader = await userToken(server, 'graph', T.aliceUpn, 'alice-pw', ['User.Read', 'Contacts.Read']);
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  describe('every address form the spec lists', () => {
    const writeForms: [string, string, 'app' | 'alice'][] = [
      ['/v1.0/me/photo/$value', `user|${T.alice}`, 'alice'],
      [`/v1.0/users/${T.bob}/photo/$value`, `user|${T.bob}`, 'app'],
      ['/v1.0/users/bob@small.onmicrosoft.com/photo/$value', `user|${T.bob}`, 'app'],
      [`/v1.0/Users('${T.bob}')/photo/$value`, `user|${T.bob}`, 'app'],
      [`/v1.0/USERS/${T.bob}/photo/%24value`, `user|${T.bob}`, 'app'],
      [`/beta/users/${T.bob}/photo/$value`, `user|${T.bob}`, 'app'],
      [`/v1.0/groups/${T.group}/photo/$value`, `group|${T.group}`, 'app'],
      [`/v1.0/me/contacts/${T.carol}/photo/$value`, `contact|${T.alice}|${T.carol}`, 'alice'],
      [`/v1.0/users/${T.alice}/contacts/${T.carol}/photo/$value`, `contact|${T.alice}|${T.carol}`, 'app'],
      [`/v1.0/me/contactFolders/${T.folder}/contacts/${T.dave}/photo/$value`, `contact|${T.alice}|${T.dave}`, 'alice'],
      [`/v1.0/users/${T.aliceUpn}/contactfolders/${T.folder}/contacts/${T.dave}/photo/$value`, `contact|${T.alice}|${T.dave}`, 'app'],
    ];
    for (const [path, key, who] of writeForms) {
      it(`PUT ${path} replaces that owner's photo`, async () => {
        const before = await photoState(server, key);
        const r = await call(server, 'PUT', path, { token: who === 'app' ? graphApp : graphAlice, body: await image(120, 120), contentType: 'image/jpeg' });
        assert.equal(r.status, 200, r.bytes.toString());
        assert.equal(r.bytes.length, 0);
        const after = await photoState(server, key);
        assert.ok(after, 'a photo is stored');
        assert.notEqual(after.etag, before?.etag);
      });
    }

    const readForms = [
      '/api/beta/me/photo',
      `/api/beta/Users('${T.alice}')/photo`,
      `/api/beta/users('${T.aliceUpn}')/photo`,
      `/api/beta/Users('${T.alice}@${T.tenant}')/photo`,
      '/api/v2.0/me/photo',
      '/api/beta/me/photos',
      "/api/beta/me/photos('240x240')",
      '/api/beta/me/photos/240X240',
      "/api/beta/me/photos('240x240')/$value",
      '/api/beta/me/photo/$value',
      '/api/v2.0/me/photo/%24value',
    ];
    for (const path of readForms) {
      it(`GET ${path}`, async () => {
        const r = await call(server, 'GET', path, { token: outlookAlice });
        assert.equal(r.status, 200, r.bytes.toString());
        if (path.toLowerCase().endsWith('value')) assert.equal(r.headers.get('content-type'), 'image/jpeg');
        else assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
      });
    }

    it('answers an unknown route, user, group and contact with the protocol error body', async () => {
      const cases: [string, string, number, string][] = [
        ['GET', '/api/beta/me/photograph', 404, 'ResourceNotFound'],
        ['GET', '/v7.0/me/photo', 404, 'ResourceNotFound'],
        ['GET', "/api/beta/Users('nobody@small.onmicrosoft.com')/photo", 404, 'ErrorInvalidUser'],
        ['PUT', '/v1.0/groups/11111111-0000-4000-8000-00000000dead/photo/$value', 404, 'ErrorItemNotFound'],
        ['PUT', `/v1.0/me/contacts/${T.dave}/photo/$value`, 404, 'ErrorItemNotFound'], // Dave is in a folder
      ];
      for (const [method, path, status, code] of cases) {
        const token = path.startsWith('/api') ? outlookAlice : path.includes('/groups/') ? graphApp : graphAlice;
        const r = await call(server, method, path, { token, body: method === 'PUT' ? await image(64, 64) : undefined, contentType: 'image/jpeg' });
        assert.equal(r.status, status, `${method} ${path}: ${r.bytes.toString()}`);
        assert.equal(r.json().error.code, code, path);
      }
    });
  });

  describe('dialects and errors', () => {
    it('Outlook metadata matches the schema of the page example, key for key', async () => {
      const r = await call(server, 'GET', "/api/beta/me/photos('240x240')", { token: outlookAlice });
      const body = r.json();
      assert.deepEqual(Object.keys(body), ['@odata.context', '@odata.id', '@odata.mediaContentType', '@odata.mediaEtag', 'Id', 'Width', 'Height']);
      const validate = new Ajv({ strict: false }).compile(server.spec.schemas['outlook-photo'] as object);
      const valid = validate(body as object);
      assert.ok(valid, JSON.stringify(validate.errors));
      assert.equal(body.Id, '240X240');
      assert.equal(body['@odata.context'], `${server.url}/api/beta/$metadata#Me/photo/$entity`);
      // The page's example for photos('240x240') names the photo entity, not the size.
      assert.equal(body['@odata.id'], `${server.url}/api/beta/Users('${T.alice}@${T.tenant}')/photo`);
    });

    it('Graph metadata uses Graph property names, shaped like the get pages\' examples', async () => {
      const r = await call(server, 'GET', `/v1.0/users/${T.alice}/photo`, { token: graphApp });
      assert.equal(r.status, 200, r.bytes.toString());
      const body = r.json();
      assert.deepEqual(Object.keys(body), ['@odata.context', '@odata.id', '@odata.mediaContentType', '@odata.mediaEtag', 'id', 'width', 'height']);
      assert.equal(body['@odata.context'], `${server.url}/v1.0/$metadata#users('${T.alice}')/photo/$entity`);
      assert.equal(body['@odata.id'], `${server.url}/v1.0/users('${T.alice}@${T.tenant}')/photo`);
      const validate = new Ajv({ strict: false }).compile(server.spec.schemas['graph-photo'] as object);
      assert.ok(validate(body), JSON.stringify(validate.errors));
      // The page's example for /me: the context names Me.
      const me = (await call(server, 'GET', '/v1.0/me/photo', { token: graphAliceReader })).json();
      assert.equal(me['@odata.context'], `${server.url}/v1.0/$metadata#Me/photo/$entity`);
    });

    it("Graph errors carry innerError and the ids; the client's client-request-id is echoed", async () => {
      const r = await call(server, 'PUT', '/v1.0/me/photo/$value', { token: 'not-a-jwt', body: await image(64, 64), contentType: 'image/jpeg', headers: { 'client-request-id': 'abc-123' } });
      assert.equal(r.status, 401);
      const error = r.json().error;
      assert.equal(error.code, 'InvalidAuthenticationToken');
      assert.equal(error.innerError['client-request-id'], 'abc-123');
      assert.equal(r.headers.get('client-request-id'), 'abc-123');
      assert.equal(error.innerError['request-id'], r.headers.get('request-id'));
      assert.match(error.innerError.date, /^\d{4}-\d\d-\d\dT/);
    });

    it('Outlook errors have its own shape (code and message only)', async () => {
      const r = await call(server, 'GET', '/api/beta/me/photo');
      assert.equal(r.status, 401);
      assert.deepEqual(Object.keys(r.json().error).sort(), ['code', 'message']);
    });

    it('401 without a token, 403 without the permission, refused for a personal account', async () => {
      const body = await image(64, 64);
      assert.equal((await call(server, 'PUT', `/v1.0/users/${T.bob}/photo/$value`, { body, contentType: 'image/jpeg' })).status, 401);
      const noPhoto = await appToken(server, 'graph', T.nophoto);
      const r = await call(server, 'PUT', `/v1.0/users/${T.bob}/photo/$value`, { token: noPhoto, body, contentType: 'image/jpeg' });
      assert.equal(r.status, 403);
      assert.equal(r.json().error.code, 'ErrorAccessDenied');
      const personal = await call(server, 'PUT', '/v1.0/me/photo/$value', { token: graphPat, body, contentType: 'image/jpeg' });
      assert.equal(personal.status, 403, personal.bytes.toString());
      const outlookToken = await call(server, 'PUT', `/v1.0/users/${T.bob}/photo/$value`, { token: outlookAlice, body, contentType: 'image/jpeg' });
      assert.equal(outlookToken.status, 401, 'a token for another audience');
    });
  });

  describe('ETag', () => {
    it('is 8 hex digits in quotes, the same in the header and in @odata.mediaEtag, and new on every update', async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 4; i++) {
        const put = await call(server, 'PUT', '/api/beta/me/photo/$value', { token: outlookAlice, body: await image(100, 100), contentType: 'image/jpeg' });
        assert.equal(put.status, 200);
        const meta = await call(server, 'GET', '/api/beta/me/photo', { token: outlookAlice });
        const value = await call(server, 'GET', '/api/beta/me/photo/$value', { token: outlookAlice });
        const etag = meta.json()['@odata.mediaEtag'];
        assert.match(etag, ETAG);
        assert.equal(meta.headers.get('etag'), etag);
        assert.equal(value.headers.get('etag'), etag);
        assert.equal(value.headers.get('cache-control'), 'private');
        seen.add(etag);
      }
      assert.equal(seen.size, 4);
    });

    it('ignores If-None-Match (no 304), as observed', async () => {
      const first = await call(server, 'GET', '/api/beta/me/photo/$value', { token: outlookAlice });
      const again = await call(server, 'GET', '/api/beta/me/photo/$value', { token: outlookAlice, headers: { 'If-None-Match': first.headers.get('etag')! } });
      assert.equal(again.status, 200);
    });
  });

  describe('size variants', () => {
    const predefined = [48, 64, 96, 120, 240, 360, 432, 504, 648];
    for (const [w, h] of [[48, 48], [100, 100], [504, 504], [648, 648], [1000, 1000], [500, 300]] as const) {
      it(`a ${w}x${h} upload has exactly the sizes at or below its smaller side, each of exactly that size`, async () => {
        const put = await call(server, 'PUT', '/api/beta/me/photo/$value', { token: outlookAlice, body: await image(w, h), contentType: 'image/jpeg' });
        assert.equal(put.status, 200);
        const expected = predefined.filter((s) => s <= Math.min(w, h));
        const list = (await call(server, 'GET', '/api/beta/me/photos', { token: outlookAlice })).json();
        assert.deepEqual(list.value.map((v: { Id: string }) => v.Id), expected.map((s) => `${s}X${s}`));
        for (const s of expected) {
          const bytes = (await call(server, 'GET', `/api/beta/me/photos('${s}x${s}')/$value`, { token: outlookAlice })).bytes;
          assert.deepEqual(await dimensions(bytes), { width: s, height: s, format: 'jpeg' });
        }
        const largest = expected[expected.length - 1]!;
        const meta = (await call(server, 'GET', '/api/beta/me/photo', { token: outlookAlice })).json();
        assert.deepEqual([meta.Width, meta.Height], [largest, largest]);
        const missing = predefined.find((s) => s > Math.min(w, h));
        if (missing) {
          // Not made: the placeholder metadata comes back, and its bytes are not found (docs profile).
          const meta = await call(server, 'GET', `/api/beta/me/photos('${missing}x${missing}')`, { token: outlookAlice });
          assert.equal(meta.json().Id, '1X1', `${missing}x${missing} must not exist`);
          const r = await call(server, 'GET', `/api/beta/me/photos('${missing}x${missing}')/$value`, { token: outlookAlice });
          assert.equal(r.status, 404, `${missing}x${missing} must not exist`);
        }
      });
    }

    it('pads a non-square photo into the square instead of cropping it', async () => {
      const wide = await sharp({ create: { width: 600, height: 300, channels: 3, background: '#0000ff' } }).jpeg().toBuffer();
      await call(server, 'PUT', '/api/beta/me/photo/$value', { token: outlookAlice, body: wide, contentType: 'image/jpeg' });
      const bytes = (await call(server, 'GET', "/api/beta/me/photos('240x240')/$value", { token: outlookAlice })).bytes;
      const { data } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
      const pixel = (x: number, y: number) => [...data.subarray((y * 240 + x) * 3, (y * 240 + x) * 3 + 3)];
      assert.ok(pixel(120, 5).every((c) => c > 230), `top edge is padding, got ${pixel(120, 5)}`);
      const centre = pixel(120, 120);
      assert.ok(centre[2]! > 200 && centre[0]! < 60, `centre is the photo, got ${centre}`);
    });

    it('answers a size that does not exist with the 1x1 placeholder metadata, with or without a photo, and no bytes', async () => {
      for (const who of ['me', `Users('${T.bob}')`]) {
        for (const size of ['7x7', '648x648']) {
          if (who === 'me' && size === '648x648') continue; // Alice's seed photo has 648x648
          const meta = await call(server, 'GET', `/api/beta/${who}/photos('${size}')`, { token: outlookAlice });
          assert.equal(meta.status, 200, `${who} ${size}`);
          assert.deepEqual([meta.json().Id, meta.json()['@odata.mediaEtag']], ['1X1', ''], `${who} ${size}`);
          // No page shows a placeholder's bytes: the observed answer, 404 ImageNotFound.
          const value = await call(server, 'GET', `/api/beta/${who}/photos('${size}')/$value`, { token: outlookAlice });
          assert.deepEqual([value.status, value.json().error.code], [404, 'ImageNotFound'], `${who} ${size}`);
        }
      }
    });
  });

  describe('mailbox fallback', () => {
    it('updates a user without a mailbox in the directory store, keeps any dimension and reads from there', async () => {
      const put = await call(server, 'PUT', `/beta/users/${T.dan}/photo/$value`, { token: graphApp, body: await image(1000, 700), contentType: 'image/jpeg' });
      assert.equal(put.status, 200, put.bytes.toString());
      assert.equal((await photoState(server, T.dan))?.store, 'directory');
      const meta = (await call(server, 'GET', `/api/beta/Users('${T.dan}')/photo`, { token: outlookAlice })).json();
      assert.deepEqual([meta.Id, meta.Width, meta.Height], ['1000X700', 1000, 700]);
      const list = (await call(server, 'GET', `/api/beta/Users('${T.dan}')/photos`, { token: outlookAlice })).json();
      assert.deepEqual(list.value.map((v: { Id: string }) => v.Id), ['1000X700']);
      const value = await call(server, 'GET', `/api/beta/Users('${T.dan}')/photo/$value`, { token: outlookAlice });
      assert.equal(value.headers.get('content-type'), 'image/jpeg');
      assert.deepEqual(await dimensions(value.bytes), { width: 1000, height: 700, format: 'jpeg' });
    });
  });

  describe('methods per version', () => {
    it('405 with Allow for a method the version does not allow', async () => {
      const body = await image(64, 64);
      const cases: [string, string, string][] = [
        // Graph's $value lists GET as well since the get pages joined the spec.
        ['PATCH', '/beta/me/photo/$value', 'GET, PUT'],
        ['PATCH', '/api/beta/me/photo/$value', 'GET, PUT'],
        ['DELETE', '/v1.0/me/photo/$value', 'GET, PATCH, PUT'],
        ['POST', '/api/beta/me/photo', 'GET'],
        ['PUT', '/v1.0/me/photo', 'GET'],
        ['PATCH', `/v1.0/teams/${T.team}/photo/$value`, 'GET, PUT'],
      ];
      for (const [method, path, allow] of cases) {
        const token = path.startsWith('/api') ? outlookAlice : graphAlice;
        const r = await call(server, method, path, { token, body: method === 'GET' ? undefined : body, contentType: 'image/jpeg' });
        assert.equal(r.status, 405, `${method} ${path}`);
        assert.equal(r.headers.get('allow'), allow, `${method} ${path}`);
      }
      assert.equal((await call(server, 'PATCH', '/v1.0/me/photo/$value', { token: graphAlice, body, contentType: 'image/jpeg' })).status, 200);
      assert.equal((await call(server, 'PATCH', '/api/v2.0/me/photo/$value', { token: outlookAlice, body, contentType: 'image/jpeg' })).status, 200);
    });
  });

  describe('content types and bad bodies', () => {
    it('415 for a missing or non-JPEG Content-Type (the pages: Content-Type image/jpeg, required)', async () => {
      for (const contentType of [undefined, 'image/png', 'application/octet-stream', 'text/plain']) {
        const r = await call(server, 'PUT', '/v1.0/me/photo/$value', { token: graphAlice, body: await image(64, 64), contentType });
        assert.equal(r.status, 415, String(contentType));
      }
      const withParameters = await call(server, 'PUT', '/v1.0/me/photo/$value', { token: graphAlice, body: await image(64, 64), contentType: 'Image/JPEG; charset=binary' });
      assert.equal(withParameters.status, 200);
    });

    it('400 with an error body for bytes that are not a JPEG, and the stored photo stays', async () => {
      const before = await photoState(server, T.alice);
      const jpeg = await image(200, 200);
      const bodies: [string, Buffer][] = [
        ['text', Buffer.from('hello, not an image')],
        ['zero bytes', Buffer.alloc(0)],
        ['truncated', jpeg.subarray(0, Math.floor(jpeg.length / 2))],
        ['png', await image(64, 64, 'png')],
        ['gif', await image(64, 64, 'gif')],
      ];
      for (const [name, body] of bodies) {
        const r = await call(server, 'PUT', '/v1.0/me/photo/$value', { token: graphAlice, body, contentType: 'image/jpeg' });
        assert.equal(r.status, 400, name);
        assert.equal(r.json().error.code, 'BadRequest', name);
      }
      assert.equal((await photoState(server, T.alice))?.etag, before?.etag);
    });
  });

  describe('no photo', () => {
    it('serves the spec placeholder as metadata: 1X1 image/gif with an empty ETag', async () => {
      const meta = await call(server, 'GET', `/api/beta/Users('${T.bob}')/photo`, { token: outlookAlice });
      assert.equal(meta.status, 200);
      const body = meta.json();
      assert.deepEqual([body.Id, body.Width, body.Height, body['@odata.mediaContentType'], body['@odata.mediaEtag']], ['1X1', 1, 1, 'image/gif', '']);
      assert.equal(meta.headers.get('etag'), null);
      // The placeholder is metadata: no page shows its bytes, so $value answers as observed.
      const value = await call(server, 'GET', `/api/beta/Users('${T.bob}')/photo/$value`, { token: outlookAlice });
      assert.deepEqual([value.status, value.json().error.code], [404, 'ImageNotFound']);
      const list = (await call(server, 'GET', `/api/beta/Users('${T.bob}')/photos`, { token: outlookAlice })).json();
      assert.deepEqual(list.value.map((v: { Id: string }) => v.Id), ['1X1']);
    });
  });

  describe('reset', () => {
    it('puts every photo back to the fixture, in process and through POST /_mock/reset', async () => {
      const seed = await photoState(server, T.alice);
      await call(server, 'PUT', '/v1.0/me/photo/$value', { token: graphAlice, body: await image(64, 64), contentType: 'image/jpeg' });
      await call(server, 'PUT', `/v1.0/users/${T.bob}/photo/$value`, { token: graphApp, body: await image(64, 64), contentType: 'image/jpeg' });
      assert.notEqual((await photoState(server, T.alice))?.etag, seed?.etag);
      assert.equal((await call(server, 'POST', '/_mock/reset')).status, 204);
      assert.equal((await photoState(server, T.alice))?.etag, seed?.etag);
      assert.equal(await photoState(server, T.bob), undefined);
    });
  });
});

describe('docs profile: the reads of the get pages', () => {
  let server: MockServer;
  let graphApp: string;
  let graphAlice: string;
  let betaReaderApp: string;
  before(async () => {
    server = await startTestServer();
    graphApp = await appToken(server, 'graph');
    graphAlice = await userToken(server, 'graph', T.aliceUpn, 'alice-pw', ['User.Read', 'Contacts.Read', 'Team.ReadBasic.All']);
    betaReaderApp = await appToken(server, 'graph', T.rsc);
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  it('serves every Graph read the spec lists, by its own path', async () => {
    const concrete: Record<string, string> = { userId: T.alice, groupId: T.group, teamId: T.team, contactId: T.carol, contactFolderId: T.folder, size: '48x48' };
    let served = 0;
    for (const op of server.spec.operations.filter((o) => o.api === 'graph' && o.method === 'GET')) {
      const contact = op.resource === 'contactInFolder' ? T.dave : T.carol;
      const path = `/${op.version}${op.path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'contactId' ? contact : concrete[name]!))}`;
      const token = op.path.startsWith('/me') ? graphAlice : graphApp;
      const r = await call(server, 'GET', path, { token });
      // Dave (in a folder) has no photo: his $value is the documented 404, his metadata the placeholder.
      const expected = op.resource === 'contactInFolder' && op.target === 'value' ? 404 : 200;
      assert.equal(r.status, expected, `${op.id}: GET ${path}: ${r.bytes.toString().slice(0, 200)}`);
      served++;
    }
    assert.ok(served >= 40, `the fixture lists Graph reads (${served})`);
  });

  it('$value carries the ETag the metadata names, and the collection lists exactly the sizes at or below the upload', async () => {
    const put = await call(server, 'PUT', `/v1.0/users/${T.bob}/photo/$value`, { token: graphApp, body: await image(300, 200), contentType: 'image/jpeg' });
    assert.equal(put.status, 200);
    const meta = await call(server, 'GET', `/v1.0/users/${T.bob}/photo`, { token: graphApp });
    const value = await call(server, 'GET', `/v1.0/users/${T.bob}/photo/$value`, { token: graphApp });
    assert.match(meta.json()['@odata.mediaEtag'], ETAG);
    assert.equal(value.headers.get('etag'), meta.json()['@odata.mediaEtag']);
    const list = (await call(server, 'GET', `/beta/users/${T.bob}/photos`, { token: graphApp })).json();
    assert.deepEqual(list.value.map((v: { id: string }) => v.id), ['48X48', '64X64', '96X96', '120X120']);
    const size = await call(server, 'GET', `/beta/users/${T.bob}/photos/96x96/$value`, { token: graphApp });
    assert.deepEqual(await dimensions(size.bytes), { width: 96, height: 96, format: 'jpeg' });
  });

  it('a user without a mailbox has one photo, of any dimension: the collection lists it alone', async () => {
    const list = (await call(server, 'GET', `/v1.0/users/${T.erin}/photos`, { token: graphApp })).json();
    assert.deepEqual(list.value.map((v: { id: string; width: number; height: number }) => [v.id, v.width, v.height]), [['1200X900', 1200, 900]]);
  });

  it('no photo: 404 on $value where the get page says so, the placeholder on the metadata its example shows', async () => {
    for (const version of ['v1.0', 'beta']) {
      const value = await call(server, 'GET', `/${version}/users/${T.bob}/photo/$value`, { token: graphApp });
      assert.equal(value.status, 404, version);
      assert.match(value.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(value.json().error.code, 'ImageNotFound');
      const meta = (await call(server, 'GET', `/${version}/users/${T.bob}/photo`, { token: graphApp })).json();
      assert.deepEqual([meta.id, meta['@odata.mediaContentType'], meta['@odata.mediaEtag']], ['1X1', 'image/gif', '']);
      // Unnamed reads follow the named ones: a size's bytes like $value, the collection like the metadata.
      assert.equal((await call(server, 'GET', `/${version}/users/${T.bob}/photos/48x48/$value`, { token: graphApp })).status, 404);
      const list = (await call(server, 'GET', `/${version}/users/${T.bob}/photos`, { token: graphApp })).json();
      assert.deepEqual(list.value.map((v: { id: string }) => v.id), ['1X1']);
    }
    const team = await call(server, 'GET', `/v1.0/teams/${T.teamNoPhoto}/photo/$value`, { token: graphApp });
    assert.equal(team.status, 404);
  });

  describe('teams', () => {
    it('a team is a group: one photo behind /teams/{id} and /groups/{id}', async () => {
      const team = await call(server, 'GET', `/v1.0/teams/${T.team}/photo`, { token: graphApp });
      const group = await call(server, 'GET', `/v1.0/groups/${T.team}/photo`, { token: graphApp });
      assert.equal(team.status, 200, team.bytes.toString());
      assert.equal(team.json()['@odata.mediaEtag'], group.json()['@odata.mediaEtag']);
      assert.equal(team.json()['@odata.context'], `${server.url}/v1.0/$metadata#teams('${T.team}')/photo/$entity`);
      assert.equal(group.json()['@odata.context'], `${server.url}/v1.0/$metadata#groups('${T.team}')/photo/$entity`);
      const bytes = (await call(server, 'GET', `/v1.0/teams/${T.team}/photo/$value`, { token: graphAlice })).bytes;
      assert.deepEqual(await dimensions(bytes), { width: 240, height: 240, format: 'jpeg' });
    });

    it('updates through /teams answer 204 (a team photo), and the group shows the new photo', async () => {
      const put = await call(server, 'PUT', `/v1.0/teams/${T.team}/photo/$value`, { token: graphApp, body: await image(120, 120), contentType: 'image/jpeg' });
      assert.equal(put.status, 204, put.bytes.toString());
      const meta = (await call(server, 'GET', `/v1.0/groups/${T.team}/photo`, { token: graphApp })).json();
      assert.deepEqual([meta.width, meta.height], [120, 120]);
    });

    it("beta updates a team through its group: the team's permissions or the group's", async () => {
      const teamSettings = await userToken(server, 'graph', T.aliceUpn, 'alice-pw', ['TeamSettings.ReadWrite.All']);
      const asTeam = await call(server, 'PUT', `/beta/groups/${T.team}/photo/$value`, { token: teamSettings, body: await image(96, 96), contentType: 'image/jpeg' });
      assert.equal(asTeam.status, 204, asTeam.bytes.toString());
      // The team section refuses application permissions; the group section grants Group.ReadWrite.All.
      const asGroup = await call(server, 'PUT', `/beta/groups/${T.team}/photo/$value`, { token: graphApp, body: await image(96, 96), contentType: 'image/jpeg' });
      assert.equal(asGroup.status, 200, asGroup.bytes.toString());
      // TeamSettings.ReadWrite.All is the team's: on a plain group it opens nothing.
      const plain = await call(server, 'PUT', `/beta/groups/${T.group}/photo/$value`, { token: teamSettings, body: await image(96, 96), contentType: 'image/jpeg' });
      assert.equal(plain.status, 403);
    });

    it('/teams/{id} of a group that is no team, or of no group, is not found', async () => {
      for (const id of [T.group, '11111111-0000-4000-8000-00000000dead']) {
        const r = await call(server, 'GET', `/v1.0/teams/${id}/photo`, { token: graphApp });
        assert.equal(r.status, 404, id);
        assert.equal(r.json().error.code, 'ErrorItemNotFound');
      }
    });

    it('a resource-specific permission opens the teams that granted it, and no other', async () => {
      const granted = await call(server, 'GET', `/beta/teams/${T.team}/photo`, { token: betaReaderApp });
      assert.equal(granted.status, 200, granted.bytes.toString());
      const other = await call(server, 'GET', `/beta/teams/${T.teamNoPhoto}/photo`, { token: betaReaderApp });
      assert.equal(other.status, 403);
      // v1.0's table does not list TeamSettings.Read.Group at all.
      assert.equal((await call(server, 'GET', `/v1.0/teams/${T.team}/photo`, { token: betaReaderApp })).status, 403);
    });
  });

  it("a personal account reads its own photo and its contacts' with the permissions the get page grants it", async () => {
    const pat = '00000000-0000-0000-1111-0000000000a9';
    const user = await userToken(server, 'graph', 'pat@outlook.com', 'pat-pw', ['User.Read'], T.consumer);
    const contacts = await userToken(server, 'graph', 'pat@outlook.com', 'pat-pw', ['Contacts.Read'], T.consumer);
    assert.equal((await call(server, 'GET', `/v1.0/users/${pat}/photo/$value`, { token: user })).status, 200);
    assert.equal((await call(server, 'GET', '/v1.0/me/contacts/ContactSam/photo', { token: contacts })).status, 200);
    assert.equal((await call(server, 'GET', `/v1.0/users/${pat}/contacts/ContactSam/photo/$value`, { token: contacts })).status, 200);
    // A work tenant's user is not in the consumer tenant.
    assert.equal((await call(server, 'GET', `/v1.0/users/${T.alice}/photo`, { token: user })).json().error.code, 'ErrorInvalidUser');
  });

  it('refuses photos in an Azure AD B2C tenant, where the get pages say they are not supported', async () => {
    const token = await userToken(server, 'graph', 'quinn@smallb2c.onmicrosoft.com', 'quinn-pw', ['User.Read'], T.b2c, T.b2cApp);
    const r = await call(server, 'GET', '/v1.0/me/photo/$value', { token });
    assert.equal(r.status, 400, r.bytes.toString());
    const app = await appToken(server, 'graph', T.b2cApp, T.b2c);
    assert.equal((await call(server, 'GET', `/beta/users/${T.quinn}/photo`, { token: app })).status, 400);
  });

  describe('limits', () => {
    it('413 over the request limit even where the photo limit is larger (v1.0: photo under 8 MB, request at most 4 MB)', async () => {
      const limit = server.spec.limits.find((l) => l.api === 'graph' && l.version === 'v1.0' && (l.subject ?? 'request') === 'request')!.maxRequestBytes;
      assert.ok(server.spec.limits.some((l) => l.api === 'graph' && l.version === 'v1.0' && l.subject === 'photo' && l.maxRequestBytes > limit));
      const r = await streamUpload(server, `/v1.0/users/${T.bob}/photo/$value`, graphApp, limit + 1, true);
      assert.equal(r.status, 413);
    });

    it('413 over a photo limit tighter than the request limit, naming the photo', async () => {
      const { spec } = await testInputs();
      const tight = { ...spec, limits: spec.limits.map((l) => (l.api === 'graph' && l.version === 'beta' ? l : l.subject === 'photo' ? { ...l, maxRequestBytes: 1024 * 1024 } : l)) };
      const small = await startTestServer({ spec: tight });
      try {
        const token = await appToken(small, 'graph');
        const over = await call(small, 'PUT', `/v1.0/users/${T.bob}/photo/$value`, { token, body: Buffer.alloc(1024 * 1024 + 1, 1), contentType: 'image/jpeg' });
        assert.equal(over.status, 413);
        assert.match(over.json().error.message, /photo/);
        const under = await call(small, 'PUT', `/v1.0/users/${T.bob}/photo/$value`, { token, body: await image(200, 200), contentType: 'image/jpeg' });
        assert.equal(under.status, 200);
      } finally {
        await small.close();
      }
    });
  });
});

describe('live profile', () => {
  let server: MockServer;
  let outlookAlice: string;
  let graphApp: string;
  before(async () => {
    server = await startTestServer({ profile: 'live' });
    graphApp = await appToken(server, 'graph');
    outlookAlice = await userToken(server, 'outlook', T.aliceUpn, 'alice-pw', ['User.ReadWrite.All']);
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  it('answers 404 ImageNotFound as JSON when there is no photo, even on $value and /photos', async () => {
    for (const path of [`/api/beta/Users('${T.bob}')/photo`, `/api/beta/Users('${T.bob}')/photo/$value`, `/api/beta/Users('${T.bob}')/photos`]) {
      const r = await call(server, 'GET', path, { token: outlookAlice });
      assert.equal(r.status, 404, path);
      assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(r.json().error.code, 'ImageNotFound');
    }
  });

  it('accepts PNG and serves /photo as the stored original with id default', async () => {
    const put = await call(server, 'PUT', `/v1.0/users/${T.bob}/photo/$value`, { token: graphApp, body: await image(300, 200, 'png'), contentType: 'image/png' });
    assert.equal(put.status, 200, put.bytes.toString());
    const meta = (await call(server, 'GET', `/api/beta/Users('${T.bob}')/photo`, { token: outlookAlice })).json();
    assert.deepEqual([meta.Id, meta.Width, meta.Height], ['default', 300, 200]);
    const list = (await call(server, 'GET', `/api/beta/Users('${T.bob}')/photos`, { token: outlookAlice })).json();
    assert.equal(list.value[0].Id, '48x48');
  });

  it('shapes Graph metadata as observed: the user by id in the context, no @odata.id, id default', async () => {
    const body = (await call(server, 'GET', `/v1.0/users/${T.alice}/photo`, { token: graphApp })).json();
    assert.deepEqual(Object.keys(body), ['@odata.context', '@odata.mediaContentType', '@odata.mediaEtag', 'id', 'width', 'height']);
    assert.equal(body['@odata.context'], `${server.url}/v1.0/$metadata#users('${T.alice}')/photo/$entity`);
    assert.equal(body.id, 'default');
  });

  it('answers 404 ImageNotFound on Graph reads without a photo, metadata included', async () => {
    for (const path of [`/v1.0/users/${T.bob}/photo`, `/v1.0/users/${T.bob}/photo/$value`, `/beta/users/${T.bob}/photos`]) {
      const r = await call(server, 'GET', path, { token: graphApp });
      assert.equal(r.status, 404, path);
      assert.equal(r.json().error.code, 'ImageNotFound', path);
    }
  });

  it('a personal account reads /me/photo/$value, and gets ConsumerPhotoIsNotSupported for its metadata even where the page grants it', async () => {
    const pat = await userToken(server, 'graph', 'pat@outlook.com', 'pat-pw', ['User.Read'], T.consumer);
    assert.equal((await call(server, 'GET', '/v1.0/me/photo/$value', { token: pat })).status, 200);
    const meta = await call(server, 'GET', '/v1.0/me/photo', { token: pat });
    assert.equal(meta.status, 404);
    assert.equal(meta.json().error.code, 'ConsumerPhotoIsNotSupported');
  });

  it('serves directory-store $value as image/Jpeg', async () => {
    const r = await call(server, 'GET', `/api/beta/Users('${T.erin}')/photo/$value`, { token: outlookAlice });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'image/Jpeg');
  });

  it('refuses a size segment on a contact photo with 400 BadRequest', async () => {
    const r = await call(server, 'GET', `/v1.0/users/${T.alice}/contacts/${T.carol}/photos/48x48`, { token: graphApp });
    assert.equal(r.status, 400);
    assert.equal(r.json().error.code, 'BadRequest');
  });

  it('answers a size the photo does not have with 404 text/plain', async () => {
    const r = await call(server, 'GET', "/api/beta/me/photos('7x7')", { token: outlookAlice });
    assert.equal(r.status, 404);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
  });
});

describe('against the committed spec', () => {
  it('serves Outlook metadata that validates against every schema the spec names for it, in both profiles', async () => {
    const { readSpec } = await import('../spec/io.ts');
    const spec = await readSpec();
    for (const profile of ['docs', 'live'] as const) {
      const server = await startTestServer({ spec, profile });
      try {
        const token = await userToken(server, 'outlook', T.aliceUpn, 'alice-pw', ['User.Read', 'User.ReadBasic.All']);
        let checked = 0;
        for (const op of spec.operations.filter((o) => o.api === 'outlook' && o.method === 'GET' && o.resource === 'me')) {
          for (const response of op.responses.filter((r) => r.schema && r.status === 200)) {
            const path = `/api/${op.version}${op.path.replace(/\{[^}]*\}/g, '240x240')}`;
            const r = await call(server, 'GET', path, { token });
            assert.equal(r.status, 200, `${profile} ${path}: ${r.bytes.toString()}`);
            const validate = new Ajv({ strict: false }).compile(spec.schemas[response.schema!] as object);
            const valid = validate(r.json() as object);
            assert.ok(valid, `${profile} ${path}: ${JSON.stringify(validate.errors)}`);
            checked++;
          }
        }
        assert.ok(checked > 0, 'the spec names a metadata schema');
      } finally {
        await server.close();
      }
    }
  });
});
