/**
 * The mock identity platform: the token endpoint, OpenID configuration and JWKS of
 * `{base}/{tenant}`, and `authenticate`, which turns a request's bearer token into a
 * `Principal` the way Graph does (or refuses it with 401 InvalidAuthenticationToken).
 *
 * Pure core (`token`, `openidConfiguration`, `jwks`, `authenticate`) plus one thin node:http
 * adapter (`handle`) that the mock server mounts in front of its API routes.
 */
import { randomUUID, createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { Api } from '../../spec/model.ts';
import { TenantDirectory } from '../../tenant/directory.ts';
import { CONSUMER_TENANT_ID } from '../../tenant/load.ts';
import type { App, Principal, Tenant, TenantFixture, User } from '../../tenant/model.ts';
import { AuthError, invalidToken, TokenEndpointError } from './errors.ts';
import { createSigningKey, SIGNING_ALGORITHM, type SigningKey } from './signing-key.ts';

/** The `aud` of an access token for each API: the resource the client asked a token for. */
export const AUDIENCES = {
  graph: 'https://graph.microsoft.com',
  outlook: 'https://outlook.office.com',
} as const satisfies Record<Api, string>;

/** Scopes that are about the sign-in itself, never about a resource. */
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;
const MAX_FORM_BYTES = 64 * 1024;
const PRINCIPAL_CACHE_LIMIT = 4096;

export interface IdentityPlatformOptions {
  fixture: TenantFixture;
  /** Origin the tokens' `iss` and the discovery documents point at, e.g. http://127.0.0.1:4010. A function when the port is known only after listen. */
  baseUrl: string | (() => string);
  tokenLifetimeSeconds?: number;
  /** Clock in milliseconds, replaceable by tests. */
  now?: () => number;
  /** An existing key, e.g. to share one between a server and a test; default: a fresh pair. */
  signingKey?: SigningKey;
}

export interface TokenResponse {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** What `issueAccessToken` mints; every field can be bent by a test to make a bad token. */
export interface AccessTokenRequest {
  tenantId: string;
  appId: string;
  audience: string;
  /** delegated: the signed-in user's object id */
  userId?: string;
  scopes?: string[];
  roles?: string[];
  /** seconds since the epoch; default now */
  issuedAt?: number;
  lifetimeSeconds?: number;
  notBefore?: number;
  /** claims to add or replace, e.g. a foreign `iss` */
  claims?: JWTPayload;
}

export interface AuthenticateOptions {
  /** the API's resource URI; a token for another resource is refused */
  audience: string;
  /**
   * The connection the request came on (any object that lives as long as it). A client sends
   * the same token on every request of a keep-alive connection, so the last principal accepted
   * on it is kept there and found by comparing the header, without hashing the token again.
   */
  connection?: object;
}

export interface IdentityPlatform {
  readonly directory: TenantDirectory;
  readonly signingKey: SigningKey;
  issuer(tenantId: string): string;
  openidConfiguration(tenantSegment: string): TokenResponse;
  jwks(): TokenResponse;
  token(tenantSegment: string, form: URLSearchParams, authorizationHeader?: string): Promise<TokenResponse>;
  issueAccessToken(request: AccessTokenRequest): Promise<string>;
  /** The principal at once when the token was verified before (and has not expired), else a promise. */
  authenticate(authorizationHeader: string | undefined, options: AuthenticateOptions): Principal | Promise<Principal>;
  /** Serves the identity routes; resolves false when the path is not one of them. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
}

interface ParsedScopes {
  resource: string;
  /** resource scopes without the resource prefix, or ['.default'] */
  names: string[];
  oidc: string[];
}

function parseScopes(scope: string): ParsedScopes {
  const names: string[] = [];
  const oidc: string[] = [];
  const resources = new Set<string>();
  for (const item of scope.split(/\s+/).filter(Boolean)) {
    if (OIDC_SCOPES.has(item.toLowerCase())) {
      oidc.push(item.toLowerCase());
      continue;
    }
    const slash = item.lastIndexOf('/');
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(item) && slash > item.indexOf('://') + 2) {
      resources.add(item.slice(0, slash).toLowerCase());
      names.push(item.slice(slash + 1));
    } else {
      // A bare scope name means Microsoft Graph, as on the real identity platform.
      resources.add(AUDIENCES.graph);
      names.push(item);
    }
  }
  if (resources.size > 1) {
    throw new TokenEndpointError(400, 'invalid_scope', 28000, 'Provided value for the input parameter scope is not valid because it contains more than one resource.');
  }
  const resource = [...resources][0] ?? AUDIENCES.graph;
  if (!Object.values(AUDIENCES).includes(resource as (typeof AUDIENCES)[Api])) {
    throw new TokenEndpointError(400, 'invalid_resource', 500011, `The resource principal named ${resource} was not found in the tenant.`);
  }
  return { resource, names, oidc };
}

/** Equality in constant time, so a wrong secret takes as long to refuse as a nearly right one. */
function secretEquals(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A stable service-principal object id for an app in a tenant (the `oid` of app-only tokens). */
function servicePrincipalId(tenantId: string, clientId: string): string {
  const h = createHash('sha256').update(`${tenantId.toLowerCase()}/${clientId.toLowerCase()}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function json(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): TokenResponse {
  return { status, headers: { 'Cache-Control': 'no-store', ...headers }, body };
}

export async function createIdentityPlatform(options: IdentityPlatformOptions): Promise<IdentityPlatform> {
  const directory = new TenantDirectory(options.fixture);
  const signingKey = options.signingKey ?? (await createSigningKey());
  const baseUrl = () => (typeof options.baseUrl === 'function' ? options.baseUrl() : options.baseUrl).replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  const lifetime = options.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS;
  const issuer = (tenantId: string) => `${baseUrl()}/${tenantId}/v2.0`;
  // Verified tokens by audience + token; a hit still re-checks expiry against the clock.
  const principals = new Map<string, { principal: Principal; exp: number }>();
  // The last token accepted on each connection, by its raw Authorization header.
  const lastOnConnection = new WeakMap<object, { header: string; audience: string; principal: Principal; exp: number }>();

  function openidConfiguration(tenantSegment: string): TokenResponse {
    const tenant = directory.tenant(tenantSegment);
    if (!tenant) {
      return json(400, new TokenEndpointError(400, 'invalid_request', 90002, `Tenant '${tenantSegment}' not found.`).body(randomUUID(), randomUUID(), new Date(now())));
    }
    const base = `${baseUrl()}/${tenant.id}`;
    return json(200, {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: [SIGNING_ALGORITHM],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: issuer(tenant.id),
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${baseUrl()}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'oid', 'azp', 'appid', 'scp', 'roles', 'idtyp', 'preferred_username', 'name'],
      grant_types_supported: ['client_credentials', 'password'],
      tenant_region_scope: 'EU',
      cloud_instance_name: new URL(baseUrl()).host,
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
    });
  }

  function jwks(): TokenResponse {
    return json(200, { keys: [signingKey.publicJwk] }, { 'Cache-Control': 'max-age=86400, private' });
  }

  async function issueAccessToken(request: AccessTokenRequest): Promise<string> {
    const iat = request.issuedAt ?? Math.floor(now() / 1000);
    const delegated = request.userId !== undefined;
    const claims: JWTPayload = {
      aud: request.audience,
      iss: issuer(request.tenantId),
      iat,
      nbf: request.notBefore ?? iat,
      exp: iat + (request.lifetimeSeconds ?? lifetime),
      tid: request.tenantId,
      oid: request.userId ?? servicePrincipalId(request.tenantId, request.appId),
      sub: request.userId ?? servicePrincipalId(request.tenantId, request.appId),
      appid: request.appId,
      azp: request.appId,
      // Microsoft's optional claim for "app-only or user": the clearest signal, kept even when roles is empty.
      idtyp: delegated ? 'user' : 'app',
      ver: '2.0',
      uti: randomUUID().replace(/-/g, ''),
    };
    if (delegated) {
      const user = directory.user(request.tenantId, request.userId!);
      claims.scp = (request.scopes ?? []).join(' ');
      if (user) {
        claims.preferred_username = user.userPrincipalName;
        if (user.displayName) claims.name = user.displayName;
      }
      // Personal accounts: `acct` 1 marks them beside the consumer tid, so no lookup is needed to tell them apart.
      claims.acct = request.tenantId.toLowerCase() === CONSUMER_TENANT_ID ? 1 : 0;
    } else if (request.roles && request.roles.length > 0) {
      claims.roles = request.roles;
    }
    return new SignJWT({ ...claims, ...request.claims })
      .setProtectedHeader({ alg: SIGNING_ALGORITHM, typ: 'JWT', kid: signingKey.kid })
      .sign(signingKey.privateKey);
  }

  function clientOf(tenant: Tenant, form: URLSearchParams, authorizationHeader?: string): App {
    let clientId = form.get('client_id') ?? undefined;
    let secret = form.get('client_secret') ?? undefined;
    // client_secret_basic: both halves are form-urlencoded inside the Basic credentials (RFC 6749 2.3.1).
    const basic = /^Basic\s+(.+)$/i.exec(authorizationHeader ?? '');
    if (basic?.[1]) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        clientId ??= decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
        secret ??= decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
      }
    }
    if (!clientId) {
      throw new TokenEndpointError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
    }
    const app = directory.app(tenant.id, clientId);
    if (!app) {
      throw new TokenEndpointError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant.domain}'.`);
    }
    if (!secret) {
      throw new TokenEndpointError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    }
    if (!secretEquals(secret, app.clientSecret)) {
      throw new TokenEndpointError(401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.');
    }
    return app;
  }

  async function clientCredentials(tenant: Tenant, app: App, form: URLSearchParams): Promise<Record<string, unknown>> {
    const scope = form.get('scope') ?? '';
    const parsed = parseScopes(scope);
    if (parsed.names.length !== 1 || parsed.names[0] !== '.default' || parsed.oidc.length > 0) {
      throw new TokenEndpointError(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
    }
    const token = await issueAccessToken({ tenantId: tenant.id, appId: app.clientId, audience: parsed.resource, roles: app.roles });
    return { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: token };
  }

  async function password(tenant: Tenant, app: App, form: URLSearchParams): Promise<Record<string, unknown>> {
    const username = form.get('username');
    const given = form.get('password');
    if (!username || given === null) {
      throw new TokenEndpointError(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${username ? 'password' : 'username'}'.`);
    }
    const user: User | undefined = directory.user(tenant.id, username);
    if (!user) {
      throw new TokenEndpointError(400, 'invalid_grant', 50034, `The user account ${username} does not exist in the ${tenant.domain} directory. To sign into this application, the account must be added to the directory.`);
    }
    if (user.password === undefined || !secretEquals(given, user.password)) {
      throw new TokenEndpointError(400, 'invalid_grant', 50126, 'Error validating credentials due to invalid username or password.');
    }
    const parsed = parseScopes(form.get('scope') ?? '');
    const consented = app.scopes.filter((s) => !OIDC_SCOPES.has(s.toLowerCase()));
    // `.default` means everything consented; named scopes are what was asked for and consented.
    const wanted = parsed.names.includes('.default') ? consented : parsed.names;
    const granted = consented.filter((s) => wanted.some((w) => w.toLowerCase() === s.toLowerCase()));
    const missing = wanted.filter((w) => !consented.some((s) => s.toLowerCase() === w.toLowerCase()));
    if (parsed.names.length > 0 && granted.length === 0) {
      throw new TokenEndpointError(400, 'invalid_grant', 65001, `The user or administrator has not consented to use the application with ID '${app.clientId}' for ${missing.join(' ')}. Send an interactive authorization request for this user and resource.`);
    }
    const oidc = parsed.oidc.filter((s) => s !== 'offline_access');
    const scp = [...oidc, ...granted];
    const accessToken = await issueAccessToken({ tenantId: tenant.id, appId: app.clientId, audience: parsed.resource, userId: user.id, scopes: scp });
    const body: Record<string, unknown> = {
      token_type: 'Bearer',
      scope: granted.map((s) => (parsed.resource === AUDIENCES.graph ? s : `${parsed.resource}/${s}`)).concat(parsed.oidc).join(' '),
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: accessToken,
    };
    if (parsed.oidc.includes('openid')) {
      // MSAL builds its account from the ID token and client_info (uid.utid).
      body.id_token = await issueAccessToken({
        tenantId: tenant.id,
        appId: app.clientId,
        audience: app.clientId,
        userId: user.id,
        claims: { scp: undefined, idtyp: undefined },
      });
      body.client_info = Buffer.from(JSON.stringify({ uid: user.id, utid: tenant.id })).toString('base64url');
    }
    if (parsed.oidc.includes('offline_access')) body.refresh_token = randomUUID();
    return body;
  }

  async function token(tenantSegment: string, form: URLSearchParams, authorizationHeader?: string): Promise<TokenResponse> {
    try {
      const tenant = directory.tenant(tenantSegment);
      if (!tenant) throw new TokenEndpointError(400, 'invalid_request', 90002, `Tenant '${tenantSegment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
      const grant = form.get('grant_type');
      if (!grant) throw new TokenEndpointError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
      if (grant !== 'client_credentials' && grant !== 'password') {
        throw new TokenEndpointError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant}'.`);
      }
      const app = clientOf(tenant, form, authorizationHeader);
      const body = grant === 'client_credentials' ? await clientCredentials(tenant, app, form) : await password(tenant, app, form);
      return json(200, body);
    } catch (error) {
      if (!(error instanceof TokenEndpointError)) throw error;
      return json(error.status, error.body(randomUUID(), form.get('client-request-id') ?? randomUUID(), new Date(now())));
    }
  }

  function verificationFailure(error: unknown): AuthError {
    if (error instanceof joseErrors.JWTExpired) return invalidToken('Access token has expired or is not yet valid.');
    if (error instanceof joseErrors.JWTClaimValidationFailed) {
      if (error.claim === 'nbf' || error.claim === 'iat') return invalidToken('Access token has expired or is not yet valid.');
      if (error.claim === 'aud') return invalidToken('Access token validation failure. Invalid audience.');
      return invalidToken(`Access token validation failure. Invalid ${error.claim} claim.`);
    }
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) return invalidToken('Access token validation failure. Invalid signature.');
    if (error instanceof joseErrors.JOSEAlgNotAllowed) return invalidToken('Access token validation failure. Invalid signing algorithm.');
    if (error instanceof joseErrors.JOSEError) return invalidToken('CompactToken parsing failed with error code: 80049217');
    throw error;
  }

  function authenticate(authorizationHeader: string | undefined, opts: AuthenticateOptions): Principal | Promise<Principal> {
    const last = opts.connection ? lastOnConnection.get(opts.connection) : undefined;
    if (last && last.header === authorizationHeader && last.audience === opts.audience && now() / 1000 < last.exp) return last.principal;
    return authenticateAnew(authorizationHeader, opts);
  }

  async function authenticateAnew(authorizationHeader: string | undefined, opts: AuthenticateOptions): Promise<Principal> {
    const header = authorizationHeader?.trim() ?? '';
    if (header === '') throw invalidToken('Access token is empty.');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw invalidToken('CompactToken parsing failed with error code: 80049217');
    const jwt = match[1];
    const key = `${opts.audience}\n${jwt}`;
    const cached = principals.get(key);
    if (cached) {
      if (now() / 1000 >= cached.exp) throw invalidToken('Access token has expired or is not yet valid.');
      if (opts.connection) lastOnConnection.set(opts.connection, { header: authorizationHeader!, audience: opts.audience, ...cached });
      return cached.principal;
    }

    let alg: string | undefined;
    let kid: string | undefined;
    try {
      ({ alg, kid } = decodeProtectedHeader(jwt));
      // A payload that does not decode is a parse failure, not a signature failure.
      decodeJwt(jwt);
    } catch {
      throw invalidToken('CompactToken parsing failed with error code: 80049217');
    }
    if (alg !== SIGNING_ALGORITHM) throw invalidToken('Access token validation failure. Invalid signing algorithm.');
    if (kid !== signingKey.kid) throw invalidToken('Access token validation failure. Invalid signature.');

    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(jwt, signingKey.publicKey, {
        algorithms: [SIGNING_ALGORITHM],
        audience: opts.audience,
        currentDate: new Date(now()),
        requiredClaims: ['exp', 'nbf', 'iat', 'tid', 'iss', 'oid', 'appid'],
      }));
    } catch (error) {
      throw verificationFailure(error);
    }

    const tid = String(payload.tid);
    const tenant = directory.tenant(tid);
    // Only this authority's tenants, addressed by id exactly as in `iss`.
    if (!tenant || tenant.id.toLowerCase() !== tid.toLowerCase() || payload.iss !== issuer(tenant.id)) {
      throw invalidToken('Access token validation failure. Invalid issuer or tenant.');
    }
    const appId = String(payload.appid);
    if (!directory.app(tenant.id, appId)) throw invalidToken('Access token validation failure. Unknown application.');

    let principal: Principal;
    if (typeof payload.scp === 'string') {
      const user = directory.user(tenant.id, String(payload.oid));
      if (!user) throw invalidToken('Access token validation failure. The signed-in user is not in the tenant.');
      principal = {
        tenantId: tenant.id,
        kind: 'delegated',
        appId,
        userId: user.id,
        accountKind: user.kind,
        permissions: payload.scp.split(' ').filter(Boolean),
      };
    } else {
      const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
      principal = { tenantId: tenant.id, kind: 'application', appId, permissions: roles };
    }
    if (principals.size >= PRINCIPAL_CACHE_LIMIT) principals.clear();
    principals.set(key, { principal, exp: Number(payload.exp) });
    if (opts.connection) lastOnConnection.set(opts.connection, { header: authorizationHeader!, audience: opts.audience, principal, exp: Number(payload.exp) });
    return principal;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = /^\/([^/]+)\/(oauth2\/v2\.0\/token|v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys)\/?$/.exec(path);
    if (!route) return false;
    const tenantSegment = decodeURIComponent(route[1] ?? '');
    const endpoint = route[2];
    const send = (response: TokenResponse) => {
      const body = JSON.stringify(response.body);
      res.writeHead(response.status, {
        ...response.headers,
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
      });
      res.end(body);
    };
    const wantMethod = endpoint === 'oauth2/v2.0/token' ? 'POST' : 'GET';
    if (req.method !== wantMethod) {
      req.resume();
      send(json(405, { error: 'invalid_request', error_description: `Use ${wantMethod} for this endpoint.` }, { Allow: wantMethod }));
      return true;
    }
    if (endpoint === 'discovery/v2.0/keys') {
      send(jwks());
      return true;
    }
    if (endpoint !== 'oauth2/v2.0/token') {
      send(openidConfiguration(tenantSegment));
      return true;
    }
    const text = await readForm(req);
    if (text === undefined) {
      send(json(413, new TokenEndpointError(413, 'invalid_request', 90020, `The request body is larger than ${MAX_FORM_BYTES} bytes.`).body(randomUUID(), randomUUID(), new Date(now()))));
      return true;
    }
    send(await token(tenantSegment, new URLSearchParams(text), req.headers.authorization));
    return true;
  }

  return {
    directory,
    signingKey,
    issuer,
    openidConfiguration,
    jwks,
    token,
    issueAccessToken,
    authenticate,
    handle,
  };
}

/** Reads a small form body; undefined once it passes the limit (the rest is drained, not kept). */
function readForm(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
