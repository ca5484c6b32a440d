import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Ajv } from 'ajv';
import sharp from 'sharp';
import { appToken, call, dimensions, image, startTestServer, T, userToken } from './testing.ts';
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
  before(async () => {
    server = await startTestServer();
    graphApp = await appToken(server, 'graph');
    graphAlice = await userToken(server, 'graph', T.aliceUpn, 'alice-pw', ['User.ReadWrite', 'Contacts.ReadWrite']);
    outlookAlice = await userToken(server, 'outlook', T.aliceUpn, 'alice-pw', ['User.Read', 'User.ReadWrite', 'User.ReadWrite.All']);
    graphPat = await userToken(server, 'graph', 'pat@outlook.com', 'pat-pw', ['User.ReadWrite'], T.consumer);
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

    it('Graph metadata (graphReads on) uses Graph property names', async () => {
      const graphReads = await startTestServer({ graphReads: true });
      try {
        const token = await appToken(graphReads, 'graph');
        const r = await call(graphReads, 'GET', `/v1.0/users/${T.alice}/photo`, { token });
        assert.equal(r.status, 200, r.bytes.toString());
        assert.deepEqual(Object.keys(r.json()).sort(), ['@odata.context', '@odata.mediaContentType', '@odata.mediaEtag', 'height', 'id', 'width']);
        assert.equal(r.json()['@odata.context'], `${graphReads.url}/v1.0/$metadata#users('${T.alice}')/photo/$entity`);
      } finally {
        await graphReads.close();
      }
      const off = await call(server, 'GET', `/v1.0/users/${T.alice}/photo`, { token: graphApp });
      assert.equal(off.status, 404, 'no Graph reads unless asked for');
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
          // Not made: the placeholder comes back instead (docs profile).
          const r = await call(server, 'GET', `/api/beta/me/photos('${missing}x${missing}')/$value`, { token: outlookAlice });
          assert.equal(r.headers.get('content-type'), 'image/gif', `${missing}x${missing} must not exist`);
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

    it('answers a size that does not exist with the 1x1 placeholder, with or without a photo', async () => {
      for (const who of ['me', `Users('${T.bob}')`]) {
        for (const size of ['7x7', '648x648']) {
          if (who === 'me' && size === '648x648') continue; // Alice's seed photo has 648x648
          const meta = await call(server, 'GET', `/api/beta/${who}/photos('${size}')`, { token: outlookAlice });
          assert.equal(meta.status, 200, `${who} ${size}`);
          assert.deepEqual([meta.json().Id, meta.json()['@odata.mediaEtag']], ['1X1', ''], `${who} ${size}`);
          const value = await call(server, 'GET', `/api/beta/${who}/photos('${size}')/$value`, { token: outlookAlice });
          assert.deepEqual(await dimensions(value.bytes), { width: 1, height: 1, format: 'gif' }, `${who} ${size}`);
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
        ['PATCH', '/beta/me/photo/$value', 'PUT'],
        ['PATCH', '/api/beta/me/photo/$value', 'GET, PUT'],
        ['DELETE', '/v1.0/me/photo/$value', 'PATCH, PUT'],
        ['POST', '/api/beta/me/photo', 'GET'],
        ['GET', '/v1.0/me/photo/$value', 'PATCH, PUT'],
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
    it('serves the spec placeholder: 1X1 image/gif with an empty ETag', async () => {
      const meta = await call(server, 'GET', `/api/beta/Users('${T.bob}')/photo`, { token: outlookAlice });
      assert.equal(meta.status, 200);
      const body = meta.json();
      assert.deepEqual([body.Id, body.Width, body.Height, body['@odata.mediaContentType'], body['@odata.mediaEtag']], ['1X1', 1, 1, 'image/gif', '']);
      assert.equal(meta.headers.get('etag'), null);
      const value = await call(server, 'GET', `/api/beta/Users('${T.bob}')/photo/$value`, { token: outlookAlice });
      assert.equal(value.status, 200);
      assert.equal(value.headers.get('content-type'), 'image/gif');
      assert.deepEqual(await dimensions(value.bytes), { width: 1, height: 1, format: 'gif' });
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
