import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { get } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { extraCaCerts, localCa, serverTls } from './tls.ts';
import { startMockServer, type MockServer } from './server.ts';
import { TEST_SPEC_PATH } from './testing.ts';

describe('the local CA and the mock over TLS', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tls-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('makes the CA once, even when several processes ask at once, and keeps its key private', async () => {
    const [a, b, c] = await Promise.all([localCa(dir), localCa(dir), localCa(dir)]);
    assert.equal(a.cert, b.cert);
    assert.equal(b.cert, c.cert);
    assert.equal((await localCa(dir)).cert, a.cert, 'read again, not made again');
    assert.ok(new X509Certificate(a.cert).ca);
    assert.equal((await stat(join(dir, 'ca', 'ca-key.pem'))).mode & 0o077, 0, 'the key is readable by its owner only');
  });

  it('issues a server certificate for 127.0.0.1, ::1 and localhost, signed by the CA', async () => {
    const tls = await serverTls(dir);
    const cert = new X509Certificate(tls.cert);
    const ca = new X509Certificate(tls.ca.cert);
    assert.ok(cert.verify(ca.publicKey), 'signed by the local CA');
    assert.ok(cert.checkIP('127.0.0.1') && cert.checkIP('::1') && cert.checkHost('localhost'));
    assert.equal(cert.ca, false);
  });

  it('tells a broken CA file apart, naming it', async () => {
    const broken = await mkdtemp(join(tmpdir(), 'tls-broken-'));
    try {
      await localCa(broken);
      await writeFile(join(broken, 'ca', 'ca.pem'), 'not a certificate');
      await assert.rejects(localCa(broken), /ca\.pem: not a certificate .*delete .* to make a new CA/);
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });

  it('bundles a CA the environment already trusts with the local one', async () => {
    const ca = await localCa(dir);
    assert.equal(await extraCaCerts(ca, {}, dir), ca.certFile);
    const corporate = join(dir, 'corporate.pem');
    // Any certificate stands in for a corporate CA here: the bundle is what is checked.
    await writeFile(corporate, (await serverTls(dir)).cert);
    const bundle = await extraCaCerts(ca, { NODE_EXTRA_CA_CERTS: corporate }, dir);
    const text = await readFile(bundle, 'utf8');
    assert.equal(text.match(/BEGIN CERTIFICATE/g)?.length, 2);
  });

  describe('a mock served over https', () => {
    let server: MockServer;
    let caCert: string;
    before(async () => {
      const tls = await serverTls(dir);
      caCert = tls.ca.cert;
      server = await startMockServer({ specFile: TEST_SPEC_PATH, tls });
    });
    after(() => server.close());

    const fetchJson = (url: string, ca?: string) =>
      new Promise<{ status: number; body: unknown }>((resolve, reject) => {
        get(url, { ca }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : null }));
        }).on('error', reject);
      });

    it('names https URLs in its OpenID configuration, on its own origin', async () => {
      assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const tenant = server.tenants[0]!.id;
      const { status, body } = await fetchJson(`${server.url}/${tenant}/v2.0/.well-known/openid-configuration`, caCert);
      assert.equal(status, 200);
      const config = body as Record<string, string>;
      for (const key of ['issuer', 'token_endpoint', 'jwks_uri']) assert.ok(config[key]!.startsWith(`${server.url}/`), `${key}: ${config[key]}`);
      const jwks = await fetchJson(config.jwks_uri!, caCert);
      assert.ok(((jwks.body as { keys: unknown[] }).keys ?? []).length > 0);
    });

    it('is refused by a client that does not trust the CA', async () => {
      await assert.rejects(fetchJson(`${server.url}/v1.0/me/photo`), /self-signed|unable to verify|UNABLE_TO_VERIFY|certificate/i);
    });
  });
});
