/**
 * Test harness for the mock's own tests: an in-process server over the test fixtures in
 * ./fixtures, tokens from its real token endpoint, a small request helper and an image
 * factory. Never imported by the server.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { dirname, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { readSpec } from '../spec/io.ts';
import type { Spec } from '../spec/model.ts';
import { loadTenantFixture } from '../tenant/load.ts';
import type { TenantFixture } from '../tenant/model.ts';
import { startMockServer, type MockServer, type MockServerOptions } from './server.ts';

const here = dirname(fileURLToPath(import.meta.url));
export const TEST_SPEC_PATH = resolve(here, 'fixtures/spec-corpus/profilephoto.yaml');
export const TEST_TENANT_PATH = resolve(here, 'fixtures/tenant-small/tenant.yaml');

export const T = {
  tenant: '11111111-0000-4000-8000-000000000001',
  consumer: '9188040d-6c67-4c5b-b112-36a304b66dad',
  alice: '11111111-0000-4000-8000-0000000000a1',
  aliceUpn: 'alice@small.onmicrosoft.com',
  bob: '11111111-0000-4000-8000-0000000000b2',
  dan: '11111111-0000-4000-8000-0000000000c3', // no mailbox, no photo
  erin: '11111111-0000-4000-8000-0000000000d4', // no mailbox, 1200x900 photo
  group: '11111111-0000-4000-8000-0000000000e5',
  team: '11111111-0000-4000-8000-0000000000e6', // a photo; granted TeamSettings.Read.Group to the rsc app
  teamNoPhoto: '11111111-0000-4000-8000-0000000000e7', // no photo, no grant
  b2c: '11111111-0000-4000-8000-000000000002',
  quinn: '11111111-0000-4000-8000-0000000002a1', // the B2C tenant's user
  carol: 'ContactCarol',
  dave: 'ContactDave',
  folder: 'FolderFriends',
  admin: { clientId: '11111111-0000-4000-8000-0000000000f1', secret: 'small-admin-secret' },
  nophoto: { clientId: '11111111-0000-4000-8000-0000000000f2', secret: 'small-nophoto-secret' },
  rsc: { clientId: '11111111-0000-4000-8000-0000000000f3', secret: 'small-rsc-secret' },
  b2cApp: { clientId: '11111111-0000-4000-8000-0000000002f1', secret: 'smallb2c-secret' },
};

let cached: Promise<{ spec: Spec; fixture: TenantFixture }> | undefined;
export function testInputs() {
  cached ??= Promise.all([readSpec(TEST_SPEC_PATH), loadTenantFixture(TEST_TENANT_PATH)]).then(([spec, fixture]) => ({ spec, fixture }));
  return cached;
}

export async function startTestServer(options: MockServerOptions = {}): Promise<MockServer> {
  const { spec, fixture } = await testInputs();
  return startMockServer({ spec, tenantFixture: fixture, ...options });
}

export const AUDIENCE = { graph: 'https://graph.microsoft.com', outlook: 'https://outlook.office.com' } as const;

export async function appToken(server: MockServer, api: 'graph' | 'outlook', app = T.admin, tenant = T.tenant): Promise<string> {
  return token(server, tenant, {
    grant_type: 'client_credentials',
    client_id: app.clientId,
    client_secret: app.secret,
    scope: `${AUDIENCE[api]}/.default`,
  });
}

export async function userToken(server: MockServer, api: 'graph' | 'outlook', username: string, password: string, scopes: string[], tenant = T.tenant, app = T.admin): Promise<string> {
  return token(server, tenant, {
    grant_type: 'password',
    client_id: app.clientId,
    client_secret: app.secret,
    username,
    password,
    scope: scopes.map((s) => `${AUDIENCE[api]}/${s}`).join(' '),
  });
}

async function token(server: MockServer, tenant: string, form: Record<string, string>): Promise<string> {
  const response = await fetch(`${server.url}/${tenant}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams(form) });
  const body = (await response.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`no token: ${JSON.stringify(body)}`);
  return body.access_token;
}

export interface Answer {
  status: number;
  headers: Headers;
  bytes: Buffer;
  json(): any;
}

export async function call(server: MockServer, method: string, path: string, init: { token?: string; body?: Buffer; contentType?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.Authorization = `Bearer ${init.token}`;
  if (init.contentType) headers['Content-Type'] = init.contentType;
  const response = await fetch(`${server.url}${path}`, { method, headers, body: init.body });
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, bytes, json: () => JSON.parse(bytes.toString('utf8')) };
}

/** A JPEG (or other format) with a diagonal so cropping and padding are told apart. */
export async function image(width: number, height: number, format: 'jpeg' | 'png' | 'gif' = 'jpeg', color = '#2277dd'): Promise<Buffer> {
  const base = sharp({ create: { width, height, channels: 3, background: color } });
  const out = format === 'png' ? base.png() : format === 'gif' ? base.gif() : base.jpeg();
  return out.toBuffer();
}

export async function dimensions(bytes: Buffer): Promise<{ width: number; height: number; format: string }> {
  const m = await sharp(bytes).metadata();
  return { width: m.width ?? 0, height: m.height ?? 0, format: m.format ?? '' };
}

/**
 * Parallel PUTs and GETs on one photo; every GET's bytes must belong to the ETag served with
 * them: one ETag, one set of bytes. A torn write (new ETag with old bytes) pairs one ETag with
 * two byte sets. Returns the ETags that did.
 */
export async function tornReads(server: MockServer, token: string, rounds: number): Promise<string[]> {
  const uploads = await Promise.all(['#ff0000', '#00ff00', '#0000ff', '#ffff00'].map((c) => image(300, 300, 'jpeg', c)));
  const bytesByEtag = new Map<string, Set<string>>();
  const observe = async () => {
    const r = await call(server, 'GET', '/api/beta/me/photo/$value', { token });
    assert.equal(r.status, 200);
    const etag = r.headers.get('etag') ?? '';
    const hash = createHash('sha256').update(r.bytes).digest('hex');
    const set = bytesByEtag.get(etag) ?? new Set<string>();
    set.add(hash);
    bytesByEtag.set(etag, set);
  };
  for (let round = 0; round < rounds; round++) {
    let done = false;
    const put = call(server, 'PUT', '/api/beta/me/photo/$value', { token, body: uploads[round % uploads.length], contentType: 'image/jpeg' }).then((r) => {
      done = true;
      return r;
    });
    const readers = Array.from({ length: 4 }, async () => {
      while (!done) await observe();
      await observe();
    });
    assert.equal((await put).status, 200);
    await Promise.all(readers);
  }
  return [...bytesByEtag].filter(([, hashes]) => hashes.size > 1).map(([etag]) => etag);
}

export interface StreamResult {
  status: number;
  code?: string;
  /** bytes the client managed to hand to its socket before the server answered */
  sent: number;
}

/** Streams `total` bytes (lazily, 64 KiB at a time) and resolves on the first response. */
export function streamUpload(server: MockServer, path: string, token: string, total: number, declareLength: boolean): Promise<StreamResult> {
  const chunk = Buffer.alloc(64 * 1024, 0xff);
  let sent = 0;
  const body = Readable.from(
    (function* () {
      while (sent < total) {
        const n = Math.min(chunk.length, total - sent);
        sent += n;
        yield n === chunk.length ? chunk : chunk.subarray(0, n);
      }
    })(),
  );
  return new Promise((resolve) => {
    const url = new URL(path, server.url);
    const req = request(url, {
      method: 'PUT',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'image/jpeg',
        ...(declareLength ? { 'Content-Length': String(total) } : {}),
      },
    });
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let code: string | undefined;
        try {
          code = JSON.parse(text).error?.code;
        } catch {
          code = undefined;
        }
        resolve({ status: res.statusCode ?? 0, code, sent });
        body.destroy();
        req.destroy();
      });
      // A body cut short still settles the call (the first settle wins).
      res.on('close', () => resolve({ status: res.statusCode ?? 0, sent }));
    });
    // The server drops the connection after refusing: a write error after the answer is
    // expected; one before any answer resolves with status 0 rather than leaving the caller waiting.
    let answered = false;
    req.on('response', () => {
      answered = true;
    });
    req.on('error', () => {
      if (!answered) {
        body.destroy();
        resolve({ status: 0, sent });
      }
    });
    body.pipe(req);
  });
}
