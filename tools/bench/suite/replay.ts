/**
 * The bare side of the suite bench: reads what request-recorder.mjs logged and sends the
 * same requests again with fetch, one lane per recorded worker (the same concurrency),
 * against fresh mocks. Tokens the suite got are mapped to the ones the fresh mocks issue
 * for the same token requests; origins are mapped lane by lane.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface RecordedRequest {
  seq: number;
  t: number;
  client: 'node' | 'fetch';
  method: string;
  url: string;
  headers: Record<string, string>;
  /** sha256 of the body under `bodies/`, null without one */
  body?: string | null;
  status?: number;
  /** how long the request took in the suite, ms (to the end of the body for node:http, to the headers for fetch) */
  ms?: number;
  issuedToken?: string | null;
}

export interface Lane {
  lane: string;
  requests: RecordedRequest[];
}

/** One worker process as recorded: when it started and when it made its first and last request. */
export interface WorkerProcess {
  lane: string;
  pid: number;
  startedAt: number;
  firstRequestAt: number;
  lastRequestAt: number;
  /** sum of the suite's request durations in this process */
  httpMs: number;
}

export class RequestLogError extends Error {
  override name = 'RequestLogError';
}

/** One lane per parallel index; a restarted worker's files follow each other in time. */
export async function readRequestLog(dir: string): Promise<{ lanes: Lane[]; bodies: Map<string, Buffer>; processes: WorkerProcess[] }> {
  const files = (await readdir(dir)).filter((f) => /^w[^-]+-\d+\.jsonl$/.test(f));
  if (files.length === 0) throw new RequestLogError(`${dir}: no request log was written (was the recorder preloaded?)`);
  const byLane = new Map<string, RecordedRequest[][]>();
  const bodies = new Map<string, Buffer>();
  const processes: WorkerProcess[] = [];
  for (const file of files) {
    const lane = /^w([^-]+)-/.exec(file)![1]!;
    const text = await readFile(join(dir, file), 'utf8');
    const lines = text
      .split('\n')
      .filter(Boolean)
      .map((line, i) => {
        try {
          return JSON.parse(line) as RecordedRequest | { process: { pid: number; startedAt: number } };
        } catch (error) {
          throw new RequestLogError(`${join(dir, file)}:${i + 1}: not JSON (${(error as Error).message})`);
        }
      });
    const requests = lines.filter((line): line is RecordedRequest => !('process' in line));
    const header = lines.find((line): line is { process: { pid: number; startedAt: number } } => 'process' in line);
    if (header && requests.length) {
      processes.push({
        lane,
        pid: header.process.pid,
        startedAt: header.process.startedAt,
        firstRequestAt: requests[0]!.t,
        lastRequestAt: requests.at(-1)!.t,
        httpMs: requests.reduce((sum, r) => sum + (r.ms ?? 0), 0),
      });
    }
    for (const request of requests) {
      if (request.body && !bodies.has(request.body)) bodies.set(request.body, await readFile(join(dir, 'bodies', request.body)));
    }
    byLane.set(lane, [...(byLane.get(lane) ?? []), requests]);
  }
  const lanes = [...byLane.entries()]
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([lane, runs]) => ({
      lane,
      requests: runs.sort((a, b) => (a[0]?.t ?? 0) - (b[0]?.t ?? 0)).flat(),
    }));
  return { lanes, bodies, processes: processes.sort((a, b) => a.startedAt - b.startedAt) };
}

export interface ReplayOutcome {
  wallMs: number;
  requests: number;
  /** replayed status equal to the recorded one */
  sameStatus: number;
  /** no response (e.g. a server closing on an oversized body before fetch finished sending) */
  noResponse: number;
  differing: { method: string; path: string; recorded?: number; replayed?: number }[];
}

const TOKEN_PATH = /\/oauth2\/v2\.0\/token$/;

/**
 * Replays every lane concurrently against `origins[i]` (lane i). Timing starts when the
 * first request is about to go out: the fresh mocks are already up, as the suite's were.
 */
export async function replayLanes(lanes: Lane[], bodies: Map<string, Buffer>, origins: string[]): Promise<ReplayOutcome> {
  if (origins.length < lanes.length) throw new RequestLogError(`${lanes.length} lanes need ${lanes.length} mocks, got ${origins.length}`);
  const tokens = new Map<string, string>();
  const outcome: ReplayOutcome = { wallMs: 0, requests: 0, sameStatus: 0, noResponse: 0, differing: [] };

  async function runLane(lane: Lane, origin: string): Promise<void> {
    for (const recorded of lane.requests) {
      const url = new URL(recorded.url);
      const target = new URL(url.pathname + url.search, origin);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(recorded.headers)) {
        // fetch sets these itself; the token is the fresh mock's where one was issued.
        if (name === 'content-length' || name === 'host' || name === 'connection') continue;
        headers[name] = name === 'authorization' ? mapToken(value) : value;
      }
      const body = recorded.body ? bodies.get(recorded.body) : undefined;
      outcome.requests += 1;
      let status: number | undefined;
      try {
        const response = await fetch(target, { method: recorded.method, headers, body, redirect: 'manual' });
        status = response.status;
        const bytes = await response.arrayBuffer();
        if (TOKEN_PATH.test(url.pathname) && recorded.issuedToken) {
          const issued = (JSON.parse(Buffer.from(bytes).toString('utf8')) as { access_token?: string }).access_token;
          if (issued) tokens.set(recorded.issuedToken, issued);
        }
      } catch {
        outcome.noResponse += 1;
      }
      if (status !== undefined && status === recorded.status) outcome.sameStatus += 1;
      else if (outcome.differing.length < 20) outcome.differing.push({ method: recorded.method, path: url.pathname, recorded: recorded.status, replayed: status });
    }
  }

  function mapToken(authorization: string): string {
    const match = /^(\S+)\s+(.+)$/.exec(authorization);
    if (!match) return authorization;
    return `${match[1]} ${tokens.get(match[2]!) ?? match[2]}`;
  }

  const started = performance.now();
  await Promise.all(lanes.map((lane, i) => runLane(lane, origins[i]!)));
  outcome.wallMs = performance.now() - started;
  return outcome;
}
