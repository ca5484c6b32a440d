/**
 * `npm run bench:mock`: the mock tenant's speed beside a bare node:http server that answers
 * the same bytes, with one load generator (autocannon, in this process) in one run.
 *
 * Both servers run in child processes of their own (this file, `--serve mock|bare`), so
 * neither shares an event loop with the load generator. Measured, mock then bare:
 *   GET $value, GET metadata (target: the mock at least 0.6 of the bare server's req/s),
 *   PUT $value (the bare server only reads the body; the mock decodes, makes the size
 *   variants and publishes them), with the mock's PUT latency p50/p99.
 * Then the same GETs over HTTPS: the mock with `tls` (the local CA's certificate, as
 * `mock --https` serves) beside a bare node:https server with the same certificate.
 * Reads go through the Outlook REST API and uploads through Graph, where the spec lists them.
 * `MOCK_BENCH_SECONDS` (default 5) bounds each measurement, per server, run as A-B-B-A slices, three rounds.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import sharp from 'sharp';
import { DEFAULT_SPEC_PATH } from '../spec/io.ts';

const SELF = fileURLToPath(import.meta.url);
const SECONDS = Number(process.env.MOCK_BENCH_SECONDS ?? 5);
const TARGET_GET_RATIO = 0.6;
const GET_CONNECTIONS = 32;
// Uploads are CPU-bound on the server (decode + nine resizes): a few connections show latency, not queueing.
const PUT_CONNECTIONS = 4;

const CONTOSO = '8f3c2a10-0001-4c5e-9a7b-000000000001';
const READER = { clientId: '3e9a4b7c-0003-4d2e-8f1a-000000000303', secret: 'contoso-reader-secret-3e9a' };
const WRITER = { clientId: '3e9a4b7c-0002-4d2e-8f1a-000000000302', secret: 'contoso-least-secret-3e9a' };
const USER = { upn: 'adele.vance@contoso.onmicrosoft.com', password: 'Adele-Photo-1' };

interface Canned {
  status: number;
  headers: Record<string, string>;
  body: string; // base64
}
type ChildMessage = { url: string };
type BareSetup = { routes: Record<string, Canned> };

// ---- child processes ----------------------------------------------------------------------

const HTTPS = process.argv.includes('--https');

async function serveMock(): Promise<void> {
  const { startMockServer } = await import('../mock/server.ts');
  const { TEST_SPEC_PATH } = await import('../mock/testing.ts');
  // The extracted spec; before the first extraction, the corpus-shaped spec of the mock's tests.
  const specFile = existsSync(DEFAULT_SPEC_PATH) ? DEFAULT_SPEC_PATH : TEST_SPEC_PATH;
  const tls = HTTPS ? await (await import('../mock/tls.ts')).serverTls() : undefined;
  const server = await startMockServer({ specFile, ...(tls ? { tls } : {}) });
  process.send!({ url: server.url } satisfies ChildMessage);
}

/** Answers each GET path with canned bytes (sent over IPC once known) and every PUT with 200 once its body is read. */
async function serveBare(): Promise<void> {
  const tls = HTTPS ? await (await import('../mock/tls.ts')).serverTls() : undefined;
  let routes = new Map<string, Canned & { bytes: Buffer }>();
  process.on('message', (setup: BareSetup) => {
    routes = new Map(Object.entries(setup.routes).map(([path, c]) => [path, { ...c, bytes: Buffer.from(c.body, 'base64') }]));
    process.send!({ url: 'ready' } satisfies ChildMessage);
  });
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'PUT' || req.method === 'PATCH') {
      req.on('data', () => {});
      req.on('end', () => res.writeHead(200, { 'Content-Length': '0' }).end());
      return;
    }
    const canned = routes.get(req.url ?? '');
    if (!canned) return void res.writeHead(404).end();
    res.writeHead(canned.status, { ...canned.headers, 'Content-Length': String(canned.bytes.length) });
    res.end(canned.bytes);
  };
  const server = tls ? createTlsServer({ key: tls.key, cert: tls.cert }, handler) : createServer(handler);
  server.keepAliveTimeout = 5000;
  server.listen(0, '127.0.0.1', () => process.send!({ url: `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}` } satisfies ChildMessage));
}

// ---- the run ------------------------------------------------------------------------------

function start(role: 'mock' | 'bare', https = false): Promise<{ child: ChildProcess; url: string }> {
  const child = fork(SELF, ['--serve', role, ...(https ? ['--https'] : [])], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m: ChildMessage) => resolve({ child, url: m.url }));
    child.once('exit', (code) => reject(new Error(`the ${role} server exited (${code}) before listening`)));
  });
}

async function token(url: string, form: Record<string, string>): Promise<string> {
  const response = await fetch(`${url}/${CONTOSO}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams(form) });
  const body = (await response.json()) as { access_token?: string; error_description?: string };
  if (!body.access_token) throw new Error(`the mock refused a token: ${body.error_description ?? response.status}`);
  return body.access_token;
}

/** Adele, signed in to the reader app for Outlook's User.Read: what every GET is measured with. */
const readerToken = (url: string) =>
  token(url, {
    grant_type: 'password',
    client_id: READER.clientId,
    client_secret: READER.secret,
    username: USER.upn,
    password: USER.password,
    scope: 'https://outlook.office.com/User.Read',
  });

const KEPT_HEADERS = ['content-type', 'etag', 'cache-control', 'odata-version'];
async function canned(url: string, path: string, auth: string): Promise<Canned> {
  const response = await fetch(`${url}${path}`, { headers: { Authorization: auth } });
  const body = Buffer.from(await response.arrayBuffer());
  if (response.status !== 200) throw new Error(`GET ${path} on the mock answered ${response.status}: ${body.toString().slice(0, 200)}`);
  const headers: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  // The mock also sends request-id and client-request-id; the bare server sends ids of the same length.
  headers['request-id'] = crypto.randomUUID();
  headers['client-request-id'] = crypto.randomUUID();
  return { status: 200, headers, body: body.toString('base64') };
}

interface Measured {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

type Target = { method: 'GET' | 'PUT'; headers: IncomingHttpHeaders; body?: Buffer; connections: number };

async function once(url: string, path: string, options: Target, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}${path}`,
    method: options.method,
    headers: options.headers as Record<string, string>,
    body: options.body,
    connections: options.connections,
    duration: seconds,
  });
}

/**
 * Mock and bare in A-B-B-A order, repeated ROUNDS times in short slices, so load from other
 * processes on this shared machine falls on both sides alike. Requests per second are totals
 * over time; latency p50 is the median of the slices' p50, p99 the worst slice's p99.
 */
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};
const ROUNDS = 3;
async function measurePair(mockUrl: string, bareUrl: string, path: string, options: Target): Promise<{ mock: Measured; bare: Measured }> {
  const slice = SECONDS / (2 * ROUNDS);
  const mock: autocannon.Result[] = [];
  const bare: autocannon.Result[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    mock.push(await once(mockUrl, path, options, slice));
    bare.push(await once(bareUrl, path, options, slice));
    bare.push(await once(bareUrl, path, options, slice));
    mock.push(await once(mockUrl, path, options, slice));
  }
  const combine = (runs: autocannon.Result[]): Measured => ({
    rps: runs.reduce((n, r) => n + r.requests.total, 0) / runs.reduce((n, r) => n + r.duration, 0),
    p50: median(runs.map((r) => r.latency.p50)),
    p99: Math.max(...runs.map((r) => r.latency.p99)),
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    errors: runs.reduce((n, r) => n + r.errors + r.timeouts, 0),
  });
  return { mock: combine(mock), bare: combine(bare) };
}

const progress = (message: string) => process.stderr.write(`bench:mock: ${message}\n`);

async function main(): Promise<number> {
  const started = Date.now();
  progress('starting the mock and the bare server');
  const [mock, bare] = await Promise.all([start('mock'), start('bare')]);
  progress(`mock at ${mock.url}, bare server at ${bare.url}; signing in`);
  try {
    const readToken = await readerToken(mock.url);
    const writeToken = await token(mock.url, {
      grant_type: 'password',
      client_id: WRITER.clientId,
      client_secret: WRITER.secret,
      username: USER.upn,
      password: USER.password,
      scope: 'User.ReadWrite',
    });
    const paths = { value: '/api/v2.0/me/photo/$value', metadata: '/api/v2.0/me/photo', put: '/v1.0/me/photo/$value' };
    const readAuth = `Bearer ${readToken}`;
    progress('copying the mock\'s answers to the bare server');
    const routes = { [paths.value]: await canned(mock.url, paths.value, readAuth), [paths.metadata]: await canned(mock.url, paths.metadata, readAuth) };
    await new Promise<void>((resolve) => {
      bare.child.once('message', () => resolve());
      bare.child.send({ routes } satisfies BareSetup);
    });
    // A full-size upload, so every predefined size is made on each PUT.
    const upload = await sharp({ create: { width: 648, height: 648, channels: 3, background: '#3366cc' } }).jpeg().toBuffer();

    const readHeaders = { authorization: readAuth };
    // Warm both servers up (JIT, token cache, connection setup) so the first measurement is not the mock's start-up.
    progress('warming up');
    for (const url of [mock.url, bare.url]) {
      for (const path of [paths.value, paths.metadata]) await once(url, path, { method: 'GET', headers: readHeaders, connections: GET_CONNECTIONS }, 1);
    }
    const rows: Array<{ name: string; mock: Measured; bare: Measured; target?: number }> = [];
    for (const [name, path] of [['GET $value', paths.value], ['GET metadata', paths.metadata]] as const) {
      progress(`measuring ${name}`);
      const pair = await measurePair(mock.url, bare.url, path, { method: 'GET', headers: readHeaders, connections: GET_CONNECTIONS });
      rows.push({ name, ...pair, target: TARGET_GET_RATIO });
    }
    // Over TLS: a second pair, the mock serving https and a bare node:https server with the
    // same certificate; the mock's tokens are its own, so it signs the reader in again.
    progress('starting the https mock and the bare https server');
    const [tlsMock, tlsBare] = await Promise.all([start('mock', true), start('bare', true)]);
    try {
      const tlsAuth = `Bearer ${await readerToken(tlsMock.url)}`;
      const tlsRoutes = { [paths.value]: await canned(tlsMock.url, paths.value, tlsAuth), [paths.metadata]: await canned(tlsMock.url, paths.metadata, tlsAuth) };
      await new Promise<void>((resolve) => {
        tlsBare.child.once('message', () => resolve());
        tlsBare.child.send({ routes: tlsRoutes } satisfies BareSetup);
      });
      for (const url of [tlsMock.url, tlsBare.url]) await once(url, paths.value, { method: 'GET', headers: { authorization: tlsAuth }, connections: GET_CONNECTIONS }, 1);
      for (const [name, path] of [['GET $value (https)', paths.value], ['GET metadata (https)', paths.metadata]] as const) {
        progress(`measuring ${name}`);
        const pair = await measurePair(tlsMock.url, tlsBare.url, path, { method: 'GET', headers: { authorization: tlsAuth }, connections: GET_CONNECTIONS });
        rows.push({ name, ...pair, target: TARGET_GET_RATIO });
      }
    } finally {
      tlsMock.child.kill();
      tlsBare.child.kill();
    }

    const putHeaders = { authorization: `Bearer ${writeToken}`, 'content-type': 'image/jpeg' };
    progress('measuring PUT $value');
    const { mock: putMock, bare: putBare } = await measurePair(mock.url, bare.url, paths.put, { method: 'PUT', headers: putHeaders, body: upload, connections: PUT_CONNECTIONS });
    rows.push({ name: 'PUT $value (648x648)', mock: putMock, bare: putBare });

    const fmt = (n: number) => n.toFixed(0).padStart(8);
    console.log(`bench:mock  ${SECONDS} s per measurement, autocannon, ${GET_CONNECTIONS} connections for GET, ${PUT_CONNECTIONS} for PUT; load average ${loadavg()[0]!.toFixed(2)}`);
    console.log('');
    console.log('measurement             mock req/s  bare req/s   ratio   target');
    let missed = false;
    let broken = false;
    for (const row of rows) {
      const ratio = row.mock.rps / row.bare.rps;
      const verdict = row.target === undefined ? 'info' : ratio >= row.target ? `>= ${row.target} PASS` : `>= ${row.target} MISS`;
      if (row.target !== undefined && ratio < row.target) missed = true;
      if (row.mock.non2xx + row.mock.errors + row.bare.non2xx + row.bare.errors > 0) broken = true;
      console.log(`${row.name.padEnd(22)}  ${fmt(row.mock.rps)}    ${fmt(row.bare.rps)}   ${ratio.toFixed(2).padStart(5)}   ${verdict}`);
    }
    console.log('');
    console.log(`PUT latency on the mock (variants included): p50 ${putMock.p50} ms, p99 ${putMock.p99} ms   info (no target)`);
    console.log(`PUT latency on the bare server (body read only): p50 ${putBare.p50} ms, p99 ${putBare.p99} ms`);
    for (const row of rows) {
      if (row.mock.non2xx + row.mock.errors > 0) console.log(`MISS ${row.name}: the mock answered ${row.mock.non2xx} non-2xx and ${row.mock.errors} errors`);
    }
    console.log(`\n${missed || broken ? 'MISS' : 'PASS'}: GET targets ${missed ? 'missed' : 'met'}${broken ? ', with failed requests' : ''} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    return missed || broken ? 1 : 0;
  } finally {
    mock.child.kill();
    bare.child.kill();
  }
}

const serveAt = process.argv.indexOf('--serve');
if (serveAt >= 0) {
  const role = process.argv[serveAt + 1];
  if (role === 'mock') await serveMock();
  else await serveBare();
} else if (!process.env.MOCK_BENCH_TRUSTS_CA) {
  // The HTTPS rows need the local CA trusted by this process's fetch and autocannon alike:
  // Node reads NODE_EXTRA_CA_CERTS at start, so the bench runs again in a process that has it.
  const { extraCaCerts, localCa } = await import('../mock/tls.ts');
  const caFile = await extraCaCerts(await localCa());
  const child = fork(SELF, process.argv.slice(2), { execArgv: ['--import', 'tsx'], env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile, MOCK_BENCH_TRUSTS_CA: '1' }, stdio: 'inherit' });
  process.exitCode = await new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
} else {
  process.exitCode = await main();
}
