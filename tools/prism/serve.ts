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
 * With `upstream`, each Prism is a validating proxy instead (`prism proxy`): it forwards every
 * request to that server under the same prefix and checks the request and the answer against
 * the document. The front passes what no document serves (the token endpoint, `/_mock/*`)
 * straight to the upstream, and keeps every violation Prism reports in its `sl-violations`
 * header: a contract test of a server against the export.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
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
  /** `request` or `response`, then the part: `['response', 'header', 'etag']` */
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

async function startPrism(document: string, prefix: string, options: PrismOptions): Promise<Started> {
  const port = await freePort();
  const mode = options.upstream === undefined ? ['mock', document] : ['proxy', document, `${options.upstream.replace(/\/+$/, '')}${prefix}`];
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

/** Every document under one origin; `stop` ends the front and every Prism. */
export async function startPrismMocks(options: PrismOptions = {}): Promise<PrismMocks> {
  const dir = options.documentsDir ?? join(REPO_ROOT, 'spec/openapi');
  const settled = await Promise.allSettled(PRISM_ROUTES.map((route) => startPrism(join(dir, route.document), route.prefix, options)));
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    for (const s of started) stopChild(s.child);
    throw failed.reason;
  }
  const routes = PRISM_ROUTES.map((route, i) => ({ ...route, url: new URL(started[i]!.url) }));
  const validated = options.upstream === undefined ? undefined : new URL(options.upstream);
  const exchanges: ViolatingExchange[] = [];
  const front: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    const route = routes.find((r) => path === r.prefix || path.startsWith(`${r.prefix}/`) || path.startsWith(`${r.prefix}?`));
    const to = route ? { url: route.url, path: path.slice(route.prefix.length) || '/' } : validated ? { url: validated, path } : undefined;
    if (!to) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'NoDocument', message: `no OpenAPI document serves ${path.split('?')[0]}` } }));
      return;
    }
    const forward = request(
      { host: to.url.hostname, port: to.url.port, method: req.method, path: to.path, headers: { ...req.headers, host: to.url.host } },
      (answer) => {
        const reported = route && validated ? violationsOf(answer.headers['sl-violations']) : [];
        if (reported.length) exchanges.push({ method: req.method ?? 'GET', path, status: answer.statusCode ?? 0, violations: reported });
        res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    forward.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`${route ? `prism for ${route.prefix}` : 'the upstream'} did not answer: ${error.message}`);
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = front.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges: () => [...exchanges],
    async stop() {
      await new Promise<void>((resolve) => front.close(() => resolve()));
      front.closeAllConnections();
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
