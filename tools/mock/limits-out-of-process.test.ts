/**
 * The size limit seen from another process, as a user of `photo-conformance mock` sees it.
 * In one process the client and the mock share an event loop, which hid a race: node closed
 * the connection as soon as the 413 was written, the client's next body write met a reset,
 * and the reset discarded the 413 before the client read it. The mock now closes the
 * lingering way; this test keeps it so.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { readSpec, REPO_ROOT } from '../spec/io.ts';
import type { Spec, Version } from '../spec/model.ts';
import { uploadLimit } from './server.ts';

const CONTOSO = '8f3c2a10-0001-4c5e-9a7b-000000000001';
const ADMIN = { id: '3e9a4b7c-0001-4d2e-8f1a-000000000301', secret: 'contoso-admin-secret-3e9a' };
// The signed-in user's own photo: the least the pages of every version grant (User.ReadWrite).
const ADELE = { upn: 'adele.vance@contoso.onmicrosoft.com', password: 'Adele-Photo-1' };

/** A plain client that writes the whole body, then reads the answer (as most HTTP clients do). */
function putWhole(url: string, token: string, bytes: number): Promise<{ status?: number; error?: string }> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'PUT', agent: false, headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg', 'content-length': String(bytes) } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    const chunk = Buffer.alloc(64 * 1024, 0xab);
    let left = bytes;
    const pump = () => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

describe('size limit, mock in another process', () => {
  let child: ChildProcess;
  let base: string;
  let token: string;
  let spec: Spec;
  // The limit each version holds an upload to, from the spec the mock serves (the committed one).
  const limitOf = (version: Version) => {
    const op = spec.operations.find((o) => o.api === 'graph' && o.version === version && o.resource === 'me' && o.target === 'value' && o.method !== 'GET');
    assert.ok(op, `the spec lists a Graph ${version} update of /me/photo/$value`);
    return uploadLimit(spec, op).bytes;
  };
  before(async () => {
    spec = await readSpec();
    child = spawn(process.execPath, ['--import', 'tsx', 'tools/cli/main.ts', 'mock', '--port', '0'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = createInterface({ input: child.stdout! });
    base = await new Promise<string>((resolve, reject) => {
      lines.on('line', (line) => {
        const m = /listening at (http:\/\/\S+)/.exec(line);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`the mock exited (${code}) before listening`)));
    });
    const response = await fetch(`${base}/${CONTOSO}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'password', client_id: ADMIN.id, client_secret: ADMIN.secret, username: ADELE.upn, password: ADELE.password, scope: 'https://graph.microsoft.com/User.ReadWrite' }),
    });
    token = ((await response.json()) as { access_token: string }).access_token;
  });
  after(() => {
    child.kill();
  });

  for (const version of ['v1.0', 'beta'] as const) {
    it(`a client writing one byte over ${version}'s limit reads the 413, five times running`, async () => {
      const limit = limitOf(version);
      for (let round = 0; round < 5; round++) {
        const answer = await putWhole(`${base}/${version}/me/photo/$value`, token, limit + 1);
        assert.deepEqual(answer, { status: 413 }, `round ${round + 1} (limit ${limit})`);
      }
    });
  }

  it('a client writing 20 MB reads the 413 or is cut off after it, and the next upload is answered', async () => {
    const answer = await putWhole(`${base}/v1.0/me/photo/$value`, token, Math.max(20 * 1024 * 1024, limitOf('v1.0') + 1));
    assert.ok(answer.status === 413 || answer.error !== undefined, JSON.stringify(answer));
    const next = await putWhole(`${base}/beta/me/photo/$value`, token, limitOf('beta') + 1);
    assert.deepEqual(next, { status: 413 });
  });
});
