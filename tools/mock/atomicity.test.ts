import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { call, image, startTestServer, T, tornReads, userToken } from './testing.ts';
import type { MockServer } from './server.ts';

describe('atomic replace', () => {
  let server: MockServer;
  let token: string;
  before(async () => {
    server = await startTestServer();
    token = await userToken(server, 'outlook', T.aliceUpn, 'alice-pw', ['User.ReadWrite.All']);
  });
  after(() => server.close());

  it('never serves bytes under an ETag that belongs to other bytes, under parallel PUT and GET', async () => {
    assert.deepEqual(await tornReads(server, token, 12), []);
  });

  it('serves metadata and bytes of one record: the metadata ETag of a size matches that size', async () => {
    const results = await Promise.all(
      Array.from({ length: 16 }, async (_, i) => {
        if (i % 4 === 0) await call(server, 'PUT', '/api/beta/me/photo/$value', { token, body: await image(200 + i, 200 + i), contentType: 'image/jpeg' });
        const r = await call(server, 'GET', "/api/beta/me/photos('120x120')", { token });
        return [r.headers.get('etag'), r.json()['@odata.mediaEtag']];
      }),
    );
    for (const [header, media] of results) assert.equal(header, media);
  });
});
