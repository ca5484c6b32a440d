/**
 * A corpus of bad requests against a running mock (docs profile). Each must get its 4xx with
 * the protocol's error body, the server must keep serving, and no stored photo may change.
 * Expected answers come from the identity platform's and the profile's own definitions,
 * not from numbers written here, except the statuses HTTP itself fixes (401, 404, 405, 413).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, UnsecuredJWT } from 'jose';
import sharp from 'sharp';
import { DEFAULT_SPEC_PATH, readSpec } from '../../spec/io.ts';
import { createIdentityPlatform } from '../auth/identity-platform.ts';
import { PROFILES, SILENT_PAGE_ANSWERS } from '../profiles.ts';
import { startMockServer, type MockServer } from '../server.ts';
import { loadTenantFixture } from '../../tenant/load.ts';
import { TEST_SPEC_PATH } from '../testing.ts';
import { findOperation, userPhotoUrl } from './load.ts';

const SPEC_FILE = existsSync(DEFAULT_SPEC_PATH) ? DEFAULT_SPEC_PATH : TEST_SPEC_PATH;
const CONTOSO = '8f3c2a10-0001-4c5e-9a7b-000000000001';
const ADMIN = { clientId: '3e9a4b7c-0001-4d2e-8f1a-000000000301', secret: 'contoso-admin-secret-3e9a' };
const NO_PHOTO = { clientId: '3e9a4b7c-0004-4d2e-8f1a-000000000304', secret: 'contoso-nophoto-secret-3e9a' };
const ADELE = { id: '5b2e7c41-0001-4a1f-8d3e-000000000101', upn: 'adele.vance@contoso.onmicrosoft.com', password: 'Adele-Photo-1' };
const HUNDRED_MB = 100 * 1024 * 1024;
const docs = PROFILES.docs;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** body bytes this client managed to send before the answer */
  sent: number;
}

type Body = Buffer | { streamBytes: number; declareLength: boolean };

/** Raw HTTP, so paths go out exactly as written (fetch would normalise `..`) and bodies can stream. */
function send(server: MockServer, method: string, path: string, headers: Record<string, string>, body?: Body): Promise<Answer> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = request({ host: hostname, port, method, path, headers }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), sent }));
      res.on('error', reject);
    });
    req.setTimeout(15_000, () => req.destroy(new Error(`${method} ${path.slice(0, 80)}: no answer in 15 s`)));
    // Once answered, a write the server no longer reads may fail; that is the refusal working.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    if (body === undefined) return void req.end();
    if (Buffer.isBuffer(body)) {
      sent = body.length;
      return void req.end(body);
    }
    if (body.declareLength) req.setHeader('Content-Length', String(body.streamBytes));
    const chunk = Buffer.alloc(64 * 1024, 0xff);
    const pump = () => {
      while (!answered && !req.destroyed && sent < body.streamBytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered && !req.destroyed) req.end();
    };
    pump();
  });
}

describe('bad input corpus (docs profile)', { timeout: 120_000 }, () => {
  let server: MockServer;
  let putAdele: string;
  let metadataAdele: string;
  let valueAdele: string;
  let limit: number;
  let graphToken: string;
  let outlookToken: string;
  let readerToken: string;
  let noPhotoToken: string;
  let foreignToken: string;
  let jpeg: Buffer;
  let stateBefore: unknown;
  let bytesBefore: string;

  const token = async (form: Record<string, string>) => {
    const response = await fetch(`${server.url}/${CONTOSO}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams(form) });
    return ((await response.json()) as { access_token: string }).access_token;
  };
  const app = (a: typeof ADMIN, resource: string) =>
    token({ grant_type: 'client_credentials', client_id: a.clientId, client_secret: a.secret, scope: `${resource}/.default` });
  const photos = async () => ((await (await fetch(`${server.url}/_mock/state`)).json()) as { photos: unknown[] }).photos;
  const adeleBytes = async () => {
    const answer = await send(server, 'GET', valueAdele, { Authorization: `Bearer ${readerToken}` });
    assert.equal(answer.status, 200);
    return createHash('sha256').update(answer.body).digest('hex');
  };

  before(async () => {
    const [spec, fixture] = await Promise.all([readSpec(SPEC_FILE), loadTenantFixture()]);
    server = await startMockServer({ spec, tenantFixture: fixture });
    const put = findOperation(server, 'graph', 'v1.0', 'PUT', 'value');
    putAdele = userPhotoUrl(put, ADELE.id);
    metadataAdele = userPhotoUrl(findOperation(server, 'outlook', 'v2.0', 'GET', 'metadata'), ADELE.id);
    valueAdele = userPhotoUrl(findOperation(server, 'outlook', 'v2.0', 'GET', 'value'), ADELE.id);
    limit = put.maxRequestBytes ?? spec.limits.find((l) => l.api === 'graph' && l.version === 'v1.0')!.maxRequestBytes;
    graphToken = await app(ADMIN, 'https://graph.microsoft.com');
    outlookToken = await app(ADMIN, 'https://outlook.office.com');
    noPhotoToken = await app(NO_PHOTO, 'https://graph.microsoft.com');
    readerToken = await token({
      grant_type: 'password',
      client_id: ADMIN.clientId,
      client_secret: ADMIN.secret,
      username: ADELE.upn,
      password: ADELE.password,
      scope: 'https://outlook.office.com/User.Read.All',
    });
    // Right issuer, audience and claims, signed by a key this server never published.
    const stranger = await createIdentityPlatform({ fixture, baseUrl: server.url });
    foreignToken = await stranger.issueAccessToken({ tenantId: CONTOSO, appId: ADMIN.clientId, audience: 'https://graph.microsoft.com', roles: ['User.ReadWrite.All'] });
    jpeg = await sharp({ create: { width: 120, height: 120, channels: 3, background: '#ff8800' } }).jpeg().toBuffer();
    stateBefore = await photos();
    bytesBefore = await adeleBytes();
  });
  after(() => server.close());

  const auth = () => ({ Authorization: `Bearer ${graphToken}` });
  const jpegHeaders = () => ({ ...auth(), 'Content-Type': 'image/jpeg' });

  interface Case {
    name: string;
    method?: string;
    path?: () => string;
    headers: () => Record<string, string>;
    body?: () => Promise<Body> | Body;
    status: () => number;
    code?: () => string;
    /** for the 100 MB bodies: how much the server may read before refusing */
    maxRead?: () => number;
  }
  const invalidToken = { status: () => 401, code: () => 'InvalidAuthenticationToken' };
  const notImage = { status: () => docs.notImage.status, code: () => docs.notImage.code };
  const unsupportedType = { status: () => SILENT_PAGE_ANSWERS.unsupportedMediaType('', []).status, code: () => SILENT_PAGE_ANSWERS.unsupportedMediaType('', []).code };
  const png = () => sharp({ create: { width: 120, height: 120, channels: 3, background: '#00ff00' } }).png().toBuffer();
  const gif = () => sharp({ create: { width: 120, height: 120, channels: 3, background: '#0000ff' } }).gif().toBuffer();

  const corpus: Case[] = [
    // Tokens
    { name: 'no Authorization header', headers: () => ({ 'Content-Type': 'image/jpeg' }), ...invalidToken },
    { name: 'an empty bearer token', headers: () => ({ Authorization: 'Bearer ', 'Content-Type': 'image/jpeg' }), ...invalidToken },
    { name: 'a bearer token that is not a JWT', headers: () => ({ Authorization: 'Bearer not.a.jwt', 'Content-Type': 'image/jpeg' }), ...invalidToken },
    { name: 'Basic credentials', headers: () => ({ Authorization: 'Basic YWRtaW46YWRtaW4=', 'Content-Type': 'image/jpeg' }), ...invalidToken },
    { name: 'an alg none token', headers: () => ({ Authorization: `Bearer ${new UnsecuredJWT(decodeJwt(graphToken)).encode()}`, 'Content-Type': 'image/jpeg' }), ...invalidToken },
    {
      name: 'a token whose payload was edited',
      headers: () => {
        const [h, p, s] = graphToken.split('.');
        const edited = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), tid: '8f3c2a10-0002-4c5e-9a7b-000000000002' })).toString('base64url');
        return { Authorization: `Bearer ${h}.${edited}.${s}`, 'Content-Type': 'image/jpeg' };
      },
      ...invalidToken,
    },
    { name: 'a token signed by another key', headers: () => ({ Authorization: `Bearer ${foreignToken}`, 'Content-Type': 'image/jpeg' }), ...invalidToken },
    { name: 'an Outlook token on Graph', headers: () => ({ Authorization: `Bearer ${outlookToken}`, 'Content-Type': 'image/jpeg' }), ...invalidToken },
    {
      name: 'a token without any photo permission',
      headers: () => ({ Authorization: `Bearer ${noPhotoToken}`, 'Content-Type': 'image/jpeg' }),
      status: () => 403,
      code: () => SILENT_PAGE_ANSWERS.accessDenied().code,
    },
    // Paths
    { name: 'a user that does not exist', path: () => putAdele.replace(ADELE.id, '00000000-dead-4bad-8bad-000000000000'), headers: jpegHeaders, status: () => 404, code: () => SILENT_PAGE_ANSWERS.userNotFound('').code },
    { name: 'an unknown path segment', path: () => putAdele.replace(/\$value$/, '$valu'), headers: jpegHeaders, status: () => 404 },
    { name: 'broken percent-encoding', path: () => putAdele.replace(ADELE.id, '%E0%A4%A'), headers: jpegHeaders, status: () => SILENT_PAGE_ANSWERS.badPath().status, code: () => SILENT_PAGE_ANSWERS.badPath().code },
    { name: 'a path climbing out of the root', path: () => '/v1.0/../../etc/passwd', headers: jpegHeaders, status: () => 404 },
    { name: 'an 8 KB path', path: () => `/v1.0/users/${'a'.repeat(8000)}/photo/$value`, headers: jpegHeaders, status: () => 404 },
    { name: 'a method the version does not allow', method: 'POST', headers: jpegHeaders, status: () => 405, code: () => SILENT_PAGE_ANSWERS.methodNotAllowed('POST').code },
    // Headers
    { name: 'no Content-Type', headers: auth, ...unsupportedType },
    { name: 'Content-Type text/plain', headers: () => ({ ...auth(), 'Content-Type': 'text/plain' }), ...unsupportedType },
    { name: 'Content-Type application/octet-stream', headers: () => ({ ...auth(), 'Content-Type': 'application/octet-stream' }), ...unsupportedType },
    // Bodies
    {
      name: 'a 100 MB body with its length declared',
      headers: jpegHeaders,
      body: () => ({ streamBytes: HUNDRED_MB, declareLength: true }),
      status: () => 413,
      maxRead: () => 0,
    },
    {
      name: 'a 100 MB body streamed in chunks',
      headers: jpegHeaders,
      body: () => ({ streamBytes: HUNDRED_MB, declareLength: false }),
      status: () => 413,
      // Refused while it streams: never much past the limit.
      maxRead: () => limit + 1024 * 1024,
    },
    { name: 'a truncated JPEG', headers: jpegHeaders, body: () => jpeg.subarray(0, Math.floor(jpeg.length / 2)), ...notImage },
    { name: 'a zero-byte body', headers: jpegHeaders, body: () => Buffer.alloc(0), status: () => SILENT_PAGE_ANSWERS.emptyBody().status, code: () => SILENT_PAGE_ANSWERS.emptyBody().code },
    { name: 'a PNG declared as image/jpeg', headers: jpegHeaders, body: png, ...notImage },
    { name: 'a PNG declared as image/png', headers: () => ({ ...auth(), 'Content-Type': 'image/png' }), body: png, ...unsupportedType },
    { name: 'a GIF declared as image/jpeg', headers: jpegHeaders, body: gif, ...notImage },
    { name: 'a GIF declared as image/gif', headers: () => ({ ...auth(), 'Content-Type': 'image/gif' }), body: gif, ...unsupportedType },
    { name: 'text declared as image/jpeg', headers: jpegHeaders, body: () => Buffer.from('this is not an image\n'.repeat(50)), ...notImage },
    { name: 'a JPEG start marker then noise', headers: jpegHeaders, body: () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), createHash('sha512').update('noise').digest()]), ...notImage },
  ];

  for (const c of corpus) {
    it(`${c.name}: ${c.method ?? 'PUT'} is refused, the server stays up, no photo changes`, async () => {
      const readBefore = server.stats().uploadBytesRead;
      const answer = await send(server, c.method ?? 'PUT', c.path?.() ?? putAdele, c.headers(), c.body ? await c.body() : jpeg);
      assert.equal(answer.status, c.status(), answer.body.toString('utf8').slice(0, 300));
      assert.match(String(answer.headers['content-type']), /^application\/json/);
      const error = (JSON.parse(answer.body.toString('utf8')) as { error?: { code?: string; message?: string } }).error;
      assert.ok(error?.code && error.message, 'an error body with code and message');
      if (c.code) assert.equal(error.code, c.code());
      if (c.maxRead) {
        const read = server.stats().uploadBytesRead - readBefore;
        assert.ok(read <= c.maxRead(), `the server read ${read} bytes of the body`);
        assert.ok(answer.sent < HUNDRED_MB, `the client was stopped after ${answer.sent} bytes`);
      }
      // Still serving, and nothing stored has changed.
      assert.equal((await send(server, 'GET', metadataAdele, { Authorization: `Bearer ${readerToken}` })).status, 200);
      assert.deepEqual(await photos(), stateBefore);
    });
  }

  it('after the whole corpus the photo bytes are the ones from before', async () => {
    assert.equal(await adeleBytes(), bytesBefore);
  });

  it('and a good upload still works (the corpus did not leave the server refusing everything)', async () => {
    const answer = await send(server, 'PUT', putAdele, jpegHeaders(), jpeg);
    assert.equal(answer.status, 200);
    assert.notDeepEqual(await photos(), stateBefore);
  });
});

describe('the early-refusal check can fail', { timeout: 120_000 }, () => {
  it('a server that reads the whole 100 MB before its 413 is caught (fault limit-after-buffering)', async () => {
    const [spec, fixture] = await Promise.all([readSpec(SPEC_FILE), loadTenantFixture()]);
    const server = await startMockServer({ spec, tenantFixture: fixture, faults: ['limit-after-buffering'] });
    try {
      const response = await fetch(`${server.url}/${CONTOSO}/oauth2/v2.0/token`, {
        method: 'POST',
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: ADMIN.clientId, client_secret: ADMIN.secret, scope: 'https://graph.microsoft.com/.default' }),
      });
      const { access_token } = (await response.json()) as { access_token: string };
      const put = findOperation(server, 'graph', 'v1.0', 'PUT', 'value');
      const limit = put.maxRequestBytes ?? spec.limits.find((l) => l.api === 'graph' && l.version === 'v1.0')!.maxRequestBytes;
      const answer = await send(server, 'PUT', userPhotoUrl(put, ADELE.id), { Authorization: `Bearer ${access_token}`, 'Content-Type': 'image/jpeg' }, { streamBytes: HUNDRED_MB, declareLength: false });
      assert.equal(answer.status, 413);
      assert.ok(server.stats().uploadBytesRead > limit + 1024 * 1024, 'the fault makes the server read past the limit');
    } finally {
      await server.close();
    }
  });
});
