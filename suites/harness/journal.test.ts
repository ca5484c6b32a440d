import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Tenant } from '../../tools/tenant/model.ts';
import type { OperationFacts } from './case.ts';
import { RecordingClient } from './client.ts';
import { PhotoJournal } from './journal.ts';
import { backupBeforeChange, restorePending } from './restore.ts';
import type { ResolvedTarget } from './target.ts';
import type { TokenSource } from './tokens.ts';

/** A fake target on 127.0.0.1: photos by path, PUT/GET/DELETE, a token required. */
function fakeTarget(): { server: Server; photos: Map<string, { bytes: Buffer; type: string }>; start(): Promise<string> } {
  const photos = new Map<string, { bytes: Buffer; type: string }>();
  const server = createServer((req, res) => {
    if (req.headers.authorization !== 'Bearer test-token') {
      res.writeHead(401).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      if (req.method === 'GET') {
        const photo = photos.get(path);
        if (!photo) res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"ImageNotFound"}}');
        else res.writeHead(200, { 'content-type': photo.type }).end(photo.bytes);
      } else if (req.method === 'PUT') {
        photos.set(path, { bytes: Buffer.concat(chunks), type: req.headers['content-type'] ?? '' });
        res.writeHead(200).end();
      } else if (req.method === 'DELETE') {
        photos.delete(path);
        res.writeHead(204).end();
      } else res.writeHead(405).end();
    });
  });
  return {
    server,
    photos,
    start: () =>
      new Promise((resolve) =>
        server.listen(0, '127.0.0.1', () => {
          const address = server.address();
          resolve(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
        }),
      ),
  };
}

const tokens: TokenSource = { get: async () => ({ token: 'test-token', who: 'test' }) };
const operation: OperationFacts = {
  id: 'graph.v1.0.put.user.value',
  api: 'graph',
  version: 'v1.0',
  method: 'PUT',
  path: '/users/{id}/photo/$value',
  resource: 'user',
  target: 'value',
  parameterKinds: {},
  requestContentTypes: ['image/jpeg'],
  permissions: [],
};
const principal = { kind: 'application' as const, permissions: ['User.ReadWrite.All'] };

function targetWith(journalDir: string): ResolvedTarget {
  const tenant: Tenant = { id: 't', domain: 'd', users: [], groups: [], apps: [] };
  return {
    settings: { kind: 'tenant', profile: 'docs', allowWrites: true, specFile: '', journalDir, faults: [] },
    roots: { graph: '', outlook: '' },
    audiences: { graph: '', outlook: '' },
    tenant,
    tenants: [tenant],
    tokens,
    reset: async () => undefined,
    journal: new PhotoJournal(journalDir),
    close: async () => undefined,
  };
}

describe('photo journal', () => {
  const fake = fakeTarget();
  let base = '';
  before(async () => {
    base = await fake.start();
  });
  after(() => new Promise<void>((resolve) => fake.server.close(() => resolve())));

  it('restores every changed photo after a simulated crash, and deletes what did not exist', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'journal-'));
    try {
      const original = Buffer.from('original-photo-bytes');
      fake.photos.set('/v1.0/users/a/photo/$value', { bytes: original, type: 'image/jpeg' });
      const withPhoto = `${base}/v1.0/users/a/photo/$value`;
      const withoutPhoto = `${base}/v1.0/users/b/photo/$value`;
      const client = new RecordingClient();

      // The run: back up, then change both photos; the second backup of A must not
      // overwrite the true original with the test's photo.
      const run = targetWith(dir);
      await backupBeforeChange(run, client, operation, withPhoto, principal);
      await client.send({ method: 'PUT', url: withPhoto, headers: { authorization: 'Bearer test-token', 'content-type': 'image/png' }, body: Buffer.from('test-photo-1') });
      await backupBeforeChange(run, client, operation, withPhoto, principal);
      await client.send({ method: 'PUT', url: withPhoto, headers: { authorization: 'Bearer test-token', 'content-type': 'image/png' }, body: Buffer.from('test-photo-2') });
      await backupBeforeChange(run, client, operation, withoutPhoto, principal);
      await client.send({ method: 'PUT', url: withoutPhoto, headers: { authorization: 'Bearer test-token', 'content-type': 'image/jpeg' }, body: Buffer.from('test-photo-3') });
      assert.equal(client.exchanges.filter((e) => e.request.method === 'GET').length, 0, 'backup reads are not recorded as conformance exchanges');
      // Crash: the run ends without restoring. The next start finds the journal on disk.
      const nextStart = targetWith(dir);
      assert.equal((await nextStart.journal!.pending()).length, 2);
      const report = await restorePending(nextStart, new RecordingClient());
      assert.equal(report.failed.length, 0);
      assert.equal(report.restored.length, 2);
      assert.deepEqual(fake.photos.get('/v1.0/users/a/photo/$value'), { bytes: original, type: 'image/jpeg' });
      assert.equal(fake.photos.has('/v1.0/users/b/photo/$value'), false);
      assert.deepEqual(await readdir(dir), [], 'restored entries leave nothing behind');
      assert.deepEqual(await restorePending(nextStart, new RecordingClient()), { restored: [], failed: [] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps an entry the target refused to restore, for the next start to retry', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'journal-'));
    try {
      const journal = new PhotoJournal(dir);
      await journal.backup({ key: 'k', api: 'graph', writeUrl: `${base}/x`, deleteUrl: `${base}/x`, principal }, { bytes: Buffer.from('o'), contentType: 'image/jpeg' });
      const report = await journal.restoreAll(async () => false);
      assert.deepEqual(report.failed.map((f) => f.key), ['k']);
      assert.equal((await journal.pending()).length, 1);
      const retried = await journal.restoreAll(async (_entry, original) => original?.bytes.toString() === 'o');
      assert.deepEqual(retried.restored, ['k']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('never writes a token into the journal', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'journal-'));
    try {
      const run = targetWith(dir);
      fake.photos.set('/v1.0/users/c/photo/$value', { bytes: Buffer.from('c'), type: 'image/jpeg' });
      await backupBeforeChange(run, new RecordingClient(), operation, `${base}/v1.0/users/c/photo/$value`, principal);
      const { readFile } = await import('node:fs/promises');
      for (const name of await readdir(dir)) assert.doesNotMatch(await readFile(join(dir, name), 'utf8'), /test-token/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
