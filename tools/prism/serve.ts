/**
 * A third-party mock on trial: Stoplight Prism serving the OpenAPI export (spec/openapi/),
 * one Prism process per document, behind one loopback origin laid out as the embedded mock
 * and the real services are (`/v1.0`, `/beta`, `/api/v2.0`, `/api/beta`), so that the suite
 * runs against it by URL like against any other server. Prism serves a document's paths at
 * its root, whatever the document's `servers` say: the front strips the version prefix and
 * passes everything else through untouched, bytes and headers.
 *
 * Prism issues no tokens: the suite takes them from the environment (PRISM_TOKENS).
 *
 * With `upstream`, Prism judges another server instead (`prism proxy`), and the front keeps
 * every violation Prism reports in its `sl-violations` header: a contract test of a server
 * against the export. Prism's proxy reads a body as text, which mangles a JPEG on its way, so
 * Prism never stands between the client and the server: the front sends each request to the
 * server itself, bytes untouched, and answers with the server's answer, untouched; before it
 * answers, it sends a copy of the exchange through Prism, whose upstream is a replay server
 * that gives back the answer the server gave. What no document serves (the token endpoint,
 * `/_mock/*`) goes to the server alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { REPO_ROOT } from '../spec/paths.ts';

/** Which document serves which prefix of the origin, longest prefix first. */
export const PRISM_ROUTES: readonly { prefix: string; document: string }[] = [
  { prefix: '/api/v2.0', document: 'outlook-v2.0.yaml' },
  { prefix: '/api/beta', document: 'outlook-beta.yaml' },
  { prefix: '/v1.0', document: 'graph-v1.0.yaml' },
  { prefix: '/beta', document: 'graph-beta.yaml' },
];

/**
 * Opaque bearer tokens for the url target (suites/harness/tokens.ts: EnvironmentTokenSource).
 * Prism checks that a request carries one where the document asks for OAuth 2.0, nothing more.
 */
export const PRISM_TOKENS: Readonly<Record<string, string>> = {
  PHOTO_TOKEN_APP: 'prism-app',
  PHOTO_TOKEN_APP_LACKING: 'prism-app-lacking',
  PHOTO_TOKEN_DELEGATED: 'prism-delegated',
  PHOTO_TOKEN_DELEGATED_LACKING: 'prism-delegated-lacking',
  PHOTO_TOKEN_PERSONAL: 'prism-personal',
};

/** One violation Prism reported about an exchange (its `sl-violations` header). */
export interface PrismViolation {
  /** `request` or `response`, then the part (`['response', 'header', 'etag']`); `['judge']` when Prism could not judge */
  location: string[];
  severity: string;
  code?: string | number;
  message: string;
}

export interface ViolatingExchange {
  method: string;
  path: string;
  status: number;
  violations: PrismViolation[];
}

export interface PrismMocks {
  url: string;
  /** proxy mode: every exchange Prism found a violation in, in the order they ended */
  exchanges(): ViolatingExchange[];
  stop(): Promise<void>;
}

export interface PrismOptions {
  /** the front's port (0: any free one) */
  port?: number;
  /** where the documents are (default spec/openapi) */
  documentsDir?: string;
  /** Prism's own log lines, for a caller that wants them */
  log?: (line: string) => void;
  /** how long one Prism may take to load its document */
  startTimeoutMs?: number;
  /** a server to validate: Prism proxies to it instead of mocking (`http://127.0.0.1:4730`) */
  upstream?: string;
}

const PRISM_BIN = join(REPO_ROOT, 'node_modules/.bin/prism');
const LISTENING = /Prism is listening on (http:\/\/[^\s]+)/;
// Prism colours its terminal lines.
const ANSI = /\u001b\[[0-9;]*m/g;

interface Started {
  child: ChildProcess;
  url: string;
}

/** A free loopback port (Prism takes no port 0 and tells no port back). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function startPrism(document: string, prefix: string, options: PrismOptions, replay?: string): Promise<Started> {
  const port = await freePort();
  const mode = replay === undefined ? ['mock', document] : ['proxy', document, `${replay}${prefix}`];
  const child = spawn(PRISM_BIN, [...mode, '--host', '127.0.0.1', '--port', String(port), '--errors', 'false'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: string[] = [];
  return new Promise<Started>((resolve, reject) => {
    const timer = setTimeout(() => {
      stopChild(child);
      reject(new Error(`prism did not start serving ${document} within ${(options.startTimeoutMs ?? 120_000) / 1000} s:\n${lines.slice(-10).join('\n')}`));
    }, options.startTimeoutMs ?? 120_000);
    const read = (line: string) => {
      const text = line.replace(ANSI, '');
      lines.push(text);
      options.log?.(text);
      const listening = LISTENING.exec(text);
      if (listening) {
        clearTimeout(timer);
        resolve({ child, url: listening[1]! });
      }
    };
    createInterface({ input: child.stdout! }).on('line', read);
    createInterface({ input: child.stderr! }).on('line', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`prism exited (${code}) before it served ${document}:\n${lines.slice(-10).join('\n')}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`prism could not start (${PRISM_BIN}): ${error.message}`));
    });
  });
}

function stopChild(child: ChildProcess): void {
  if (child.exitCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
}

/** The header naming the answer the replay server gives Prism back. */
const REPLAY_HEADER = 'x-photo-conformance-replay';
/** How much of a request body is kept for Prism (the server gets it all). */
const COPY_LIMIT = 16 * 1024 * 1024;
/** Hop-by-hop headers: each leg of the trip sets its own. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'proxy-connection', 'upgrade', 'te', 'trailer']);

interface Answer {
  status: number;
  headers: [string, string][];
  body: Buffer;
  /** the length the server declared: a HEAD answer's, whose body is never sent */
  declaredLength?: string;
}

const endToEnd = (raw: readonly string[]): [string, string][] => {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) if (!HOP_BY_HOP.has(raw[i]!.toLowerCase())) out.push([raw[i]!, raw[i + 1]!]);
  return out;
};

function sendAnswer(res: ServerResponse, answer: Answer): void {
  const length = answer.declaredLength ?? String(answer.body.length);
  res.writeHead(answer.status, [...answer.headers.flat(), 'content-length', length]);
  res.end(answer.body);
}

const listen = (server: Server, port = 0) =>
  new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });

const closeServer = async (server: Server) => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
};

/** Every document under one origin; `stop` ends the front and every Prism. */
export async function startPrismMocks(options: PrismOptions = {}): Promise<PrismMocks> {
  const dir = options.documentsDir ?? join(REPO_ROOT, 'spec/openapi');
  const validated = options.upstream === undefined ? undefined : new URL(options.upstream);
  // Proxy mode: Prism's upstream gives back, by id, the answer the server gave the front.
  const pending = new Map<string, Answer>();
  const replay = validated
    ? createServer((req, res) => {
        const id = req.headers[REPLAY_HEADER];
        const answer = typeof id === 'string' ? pending.get(id) : undefined;
        req.resume();
        if (!answer) {
          res.writeHead(502, { 'content-type': 'text/plain' });
          res.end('no answer to replay');
          return;
        }
        sendAnswer(res, answer);
      })
    : undefined;
  const replayUrl = replay ? `http://127.0.0.1:${await listen(replay)}` : undefined;
  const settled = await Promise.allSettled(PRISM_ROUTES.map((route) => startPrism(join(dir, route.document), route.prefix, options, replayUrl)));
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    for (const s of started) stopChild(s.child);
    if (replay) await closeServer(replay);
    throw failed.reason;
  }
  const routes = PRISM_ROUTES.map((route, i) => ({ ...route, url: new URL(started[i]!.url) }));
  const exchanges: ViolatingExchange[] = [];
  let sequence = 0;

  /** The exchange through Prism, for its judgement only: the client never sees this answer. */
  const judge = (route: (typeof routes)[number], req: IncomingMessage, path: string, body: Buffer, answer: Answer) =>
    new Promise<void>((resolve) => {
      const id = `${process.pid}-${++sequence}`;
      pending.set(id, answer);
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(req.headers)) if (value !== undefined && !HOP_BY_HOP.has(name) && name !== 'host') headers[name] = value;
      headers[REPLAY_HEADER] = id;
      headers.host = route.url.host;
      if (body.length) headers['content-length'] = String(body.length);
      const done = (reported: PrismViolation[]) => {
        pending.delete(id);
        if (reported.length) exchanges.push({ method: req.method ?? 'GET', path, status: answer.status, violations: reported });
        resolve();
      };
      // An exchange Prism could not judge is said so, never taken for a clean one.
      const unjudged = (why: string): PrismViolation[] => [{ location: ['judge'], severity: 'unjudged', message: `Prism did not judge this exchange: ${why}` }];
      const toPrism = request({ host: route.url.hostname, port: route.url.port, method: req.method, path: path.slice(route.prefix.length) || '/', headers }, (judged) => {
        const reported = violationsOf(judged.headers['sl-violations']);
        const own = judged.statusCode !== answer.status;
        const text: Buffer[] = [];
        judged.on('data', (chunk: Buffer) => own && text.push(chunk));
        judged.on('end', () => done(own ? [...reported, ...unjudged(`it answered ${judged.statusCode} itself: ${Buffer.concat(text).toString('utf8').slice(0, 300)}`)] : reported));
        judged.on('error', (error) => done([...reported, ...unjudged(error.message)]));
      });
      toPrism.on('error', (error) => done(unjudged(error.message)));
      toPrism.end(body);
    });

  const front: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    const route = routes.find((r) => path === r.prefix || path.startsWith(`${r.prefix}/`) || path.startsWith(`${r.prefix}?`));
    if (validated) {
      // Straight to the server, bytes untouched; on a documented path, judged by Prism on the way back.
      const copy: Buffer[] = [];
      let copied = 0;
      if (route) {
        req.on('data', (chunk: Buffer) => {
          if (copied < COPY_LIMIT) copy.push(chunk.subarray(0, COPY_LIMIT - copied));
          copied += chunk.length;
        });
      }
      let answered = false;
      const send = validated.protocol === 'https:' ? httpsRequest : request;
      const forward = send({ host: validated.hostname, port: validated.port, method: req.method, path, headers: { ...req.headers, host: validated.host } }, (answer) => {
        answered = true;
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const declared = answer.headers['content-length'];
          const whole: Answer = {
            status: answer.statusCode ?? 502,
            headers: endToEnd(answer.rawHeaders),
            body: Buffer.concat(chunks),
            ...(req.method === 'HEAD' && declared !== undefined ? { declaredLength: declared } : {}),
          };
          const judged = route ? judge(route, req, path, Buffer.concat(copy), whole) : Promise.resolve();
          void judged.then(() => {
            // A body the server did not wait for: close after the answer, as the server would.
            if (!req.readableEnded) res.once('finish', () => req.socket.destroy());
            sendAnswer(res, whole);
          });
        });
      });
      forward.on('error', (error) => {
        // A server that answered, then closed on the rest of the body, has said its word.
        if (answered) return;
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`${validated.host} did not answer: ${error.message}`);
      });
      req.pipe(forward);
      return;
    }
    if (!route) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'NoDocument', message: `no OpenAPI document serves ${path.split('?')[0]}` } }));
      return;
    }
    const forward = request(
      { host: route.url.hostname, port: route.url.port, method: req.method, path: path.slice(route.prefix.length) || '/', headers: { ...req.headers, host: route.url.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    forward.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`prism for ${route.prefix} did not answer: ${error.message}`);
    });
    req.pipe(forward);
  });
  const port = await listen(front, options.port ?? 0);
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges: () => [...exchanges],
    async stop() {
      await closeServer(front);
      if (replay) await closeServer(replay);
      await Promise.all(
        started.map(
          (s) =>
            new Promise<void>((resolve) => {
              if (s.child.exitCode !== null) return resolve();
              s.child.once('exit', () => resolve());
              stopChild(s.child);
            }),
        ),
      );
    },
  };
}

/** Prism's `sl-violations` header: a JSON array; anything else is reported as it came. */
export function violationsOf(header: string | string[] | undefined): PrismViolation[] {
  if (header === undefined) return [];
  const text = Array.isArray(header) ? header.join(',') : header;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!Array.isArray(parsed)) throw new Error('not an array');
    return parsed.map((v: Record<string, unknown>) => ({
      location: Array.isArray(v.location) ? v.location.map(String) : [],
      severity: String(v.severity ?? ''),
      ...(v.code !== undefined ? { code: v.code as string | number } : {}),
      message: String(v.message ?? ''),
    }));
  } catch {
    return [{ location: [], severity: 'unknown', message: `unreadable sl-violations header: ${text.slice(0, 200)}` }];
  }
}
