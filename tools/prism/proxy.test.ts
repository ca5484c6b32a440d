/**
 * The embedded mock against its own export, judged by a third-party validator: Stoplight
 * Prism, as a validating proxy beside the mock (serve.ts: the bytes go to the mock untouched,
 * a copy of each exchange goes through Prism), checks every request the conformance suite
 * sends and every answer the mock gives against spec/openapi/. The mock may refuse what
 * the suite sends on purpose (request violations), but no answer of it may break the export:
 * a status the document does not give, a header it requires missing, a body its schema
 * refuses, a content type it does not name. A change to the mock or the export that makes
 * them disagree fails here, naming the exchange and Prism's words.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startMockServer, type MockServer } from '../mock/server.ts';
import { appToken } from '../mock/testing.ts';
import { loadTenantFixture } from '../tenant/load.ts';
import { REPO_ROOT } from '../spec/paths.ts';
import { startPrismMocks, type PrismMocks } from './serve.ts';

describe('the embedded mock through Prism validating against the export', { timeout: 900_000 }, () => {
  let mock: MockServer;
  let proxy: PrismMocks;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'prism-proxy-'));
    mock = await startMockServer({ host: '127.0.0.1', port: 0, profile: 'docs' });
    proxy = await startPrismMocks({ upstream: mock.url });
  });
  after(async () => {
    await proxy?.stop();
    await mock?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports what breaks the document: a request it refuses, and from a faulty mock an answer it does not allow', async () => {
    const faulty = await startMockServer({ host: '127.0.0.1', port: 0, profile: 'docs', faults: ['etag-header-missing', 'metadata-dimensions-as-strings'] });
    const judge = await startPrismMocks({ upstream: faulty.url });
    try {
      // The default tenant's first app holds every photo permission; its first user has a photo.
      const home = (await loadTenantFixture()).tenants[0]!;
      const admin = home.apps[0]!;
      const token = await appToken(faulty, 'graph', { clientId: admin.clientId, secret: admin.clientSecret }, home.id);
      const auth = { authorization: `Bearer ${token}` };
      const withPhoto = home.users.find((u) => u.photo)!;
      const user = `/v1.0/users/${withPhoto.id}`;
      const refused = await fetch(`${judge.url}${user}/photo/$value`, { method: 'PUT', headers: { ...auth, 'content-type': 'text/plain' }, body: 'not a photo' });
      assert.equal(refused.status, 415, 'the mock answers, through the proxy');
      for (const path of [`${user}/photo/$value`, `${user}/photo`]) await (await fetch(`${judge.url}${path}`, { headers: auth })).arrayBuffer();
      const seen = judge.exchanges().map((e) => `${e.method} ${e.path.slice(user.length)} ${e.violations.map((v) => v.location.join('.')).sort().join(' ')}`);
      assert.deepEqual(seen, [
        'PUT /photo/$value request',
        'GET /photo/$value response.header',
        'GET /photo response.body.height response.body.width',
      ]);
    } finally {
      await judge.stop();
      await faulty.close();
    }
  });

  it('no answer of the mock breaks the export while the whole suite runs through it', async () => {
    const args = [
      '--import', 'tsx', 'tools/cli/main.ts', 'run',
      '--base-url', proxy.url,
      '--tenant-file', 'tools/tenant/default-tenant.yaml',
      '--results', join(dir, 'results.json'),
      '--label', 'mock-through-prism',
      '--no-report',
      '--', '--reporter', join(REPO_ROOT, 'tools/report/reporter.ts'), '--output', join(dir, 'output'),
    ];
    const output = await new Promise<string>((resolve) => {
      const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d));
      child.stderr.on('data', (d: Buffer) => (text += d));
      child.on('close', () => resolve(text));
    });
    // Prism never stands between the suite and the mock: the run is as conformant as without it.
    assert.match(output, /conformance: \d+ tests on url: \d+ pass, 0 fail/, output.slice(-3000));
    assert.match(output, /run: conformant to the baseline/, output.slice(-3000));
    const photoRequests = Object.entries(mock.stats().methods).filter(([route]) => route.startsWith('photo')).reduce((n, [, byMethod]) => n + Object.values(byMethod).reduce((a, b) => a + b, 0), 0);
    console.log(`# ${photoRequests} photo requests validated by Prism, ${proxy.exchanges().length} with a violation (requests the suite sends on purpose)`);
    assert.ok(photoRequests > 2000, `the suite drove the photo routes (${photoRequests} requests)`);
    const exchanges = proxy.exchanges();
    assert.ok(exchanges.some((e) => e.violations.some((v) => v.location[0] === 'request')), 'the suite sent requests the document refuses, and Prism saw them');
    const broken = exchanges
      .map((e) => ({ ...e, violations: e.violations.filter((v) => v.location[0] !== 'request') }))
      .filter((e) => e.violations.length);
    const shown = broken.slice(0, 20).map((e) => `${e.method} ${e.path} -> ${e.status}: ${e.violations.map((v) => `[${v.severity}] ${v.location.join('.')}: ${v.message}`).join('; ')}`);
    assert.deepEqual(shown, [], `${broken.length} answer(s) break the export`);
  });
});
