/**
 * A bounded load run against a mock on loopback: N clients mixing photo uploads and reads
 * across the fixture's users for a fixed time, checking what a reader may never see.
 *
 * Torn reads are found without trusting the server: every upload is a unique solid colour,
 * so the bytes of any read say which upload they came from. A read is wrong when
 * - the same (user, ETag) is ever served with two different byte strings (new ETag with
 *   old bytes, or a partial image), or
 * - its bytes decode to no upload ever sent to that user, or do not decode at all.
 * The URLs come from the spec's operations, not from a list kept here.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import type { Operation } from '../../spec/model.ts';
import type { MockServer } from '../server.ts';
import { seededRandom } from '../../testing/seeded-random.ts';

export interface LoadOptions {
  server: MockServer;
  tenantId: string;
  userIds: string[];
  app: { clientId: string; secret: string };
  /** a user of the tenant who reads through Outlook with a `.All` read scope */
  reader: { upn: string; password: string; scope: string };
  clients: number;
  durationMs: number;
  /** shares of the mix; the rest are `$value` reads */
  putShare?: number;
  metadataShare?: number;
  seed?: number;
  /** edge of the square uploads; small keeps decoding cheap */
  side?: number;
}

export interface TornRead {
  userId: string;
  etag: string;
  hashes: string[];
}

export interface LoadReport {
  clients: number;
  elapsedMs: number;
  requests: number;
  requestsPerSecond: number;
  puts: number;
  valueReads: number;
  metadataReads: number;
  byStatus: Record<string, number>;
  serverErrors: Array<{ method: string; url: string; status: number; body: string }>;
  networkErrors: string[];
  tornReads: TornRead[];
  /** bytes that decode to no upload of that user, or not at all */
  foreignReads: Array<{ userId: string; etag: string; reason: string }>;
  rssMB: { start: number; peak: number; end: number };
}

const IMAGE_POOL = 512;

/** Colour of upload k: 5 bits per channel, centred in its band so JPEG rounding cannot move it. */
function colourOf(k: number): [number, number, number] {
  return [(k & 31) * 8 + 4, ((k >> 5) & 31) * 8 + 4, ((k >> 10) & 31) * 8 + 4];
}
function idOfColour(r: number, g: number, b: number): number {
  const band = (v: number) => Math.max(0, Math.min(31, Math.floor(v / 8)));
  return band(r) | (band(g) << 5) | (band(b) << 10);
}

async function uploadPool(side: number): Promise<Buffer[]> {
  const pool: Buffer[] = [];
  for (let k = 1; k <= IMAGE_POOL; k += 32) {
    const batch = Array.from({ length: Math.min(32, IMAGE_POOL + 1 - k) }, (_, i) => {
      const [r, g, b] = colourOf(k + i);
      return sharp({ create: { width: side, height: side, channels: 3, background: { r, g, b } } })
        .jpeg({ quality: 95, chromaSubsampling: '4:4:4' })
        .toBuffer();
    });
    pool.push(...(await Promise.all(batch)));
  }
  return pool;
}


const ROOTS: Record<string, string> = { 'graph v1.0': '/v1.0', 'graph beta': '/beta', 'outlook v2.0': '/api/v2.0', 'outlook beta': '/api/beta' };

/** The URL of a user's photo for one operation of the spec: its path with the user's id in the placeholder. */
export function userPhotoUrl(op: Operation, userId: string): string {
  const root = ROOTS[`${op.api} ${op.version}`];
  if (!root) throw new Error(`no version root for ${op.api} ${op.version}`);
  return `${root}${op.path.replace(/\{[^}]+\}/, userId)}`;
}

export function findOperation(server: MockServer, api: Operation['api'], version: Operation['version'], method: Operation['method'], target: Operation['target']): Operation {
  const op = server.spec.operations.find(
    (o) => o.api === api && o.version === version && o.method === method && o.resource === 'user' && o.target === target,
  );
  if (!op) throw new Error(`the spec lists no ${api} ${version} ${method} user ${target} operation`);
  return op;
}

async function token(server: MockServer, tenantId: string, form: Record<string, string>): Promise<string> {
  const response = await fetch(`${server.url}/${tenantId}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams(form) });
  const body = (await response.json()) as { access_token?: string; error?: string };
  if (!body.access_token) throw new Error(`token endpoint refused the load generator: ${body.error ?? response.status}`);
  return body.access_token;
}

const rssMB = () => Math.round(process.memoryUsage().rss / (1024 * 1024));

export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const { server, userIds } = options;
  const side = options.side ?? 96;
  const putShare = options.putShare ?? 0.4;
  const metadataShare = options.metadataShare ?? 0.15;
  const put = findOperation(server, 'graph', 'v1.0', 'PUT', 'value');
  const getValue = findOperation(server, 'outlook', 'v2.0', 'GET', 'value');
  const getMetadata = findOperation(server, 'outlook', 'v2.0', 'GET', 'metadata');

  const writer = await token(server, options.tenantId, {
    grant_type: 'client_credentials',
    client_id: options.app.clientId,
    client_secret: options.app.secret,
    scope: 'https://graph.microsoft.com/.default',
  });
  const reader = await token(server, options.tenantId, {
    grant_type: 'password',
    client_id: options.app.clientId,
    client_secret: options.app.secret,
    username: options.reader.upn,
    password: options.reader.password,
    scope: options.reader.scope,
  });
  const pool = await uploadPool(side);

  const report: LoadReport = {
    clients: options.clients,
    elapsedMs: 0,
    requests: 0,
    requestsPerSecond: 0,
    puts: 0,
    valueReads: 0,
    metadataReads: 0,
    byStatus: {},
    serverErrors: [],
    networkErrors: [],
    tornReads: [],
    foreignReads: [],
    rssMB: { start: rssMB(), peak: rssMB(), end: 0 },
  };
  const uploadsTo = new Map<string, Set<number>>(userIds.map((id) => [id, new Set<number>()]));
  const bytesByEtag = new Map<string, Set<string>>(); // `${user} ${etag}` -> hashes served
  const samples = new Map<string, { userId: string; etag: string; bytes: Buffer }>(); // first read of each distinct hash per user
  let nextImage = 0;

  async function send(method: string, url: string, headers: Record<string, string>, body?: Buffer) {
    report.requests++;
    try {
      const response = await fetch(`${server.url}${url}`, { method, headers, body });
      const bytes = Buffer.from(await response.arrayBuffer());
      report.byStatus[response.status] = (report.byStatus[response.status] ?? 0) + 1;
      if (response.status >= 500 && report.serverErrors.length < 20) {
        report.serverErrors.push({ method, url, status: response.status, body: bytes.subarray(0, 300).toString('utf8') });
      }
      return { status: response.status, headers: response.headers, bytes };
    } catch (error) {
      if (report.networkErrors.length < 20) report.networkErrors.push(`${method} ${url}: ${(error as Error).message}`);
      return undefined;
    }
  }

  async function upload(userId: string): Promise<void> {
    const k = (nextImage++ % IMAGE_POOL) + 1;
    // Recorded before sending: a read may see the new photo before this upload's answer arrives.
    uploadsTo.get(userId)!.add(k);
    report.puts++;
    await send('PUT', userPhotoUrl(put, userId), { Authorization: `Bearer ${writer}`, 'Content-Type': 'image/jpeg' }, pool[k - 1]);
  }

  async function readValue(userId: string): Promise<void> {
    report.valueReads++;
    const answer = await send('GET', userPhotoUrl(getValue, userId), { Authorization: `Bearer ${reader}` });
    if (answer?.status !== 200) return;
    const etag = answer.headers.get('etag') ?? '(none)';
    const hash = createHash('sha256').update(answer.bytes).digest('hex');
    const key = `${userId} ${etag}`;
    const seen = bytesByEtag.get(key) ?? new Set<string>();
    seen.add(hash);
    bytesByEtag.set(key, seen);
    const sampleKey = `${userId} ${hash}`;
    if (!samples.has(sampleKey)) samples.set(sampleKey, { userId, etag, bytes: answer.bytes });
  }

  async function readMetadata(userId: string): Promise<void> {
    report.metadataReads++;
    await send('GET', userPhotoUrl(getMetadata, userId), { Authorization: `Bearer ${reader}` });
  }

  // Every user has a photo before the clock starts, so every read has something to check.
  for (const userId of userIds) await upload(userId);

  const sampler = setInterval(() => {
    report.rssMB.peak = Math.max(report.rssMB.peak, rssMB());
  }, 200);
  sampler.unref();
  const started = performance.now();
  const deadline = started + options.durationMs;
  const rand = seededRandom(options.seed ?? 1);
  const client = async () => {
    while (performance.now() < deadline) {
      const userId = userIds[Math.floor(rand() * userIds.length)]!;
      const roll = rand();
      if (roll < putShare) await upload(userId);
      else if (roll < putShare + metadataShare) await readMetadata(userId);
      else await readValue(userId);
    }
  };
  await Promise.all(Array.from({ length: options.clients }, client));
  report.elapsedMs = Math.round(performance.now() - started);
  clearInterval(sampler);
  report.rssMB.peak = Math.max(report.rssMB.peak, rssMB());
  report.rssMB.end = rssMB();
  report.requestsPerSecond = Math.round((report.requests / report.elapsedMs) * 1000);

  for (const [key, hashes] of bytesByEtag) {
    if (hashes.size > 1) {
      const [userId = '', etag = ''] = key.split(' ');
      report.tornReads.push({ userId, etag, hashes: [...hashes] });
    }
  }
  for (const { userId, etag, bytes } of samples.values()) {
    try {
      const { data, info } = await sharp(bytes).raw().toBuffer({ resolveWithObject: true });
      const at = (Math.floor(info.height / 2) * info.width + Math.floor(info.width / 2)) * info.channels;
      const k = idOfColour(data[at]!, data[at + 1]!, data[at + 2]!);
      if (!uploadsTo.get(userId)?.has(k)) report.foreignReads.push({ userId, etag, reason: `bytes of upload ${k}, never sent to this user` });
    } catch (error) {
      report.foreignReads.push({ userId, etag, reason: `bytes do not decode: ${(error as Error).message}` });
    }
  }
  return report;
}

/** One line per figure, for people. */
export function describeLoad(report: LoadReport): string {
  return [
    `${report.clients} clients, ${(report.elapsedMs / 1000).toFixed(1)} s: ${report.requests} requests (${report.requestsPerSecond}/s): ${report.puts} PUT, ${report.valueReads} GET $value, ${report.metadataReads} GET metadata`,
    `statuses ${JSON.stringify(report.byStatus)}; 5xx ${report.serverErrors.length}; network errors ${report.networkErrors.length}`,
    `torn reads ${report.tornReads.length}; foreign or undecodable reads ${report.foreignReads.length}`,
    `RSS MB: start ${report.rssMB.start}, peak ${report.rssMB.peak}, end ${report.rssMB.end}`,
  ].join('\n');
}
