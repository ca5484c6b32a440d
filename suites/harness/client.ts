/**
 * The HTTP client every check goes through. It records each exchange (request, response,
 * expected against observed) for the report, with `Authorization` redacted before anything
 * is stored, and it honours 429 + Retry-After so a throttled tenant is waited for, not
 * failed. Built on node:http rather than fetch: a server that refuses an oversized body
 * answers before the body is sent, and fetch reports that as a socket error, losing the
 * status the size-limit checks need.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface RecordedExchange {
  request: { method: string; url: string; headers: Record<string, string>; bodyBytes: number };
  response: { status: number; headers: Record<string, string>; bodyPreview: unknown } | null;
  expected?: unknown;
  observed?: unknown;
  note?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  exchange: RecordedExchange;
  /** the media type without parameters, lower case ('' when absent) */
  mediaType: string;
  /** the parsed JSON body, or undefined when the body is not JSON */
  json: unknown;
  /** `error.code` of an error body, in either API's error shape */
  errorCode: string | undefined;
  /** a large upload: the body bytes handed to the socket when the first byte of the answer arrived */
  sentBeforeAnswer?: number;
}

export interface SendOptions {
  method: string;
  url: string;
  headers?: Record<string, string | undefined>;
  body?: Uint8Array;
  /** not recorded (token requests carry secrets) */
  unrecorded?: boolean;
  /** hand back a 429 as it came instead of waiting and retrying (a check judging throttling) */
  noRetry?: boolean;
  /** a large upload: after this many body bytes, wait up to `pauseMs` for an early answer before sending the rest */
  pauseAfterBytes?: number;
  pauseMs?: number;
}

export interface ClientOptions {
  /** most retries of one request after 429 */
  maxRetries?: number;
  /** longest single Retry-After wait honoured, in ms */
  maxRetryWaitMs?: number;
  /** per request, in ms */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export const REDACTED = '[redacted]';
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!SECRET_HEADERS.has(name.toLowerCase())) out[name] = value;
    else out[name] = name.toLowerCase() === 'authorization' ? value.replace(/^(\S+)\s+.*$/s, `$1 ${REDACTED}`) : REDACTED;
  }
  return out;
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function parseJson(body: Buffer, mediaType: string): unknown {
  if (!mediaType.includes('json') || body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

export function errorCodeOf(json: unknown): string | undefined {
  if (!json || typeof json !== 'object') return undefined;
  const error = (json as { error?: unknown }).error;
  if (error && typeof error === 'object') {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function preview(body: Buffer, mediaType: string, json: unknown): unknown {
  if (json !== undefined) return json;
  if (body.length === 0) return '';
  if (mediaType.startsWith('text/') || mediaType.includes('xml')) return body.subarray(0, 2048).toString('utf8');
  return `<${body.length} bytes ${mediaType || 'of unknown type'}>`;
}

/** Retry-After is seconds or an HTTP date. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  sentBeforeAnswer?: number;
}

/** Bodies above this go on their own connection, in chunks, watching for an early answer. */
const LARGE_BODY_BYTES = 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;

/**
 * The status line and headers of an answer seen on the socket but never delivered by the
 * HTTP parser (the connection was reset right after it). Only the head is needed: the
 * verdict of a refused upload is its status, content type and error code.
 */
export function parseWitnessedAnswer(bytes: Buffer): RawResponse | undefined {
  const text = bytes.toString('latin1');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  if (!status) return undefined;
  const headEnd = text.indexOf('\r\n\r\n');
  const headers: Record<string, string> = {};
  for (const line of text.slice(0, headEnd < 0 ? undefined : headEnd).split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = headEnd < 0 ? Buffer.alloc(0) : bytes.subarray(headEnd + 4);
  // A chunked body is not decoded here; a fixed-length one is kept as far as it arrived.
  return { status: Number(status[1]), headers, body: headers['transfer-encoding'] ? Buffer.alloc(0) : body };
}

function rawSend(options: SendOptions, timeoutMs: number): Promise<RawResponse> {
  const url = new URL(options.url);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) if (value !== undefined) headers[name] = value;
  if (options.body) headers['content-length'] = String(options.body.length);
  const body = options.body ? Buffer.from(options.body.buffer, options.body.byteOffset, options.body.byteLength) : undefined;
  const large = body !== undefined && body.length > LARGE_BODY_BYTES;
  return new Promise((resolveRaw, reject) => {
    let settled = false;
    const witnessed: Buffer[] = [];
    // How far the upload had gone when the server began to answer: a server that refuses an
    // oversized body while it streams answers long before the last byte.
    let sent = 0;
    let sentBeforeAnswer: number | undefined;
    const resolve = (raw: RawResponse) => resolveRaw(large ? { ...raw, sentBeforeAnswer: sentBeforeAnswer ?? sent } : raw);
    const request = send(url, { method: options.method, headers, timeout: timeoutMs, ...(large ? { agent: false } : {}) }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        settled = true;
        resolve({ status: response.statusCode ?? 0, headers: flattenHeaders(response.headers), body: Buffer.concat(chunks) });
      });
      response.on('error', (error) => {
        if (!settled) reject(error);
      });
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    // A server may answer (413) and close before it has read the whole body; the reset that
    // follows fails the write and can stop the parser before it delivers the answer. The
    // bytes of the answer were read first (libuv reads before it writes), so for a large
    // upload the socket is watched and the answer recovered from what was seen.
    if (large) {
      request.on('socket', (socket) =>
        socket.on('data', (chunk: Buffer) => {
          sentBeforeAnswer ??= sent;
          witnessed.push(chunk);
        }),
      );
    }
    request.on('error', (error) => {
      if (settled) return;
      const answer = witnessed.length ? parseWitnessedAnswer(Buffer.concat(witnessed)) : undefined;
      settled = true;
      if (answer) resolve(answer);
      else reject(error);
    });
    if (!large) {
      request.end(body);
      return;
    }
    void (async () => {
      let paused = options.pauseAfterBytes === undefined;
      for (let offset = 0; offset < body.length && witnessed.length === 0 && !request.destroyed; offset += CHUNK_BYTES) {
        if (!paused && offset >= options.pauseAfterBytes!) {
          paused = true;
          // Loopback takes megabytes into its buffers before the server runs at all: only a
          // pause tells an answer to the declared length from one after the whole body.
          const until = Date.now() + (options.pauseMs ?? 2000);
          while (witnessed.length === 0 && !request.destroyed && Date.now() < until) await new Promise((done) => setTimeout(done, 10));
          if (witnessed.length > 0 || request.destroyed) break;
        }
        const chunk = body.subarray(offset, offset + CHUNK_BYTES);
        sent += chunk.length;
        if (!request.write(chunk)) {
          await new Promise<void>((done) => {
            const finish = () => {
              request.off('drain', finish);
              request.off('close', finish);
              clearInterval(watch);
              done();
            };
            // Stop waiting for drain once the server has answered: it will not read more.
            const watch = setInterval(() => {
              if (witnessed.length > 0) finish();
            }, 5);
            request.on('drain', finish);
            request.on('close', finish);
          });
        }
      }
      if (!request.destroyed && witnessed.length === 0) request.end();
    })();
  });
}

export class RecordingClient {
  readonly exchanges: RecordedExchange[] = [];
  private readonly maxRetries: number;
  private readonly maxRetryWaitMs: number;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: ClientOptions = {}) {
    this.maxRetries = options.maxRetries ?? 4;
    this.maxRetryWaitMs = options.maxRetryWaitMs ?? 120_000;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async send(options: SendOptions): Promise<HttpResponse> {
    const requestHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) if (value !== undefined) requestHeaders[name] = value;
    const exchange: RecordedExchange = {
      request: {
        method: options.method,
        url: options.url,
        headers: redactHeaders(requestHeaders),
        bodyBytes: options.body?.length ?? 0,
      },
      response: null,
    };
    if (!options.unrecorded) this.exchanges.push(exchange);
    let raw: RawResponse;
    for (let attempt = 0; ; attempt++) {
      try {
        raw = await rawSend(options, this.timeoutMs);
      } catch (error) {
        exchange.note = `no response: ${(error as Error).message}`;
        throw new Error(`${options.method} ${options.url}: no response (${(error as Error).message})`);
      }
      if (raw.status !== 429 || options.noRetry || attempt >= this.maxRetries) break;
      const wait = Math.min(retryAfterMs(raw.headers['retry-after']) ?? 1000 * 2 ** attempt, this.maxRetryWaitMs);
      exchange.note = `${exchange.note ? `${exchange.note}; ` : ''}429 throttled, waited ${wait} ms (Retry-After: ${raw.headers['retry-after'] ?? 'none'})`;
      await this.sleep(wait);
    }
    const mediaType = mediaTypeOf(raw.headers['content-type']);
    const json = parseJson(raw.body, mediaType);
    exchange.response = { status: raw.status, headers: redactHeaders(raw.headers), bodyPreview: preview(raw.body, mediaType, json) };
    return { ...raw, exchange, mediaType, json, errorCode: errorCodeOf(json) };
  }
}
