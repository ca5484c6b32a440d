import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readRequestLog, replayLanes } from './replay.ts';

const RECORDER = resolve(fileURLToPath(new URL('.', import.meta.url)), 'request-recorder.mjs');

interface Seen {
  method: string;
  path: string;
  authorization?: string;
  body: Buffer;
}

/** A tiny stand-in for the mock: a token endpoint issuing `issue`, and a photo path. */
async function startServer(issue: string): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, path: req.url!, authorization: req.headers.authorization, body: Buffer.concat(chunks) });
      if (req.url!.endsWith('/oauth2/v2.0/token')) {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ access_token: issue, token_type: 'Bearer' }));
      } else if (req.headers.authorization !== `Bearer ${issue}`) {
        res.statusCode = 401;
        res.end();
      } else {
        res.statusCode = req.method === 'PUT' ? 200 : 204;
        res.end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${address.port}`, seen };
}

/** What a worker does: a token by fetch, an upload by node:http, a read by fetch. */
const WORKER = `
import { request } from 'node:http';
const base = process.env.BASE;
const token = (await (await fetch(base + '/t1/oauth2/v2.0/token', { method: 'POST', body: new URLSearchParams({ client_secret: 's', grant_type: 'client_credentials' }) })).json()).access_token;
await new Promise((done, fail) => {
  const req = request(new URL(base + '/v1.0/me/photo/$value'), { method: 'PUT', headers: { authorization: 'Bearer ' + token, 'content-type': 'image/jpeg' } }, (res) => { res.resume(); res.on('end', done); });
  req.on('error', fail);
  req.end(Buffer.from('jpeg-bytes-0123456789'));
});
await (await fetch(base + '/v1.0/me/photo', { headers: { authorization: 'Bearer ' + token } })).arrayBuffer();
`;

function runWorker(env: Record<string, string>): Promise<number | null> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', RECORDER, '--input-type=module', '-e', WORKER], { env: { ...process.env, ...env }, stdio: 'inherit' });
    child.on('error', fail);
    child.on('exit', done);
  });
}

describe('request recorder and replay', () => {
  let dir: string;
  let recorded: Awaited<ReturnType<typeof startServer>>;
  let fresh: Awaited<ReturnType<typeof startServer>>;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'suite-bench-'));
    recorded = await startServer('old-token-1');
    fresh = await startServer('fresh-token-2');
  });
  after(async () => {
    recorded.server.close();
    fresh.server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('records nothing unless asked to', async () => {
    assert.equal(await runWorker({ BASE: recorded.url, TEST_PARALLEL_INDEX: '0' }), 0);
    assert.deepEqual(await readdir(dir), []);
    recorded.seen.length = 0;
  });

  it('records every request of a worker, whichever client made it, with bodies and statuses', async () => {
    assert.equal(await runWorker({ BASE: recorded.url, TEST_PARALLEL_INDEX: '0', PHOTO_BENCH_REQUEST_LOG: dir }), 0);
    const { lanes, bodies, processes } = await readRequestLog(dir);
    assert.equal(lanes.length, 1);
    assert.equal(processes.length, 1);
    assert.ok(processes[0]!.firstRequestAt >= processes[0]!.startedAt);
    const requests = lanes[0]!.requests;
    assert.deepEqual(requests.map((r) => `${r.client} ${r.method} ${new URL(r.url).pathname} ${r.status}`), [
      'fetch POST /t1/oauth2/v2.0/token 200',
      'node PUT /v1.0/me/photo/$value 200',
      'fetch GET /v1.0/me/photo 204',
    ]);
    assert.equal(requests[0]!.issuedToken, 'old-token-1');
    assert.ok(requests.every((r) => typeof r.ms === 'number' && r.ms >= 0), 'each request has its duration');
    assert.ok(processes[0]!.httpMs > 0);
    assert.equal(bodies.get(requests[1]!.body!)?.toString(), 'jpeg-bytes-0123456789');
  });

  it('replays them against a fresh server with the tokens it issues, and the same results', async () => {
    const { lanes, bodies } = await readRequestLog(dir);
    const outcome = await replayLanes(lanes, bodies, [fresh.url]);
    assert.equal(outcome.requests, 3);
    assert.equal(outcome.sameStatus, 3, JSON.stringify(outcome.differing));
    assert.deepEqual(
      fresh.seen.map((s) => [s.method, s.path, s.authorization ?? null, s.body.length]),
      [
        ['POST', '/t1/oauth2/v2.0/token', null, recorded.seen[0]!.body.length],
        ['PUT', '/v1.0/me/photo/$value', 'Bearer fresh-token-2', 21],
        ['GET', '/v1.0/me/photo', 'Bearer fresh-token-2', 0],
      ],
    );
    assert.ok(outcome.wallMs > 0);
  });
});
