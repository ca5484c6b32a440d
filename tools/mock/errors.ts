/**
 * The typed error every handler throws, and the one place that turns it into the
 * protocol's error body: Graph's `{"error":{"code","message","innerError":{...}}}` or the
 * Outlook REST API's `{"error":{"code","message"}}` under `/api`.
 */
import type { Api } from '../spec/model.ts';

export class MockError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** extra response headers, e.g. Allow on 405 or Retry-After on 429 */
    readonly headers: Record<string, string> = {},
    /** a body other than the protocol's JSON error (the live profile's text/plain 404) */
    readonly raw?: { contentType: string; body: string },
  ) {
    super(message);
    this.name = 'MockError';
  }
}

/** Any thrown value with a numeric status and a string code is a protocol error (so auth's own error type works too). */
export function asProtocolError(error: unknown): MockError | undefined {
  if (error instanceof MockError) return error;
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { status?: unknown; code?: unknown; message?: unknown; headers?: unknown };
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 600 && typeof e.code === 'string') {
    const headers = typeof e.headers === 'object' && e.headers !== null ? (e.headers as Record<string, string>) : {};
    return new MockError(e.status, e.code, typeof e.message === 'string' ? e.message : e.code, headers);
  }
  return undefined;
}

export interface RequestIds {
  requestId: string;
  clientRequestId: string;
  date: string;
}

export interface ErrorBodyOptions {
  /** fault `error-inner-error-missing`: Graph errors lose their innerError */
  omitInnerError?: boolean;
  /** fault `error-wrapper-missing`: code and message at the top level */
  unwrapped?: boolean;
  /** fault `error-code-uniform`: this code for every refusal */
  uniformCode?: string;
}

export function errorBody(api: Api, error: MockError, ids: RequestIds, options: ErrorBodyOptions = {}): object {
  const code = options.uniformCode ?? error.code;
  const inner = api === 'outlook' || options.omitInnerError ? {} : { innerError: { date: ids.date, 'request-id': ids.requestId, 'client-request-id': ids.clientRequestId } };
  const body = { code, message: error.message, ...inner };
  return options.unwrapped ? body : { error: body };
}
