import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { fillTemplate, parameterRoles, operationUrl } from './address.ts';
import { RecordingClient, redactHeaders, retryAfterMs } from './client.ts';
import sharp from 'sharp';
import { decodeImage, makeImage, mediaTypeOfFormat, padJpeg } from './images.ts';

describe('address', () => {
  it('reads what a placeholder stands for from the collection in front of it', () => {
    assert.deepEqual(parameterRoles("/users/{id}/contactfolders/{f}/contacts/{c}/photo/$value"), ['user', 'folder', 'contact']);
    assert.equal(fillTemplate("/Users('{user_id}')/photos('{size}')/$value", { user: 'a@b.com', size: '48x48' }), "/Users('a@b.com')/photos('48x48')/$value");
    assert.equal(operationUrl({ graph: 'http://h/', outlook: 'http://h/api' }, 'outlook', 'beta', '/me/photo', {}), 'http://h/api/beta/me/photo');
    assert.throws(() => fillTemplate('/groups/{id}/photo', {}), /no group/);
    assert.throws(() => parameterRoles('/{x}/photo'), /cannot tell/);
  });
});

describe('images', () => {
  it('pads a JPEG to an exact size that still decodes to the same picture', async () => {
    const jpeg = await makeImage({ width: 64, height: 32, color: { r: 200, g: 10, b: 10 } });
    for (const total of [jpeg.length, jpeg.length + 4, jpeg.length + 70_000, 4 * 1024 * 1024 - 8192]) {
      const padded = padJpeg(jpeg, total);
      assert.equal(padded.length, total);
      const decoded = await decodeImage(padded);
      assert.equal(decoded?.width, 64);
      assert.equal(decoded?.height, 32);
    }
    assert.throws(() => padJpeg(jpeg, jpeg.length - 1), /already/);
    assert.equal(await decodeImage(Buffer.from('not an image')), undefined);
  });

  it('tells a padded square from a cropped one by its corner, and names the format the bytes are', async () => {
    const photo = { r: 200, g: 30, b: 30 };
    const wide = await makeImage({ width: 300, height: 120, color: photo });
    const padded = await sharp(wide).resize(48, 48, { fit: 'contain', background: { r: 255, g: 255, b: 255 } }).jpeg().toBuffer();
    const cropped = await sharp(wide).resize(48, 48, { fit: 'cover' }).jpeg().toBuffer();
    const near = (a: { r: number }, b: { r: number }) => Math.abs(a.r - b.r) < 24;
    const p = (await decodeImage(padded))!;
    const c = (await decodeImage(cropped))!;
    assert.ok(near(p.centre, photo) && !near(p.corner, photo), 'padded: photo in the middle, padding in the corner');
    assert.ok(near(c.centre, photo) && near(c.corner, photo), 'cropped: the photo reaches the corner');
    assert.equal(mediaTypeOfFormat(p.format), 'image/jpeg');
    assert.equal(mediaTypeOfFormat((await decodeImage(await makeImage({ width: 8, height: 8, format: 'png' })))!.format), 'image/png');
  });
});

describe('client', () => {
  it('pauses an oversized upload to see whether the server refuses it on its declared length', async () => {
    // One server refuses on the header; the other reads the whole body first.
    const serve = (early: boolean) =>
      createServer((req, res) => {
        if (early) {
          res.writeHead(413, { connection: 'close' }).end();
          req.resume();
          return;
        }
        req.resume();
        req.on('end', () => res.writeHead(413).end());
      });
    for (const early of [true, false]) {
      const server = serve(early);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const address = server.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        const body = Buffer.alloc(3 * 1024 * 1024, 1);
        const r = await new RecordingClient().send({ method: 'PUT', url: `http://127.0.0.1:${port}/`, body, pauseAfterBytes: 256 * 1024, pauseMs: 1500 });
        assert.equal(r.status, 413);
        if (early) assert.ok(r.sentBeforeAnswer! <= 256 * 1024, `refused on the header, after ${r.sentBeforeAnswer} bytes`);
        else assert.equal(r.sentBeforeAnswer, body.length, 'refused after the whole body');
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    }
  });

  it('redacts Authorization and waits out 429 with Retry-After', async () => {
    assert.deepEqual(redactHeaders({ Authorization: 'Bearer abc.def', Accept: 'x' }), { Authorization: 'Bearer [redacted]', Accept: 'x' });
    assert.equal(retryAfterMs('3'), 3000);
    let calls = 0;
    const server = createServer((_req, res) => {
      calls += 1;
      if (calls === 1) res.writeHead(429, { 'retry-after': '2' }).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const waits: number[] = [];
    try {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const client = new RecordingClient({ sleep: async (ms) => void waits.push(ms) });
      const response = await client.send({ method: 'GET', url: `http://127.0.0.1:${port}/`, headers: { authorization: 'Bearer secret-token-value' } });
      assert.equal(response.status, 200);
      assert.deepEqual(waits, [2000]);
      assert.equal(calls, 2);
      assert.doesNotMatch(JSON.stringify(client.exchanges), /secret-token-value/);
      assert.match(client.exchanges[0]!.note ?? '', /429/);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
