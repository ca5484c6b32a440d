import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { appToken, call, image, startTestServer, streamUpload, T } from './testing.ts';
import type { MockServer } from './server.ts';

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
