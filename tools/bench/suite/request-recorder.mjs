/**
 * Opt-in request recorder for `npm run bench:suite`, preloaded into the Playwright workers
 * with NODE_OPTIONS="--import <this file>". It changes nothing unless
 * PHOTO_BENCH_REQUEST_LOG names a directory; then every HTTP request a worker makes
 * (node:http, node:https and fetch: the harness's client, its token requests and the
 * url target's resets) is kept in memory with its body and, at exit, written to
 * `<dir>/w<parallel index>-<pid>.jsonl` for the bench to replay.
 *
 * A preload rather than a hook in the harness: the harness stays free of bench code, and
 * the recorder sees every request, whichever client made it.
 *
 * The log holds tokens (the replay needs them to map old tokens to fresh ones); it lives
 * in a private temporary directory the bench deletes, and is never printed.
 *
 * PHOTO_BENCH_BASE_URLS (comma separated) gives one mock per parallel worker: requests to
 * the first origin are sent to the worker's own, as the mock target gives each worker its
 * own mock.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';

const logDir = process.env.PHOTO_BENCH_REQUEST_LOG;
const origins = (process.env.PHOTO_BENCH_BASE_URLS ?? '').split(',').filter(Boolean).map((u) => new URL(u).origin);

if (logDir) {
  const entries = [];
  /** Bodies by sha256: uploads repeat (the same generated JPEG), so each is kept once. */
  const bodies = new Map();
  let seq = 0;
  const lane = () => process.env.TEST_PARALLEL_INDEX;

  const routed = (url) => {
    const index = Number(lane() ?? 0);
    if (origins.length < 2 || url.origin !== origins[0]) return url;
    const to = new URL(url.href);
    const target = new URL(origins[index % origins.length]);
    to.host = target.host;
    return to;
  };

  const keepBody = (chunks) => {
    const buffer = Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : Buffer.from(c.buffer, c.byteOffset, c.byteLength))));
    if (buffer.length === 0) return null;
    const hash = createHash('sha256').update(buffer).digest('hex');
    if (!bodies.has(hash)) bodies.set(hash, buffer);
    return hash;
  };

  const record = (entry) => {
    // The runner process makes no test requests; only workers have a parallel index.
    if (lane() === undefined) return undefined;
    entry.seq = seq++;
    // Wall-clock ms: files of one lane (a restarted worker) are ordered across processes.
    entry.t = performance.timeOrigin + performance.now();
    entries.push(entry);
    return entry;
  };

  const flatHeaders = (headers) => {
    const out = {};
    if (!headers) return out;
    if (typeof headers.forEach === 'function' && !Array.isArray(headers)) {
      headers.forEach((value, name) => (out[name.toLowerCase()] = value));
      return out;
    }
    for (const [name, value] of Array.isArray(headers) ? headers : Object.entries(headers)) {
      if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    }
    return out;
  };

  for (const [module, protocol] of [[http, 'http:'], [https, 'https:']]) {
    const original = module.request;
    module.request = function recordedRequest(input, options, callback) {
      // request(url, options?, cb?) or request(options, cb?)
      let url;
      let opts;
      if (typeof input === 'string' || input instanceof URL) {
        url = routed(new URL(input));
        if (typeof options === 'function') [callback, options] = [options, undefined];
        opts = options ?? {};
        input = url;
      } else {
        opts = input ?? {};
        callback = options;
        options = undefined;
        const host = opts.hostname ?? opts.host ?? 'localhost';
        url = new URL(`${opts.protocol ?? protocol}//${host}${opts.port ? `:${opts.port}` : ''}${opts.path ?? '/'}`);
      }
      const entry = record({ client: 'node', method: (opts.method ?? 'GET').toUpperCase(), url: url.href, headers: flatHeaders(opts.headers) });
      const request = options === undefined && !(input instanceof URL) ? original.call(this, input, callback) : original.call(this, input, opts, callback);
      if (!entry) return request;
      const chunks = [];
      const write = request.write;
      const end = request.end;
      request.write = function (chunk, ...rest) {
        if (chunk && typeof chunk !== 'function') chunks.push(chunk);
        return write.call(this, chunk, ...rest);
      };
      request.end = function (chunk, ...rest) {
        if (chunk && typeof chunk !== 'function') chunks.push(chunk);
        entry.body = keepBody(chunks);
        return end.call(this, chunk, ...rest);
      };
      request.on('response', (response) => {
        entry.status = response.statusCode;
        response.on('end', () => (entry.ms = performance.timeOrigin + performance.now() - entry.t));
      });
      return request;
    };
  }
  syncBuiltinESMExports();

  const originalFetch = globalThis.fetch;
  globalThis.fetch = async function recordedFetch(input, init = {}) {
    const request = input instanceof Request ? input : undefined;
    const url = routed(new URL(request ? request.url : String(input)));
    const method = (init.method ?? request?.method ?? 'GET').toUpperCase();
    const headers = flatHeaders(init.headers ?? request?.headers);
    let body = init.body;
    if (body instanceof URLSearchParams) {
      body = body.toString();
      if (!headers['content-type']) headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
    }
    const entry = record({ client: 'fetch', method, url: url.href, headers });
    if (entry) entry.body = typeof body === 'string' || body instanceof Uint8Array ? keepBody([body]) : null;
    const response = await originalFetch(request ? new Request(url, request) : url, init);
    if (entry) {
      entry.status = response.status;
      // Up to the headers: the caller reads the body; mock bodies follow at once.
      entry.ms = performance.timeOrigin + performance.now() - entry.t;
      // Token responses: the replay maps this token to the one a fresh mock issues.
      if (/\/oauth2\/v2\.0\/token$/.test(url.pathname)) {
        entry.issuedToken = await response
          .clone()
          .json()
          .then((json) => json?.access_token ?? null, () => null);
      }
    }
    return response;
  };

  process.on('exit', () => {
    if (entries.length === 0) return;
    mkdirSync(join(logDir, 'bodies'), { recursive: true });
    for (const [hash, buffer] of bodies) writeFileSync(join(logDir, 'bodies', hash), buffer, { mode: 0o600 });
    // The first line says when the process started: the bench reports worker start-up from it.
    const header = JSON.stringify({ process: { pid: process.pid, lane: lane() ?? null, startedAt: performance.timeOrigin } });
    const lines = [header, ...entries.map((e) => JSON.stringify(e))].join('\n');
    writeFileSync(join(logDir, `w${lane() ?? 'x'}-${process.pid}.jsonl`), `${lines}\n`, { mode: 0o600 });
  });
}
