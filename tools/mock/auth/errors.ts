/**
 * The two kinds of error the identity side produces.
 * - `AuthError`: what a photo API answers (401 InvalidAuthenticationToken, 403 ErrorAccessDenied,
 *   ...). It carries `status`, `code`, `message` and `headers`, the shape the server's central
 *   error handler turns into Graph's or Outlook's error body.
 * - `TokenEndpointError`: what the identity platform's token endpoint answers, in OAuth 2.0's
 *   own shape (`error`, `error_description`, `error_codes`), never Graph's.
 */
export class AuthError extends Error {
  constructor(
    readonly status: 401 | 403 | 404,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

// Graph points a client without a usable token at the authority, as the real service does.
const CHALLENGE = {
  'WWW-Authenticate': 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"',
};

export function invalidToken(message: string): AuthError {
  return new AuthError(401, 'InvalidAuthenticationToken', message, CHALLENGE);
}

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'invalid_resource';

export class TokenEndpointError extends Error {
  constructor(
    readonly status: 400 | 401 | 413,
    readonly error: OAuthErrorCode,
    /** the AADSTS number, e.g. 7000215 for a wrong client secret */
    readonly aadsts: number,
    readonly description: string,
  ) {
    super(`AADSTS${aadsts}: ${description}`);
    this.name = 'TokenEndpointError';
  }

  body(traceId: string, correlationId: string, now: Date): Record<string, unknown> {
    // The identity platform's timestamp format: `2026-11-24 20:41:07Z`.
    const timestamp = now.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
    return {
      error: this.error,
      error_description: `AADSTS${this.aadsts}: ${this.description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [this.aadsts],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${this.aadsts}`,
    };
  }
}
