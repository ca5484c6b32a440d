import assert from 'node:assert/strict';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { appToken, call, image, startTestServer, T } from './testing.ts';
import type { MockServer } from './server.ts';

interface StreamResult {
  status: number;
  code?: string;
  /** bytes the client managed to hand to its socket before the server answered */
  sent: number;
}

/** Streams `total` bytes (lazily, 64 KiB at a time) and resolves on the first response. */
function streamUpload(server: MockServer, path: string, token: string, total: number, declareLength: boolean): Promise<StreamResult> {
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
  return new Promise((resolve, reject) => {
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
    });
    // The server drops the connection after refusing: a write error then is expected.
    req.on('error', (error) => (sent >= total ? reject(error) : undefined));
    body.pipe(req);
  });
}

describe('size limit', () => {
  let server: MockServer;
  let token: string;
  const limit = 4194304; // read from the spec below; this mirror only sizes the test bodies
  before(async () => {
    server = await startTestServer();
    token = await appToken(server, 'graph');
    assert.equal(server.spec.limits.find((l) => l.api === 'graph' && l.version === 'v1.0')?.maxRequestBytes, limit);
  });
  after(() => server.close());

  it('refuses a 100 MB chunked body with 413 while it streams, reading little past the limit', async () => {
    const before = server.stats().uploadBytesRead;
    const result = await streamUpload(server, `/v1.0/users/${T.bob}/photo/$value`, token, 100 * 1024 * 1024, false);
    assert.equal(result.status, 413);
    assert.equal(result.code, 'RequestEntityTooLarge');
    const read = server.stats().uploadBytesRead - before;
    assert.ok(read > limit, `read ${read}`);
    assert.ok(read < limit + 1024 * 1024, `read ${read} bytes of a 100 MB body; must stop near the ${limit} byte limit`);
  });

  it('refuses a declared Content-Length over the limit before reading any of the body', async () => {
    const before = server.stats().uploadBytesRead;
    const result = await streamUpload(server, `/v1.0/users/${T.bob}/photo/$value`, token, 100 * 1024 * 1024, true);
    assert.equal(result.status, 413);
    assert.equal(server.stats().uploadBytesRead - before, 0);
  });

  it('uses the limit of the version: 8 MB in beta takes a body 4 MB refuses', async () => {
    const size = 5 * 1024 * 1024;
    const v1 = await streamUpload(server, `/v1.0/users/${T.bob}/photo/$value`, token, size, false);
    const beta = await streamUpload(server, `/beta/users/${T.bob}/photo/$value`, token, size, false);
    assert.equal(v1.status, 413);
    assert.equal(beta.status, 400, 'under the beta limit, refused only for not being an image');
  });

  it('keeps serving after refusals: the next upload on the same server succeeds', async () => {
    const r = await call(server, 'PUT', `/v1.0/users/${T.bob}/photo/$value`, { token, body: await image(300, 300), contentType: 'image/jpeg' });
    assert.equal(r.status, 200);
  });
});
