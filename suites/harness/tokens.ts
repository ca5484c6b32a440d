/**
 * Tokens per kind of principal. A check asks for "an app granted X", "an app lacking all
 * of these", "a work user signed in with X", "a personal account", and gets a token or a
 * reason why this target cannot provide one (the test is then skipped with that reason,
 * never passed). Tokens live in memory only: they are never written to a report or a log.
 */
// MSAL is loaded when a tenant run first signs in: mock and url runs never pay for it.
import type { ConfidentialClientApplication } from '@azure/msal-node';
import { decodeJwt, base64url } from 'jose';
import type { Api } from '../../tools/spec/model.ts';
import type { App, Tenant, User } from '../../tools/tenant/model.ts';
import { MICROSOFT_AUTHORITY_HOSTS } from '../../tools/tenant/clouds.ts';

export type PrincipalKind =
  | 'application'
  | 'applicationLacking'
  | 'delegatedWork'
  | 'delegatedWorkLacking'
  | 'delegatedPersonal';

export interface PrincipalRequest {
  kind: PrincipalKind;
  /** granted kinds: the permission wanted (least privileged first); *Lacking kinds: those it must not hold */
  permissions: string[];
  /** delegated kinds: who signs in (default: the target's signed-in work user) */
  user?: User;
  /** delegatedWork: the tenant to sign in to, when not the one the tests run in (a B2C tenant) */
  tenant?: string;
}

export type TokenOutcome = { token: string; who: string } | { unavailable: string };

export interface TokenSource {
  get(api: Api, request: PrincipalRequest): Promise<TokenOutcome>;
}

/** Identity-platform scopes that are not API permissions. */
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);
const lower = (values: readonly string[]) => values.map((v) => v.toLowerCase());
const holdsAny = (granted: readonly string[], wanted: readonly string[]) => {
  const set = new Set(lower(granted));
  return wanted.some((w) => set.has(w.toLowerCase()));
};

/** The permissions a JWT carries (`roles` for app-only, `scp` for delegated). */
export function tokenPermissions(token: string): string[] | undefined {
  try {
    const claims = decodeJwt(token);
    const roles = Array.isArray(claims.roles) ? (claims.roles as string[]) : [];
    const scopes = typeof claims.scp === 'string' ? claims.scp.split(' ').filter(Boolean) : [];
    return [...roles, ...scopes];
  } catch {
    return undefined;
  }
}

export interface TokenEndpointOptions {
  /** tenants known to the target: apps, users and passwords */
  tenants: Tenant[];
  /** the tenant the tests run in */
  tenantId: string;
  tokenUrl(tenantId: string): string;
  audiences: Record<Api, string>;
}

/**
 * The identity platform's token endpoint (the mock's, or another server's at a base URL):
 * client credentials for app-only tokens, the password grant for delegated ones. Picks, from
 * the tenant description, the app whose grants make the request least privileged.
 */
export class TokenEndpointSource implements TokenSource {
  private readonly cache = new Map<string, Promise<TokenOutcome>>();
  constructor(private readonly options: TokenEndpointOptions) {}

  get(api: Api, request: PrincipalRequest): Promise<TokenOutcome> {
    const key = JSON.stringify([api, request.kind, request.permissions, request.user?.id ?? null, request.tenant ?? null]);
    let outcome = this.cache.get(key);
    if (!outcome) {
      outcome = this.mint(api, request);
      this.cache.set(key, outcome);
    }
    return outcome;
  }

  private tenant(id: string): Tenant | undefined {
    return this.options.tenants.find((t) => t.id === id);
  }

  private async mint(api: Api, request: PrincipalRequest): Promise<TokenOutcome> {
    const audience = this.options.audiences[api];
    const tenantId = request.tenant ?? this.options.tenantId;
    const home = this.tenant(tenantId);
    if (!home) return { unavailable: `tenant ${tenantId} is not described` };
    const byFewest = (field: 'roles' | 'scopes') => (a: App, b: App) =>
      a[field].length - b[field].length || a.clientId.localeCompare(b.clientId);
    switch (request.kind) {
      case 'application': {
        const app = home.apps.filter((a) => holdsAny(a.roles, request.permissions.slice(0, 1))).sort(byFewest('roles'))[0];
        if (!app) return { unavailable: `no app in the tenant is granted ${request.permissions[0]} (application)` };
        return this.request(home.id, app, { grant_type: 'client_credentials', scope: `${audience}/.default` }, request.permissions.slice(0, 1));
      }
      case 'applicationLacking': {
        const app = home.apps
          .filter((a) => a.roles.length > 0 && !holdsAny(a.roles, request.permissions))
          .sort(byFewest('roles'))[0];
        if (!app) return { unavailable: `no app in the tenant lacks ${request.permissions.join(', ')}` };
        return this.request(home.id, app, { grant_type: 'client_credentials', scope: `${audience}/.default` }, []);
      }
      case 'delegatedWork':
      case 'delegatedWorkLacking': {
        const user = request.user ?? signedInWorkUser(home);
        if (!user?.password) return { unavailable: 'no work user with a password to sign in' };
        const lacking = request.kind === 'delegatedWorkLacking';
        const candidates = home.apps
          .map((app) => ({
            app,
            scope: lacking
              ? app.scopes.find((s) => !OIDC_SCOPES.has(s.toLowerCase()) && !holdsAny([s], request.permissions))
              : app.scopes.find((s) => s.toLowerCase() === request.permissions[0]?.toLowerCase()),
          }))
          .filter((c): c is { app: App; scope: string } => c.scope !== undefined)
          .sort((a, b) => byFewest('scopes')(a.app, b.app));
        const chosen = candidates[0];
        if (!chosen) {
          return { unavailable: lacking ? `no app consents a scope other than ${request.permissions.join(', ')}` : `no app consents ${request.permissions[0]}` };
        }
        return this.request(
          home.id,
          chosen.app,
          { grant_type: 'password', username: user.userPrincipalName, password: user.password, scope: `${audience}/${chosen.scope}` },
          lacking ? [] : [chosen.scope],
        );
      }
      case 'delegatedPersonal': {
        for (const tenant of this.options.tenants) {
          const user = request.user?.kind === 'personal' ? request.user : tenant.users.find((u) => u.kind === 'personal' && u.password);
          if (!user?.password || !tenant.users.includes(user)) continue;
          const wanted = request.permissions[0];
          // A permission asked for by name must be the one the token carries: a token with
          // another scope would turn "works with Contacts.Read" into a 403 of our own making.
          const app = wanted ? tenant.apps.find((a) => holdsAny(a.scopes, [wanted])) : tenant.apps.find((a) => a.scopes.length > 0) ?? tenant.apps[0];
          if (!app) {
            if (wanted) return { unavailable: `no app consents ${wanted} for personal Microsoft accounts` };
            continue;
          }
          const scope = wanted ?? app.scopes.find((s) => !OIDC_SCOPES.has(s.toLowerCase()));
          if (!scope) continue;
          return this.request(
            tenant.id,
            app,
            { grant_type: 'password', username: user.userPrincipalName, password: user.password, scope: `${audience}/${scope}` },
            wanted ? [wanted] : [],
          );
        }
        return { unavailable: 'no personal Microsoft account with a password is described' };
      }
    }
  }

  private async request(tenantId: string, app: App, form: Record<string, string>, mustCarry: string[]): Promise<TokenOutcome> {
    const body = new URLSearchParams({ client_id: app.clientId, client_secret: app.clientSecret, ...form });
    let response: Response;
    try {
      response = await fetch(this.options.tokenUrl(tenantId), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    } catch (error) {
      return { unavailable: `token endpoint unreachable: ${(error as Error).message}` };
    }
    const json = (await response.json().catch(() => undefined)) as { access_token?: string; error?: string } | undefined;
    // Only the error code is kept: a token endpoint's description may echo the request.
    if (!response.ok || !json?.access_token) {
      return { unavailable: `token endpoint refused ${form.grant_type} for app ${app.displayName ?? app.clientId}: ${response.status} ${json?.error ?? ''}`.trim() };
    }
    const carried = tokenPermissions(json.access_token) ?? [];
    const missing = mustCarry.filter((p) => !holdsAny(carried, [p]));
    if (missing.length > 0) return { unavailable: `the token for ${app.displayName ?? app.clientId} does not carry ${missing.join(', ')}` };
    const who = form.username ? `${form.username} via ${app.displayName ?? app.clientId}` : `app ${app.displayName ?? app.clientId}`;
    return { token: json.access_token, who };
  }
}

/** The work user with a mailbox, a password and a photo signs in for `/me` operations. */
export function signedInWorkUser(tenant: Tenant): User | undefined {
  const work = tenant.users.filter((u) => u.kind === 'work' && u.password);
  return work.find((u) => u.mailbox && u.photo) ?? work.find((u) => u.mailbox) ?? work[0];
}

/** Tokens handed in through the environment (`PHOTO_TOKEN_APP`, `PHOTO_TOKEN_DELEGATED_GRAPH`, ...). */
export class EnvironmentTokenSource implements TokenSource {
  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}
  static readonly variables: Record<PrincipalKind, string> = {
    application: 'PHOTO_TOKEN_APP',
    applicationLacking: 'PHOTO_TOKEN_APP_LACKING',
    delegatedWork: 'PHOTO_TOKEN_DELEGATED',
    delegatedWorkLacking: 'PHOTO_TOKEN_DELEGATED_LACKING',
    delegatedPersonal: 'PHOTO_TOKEN_PERSONAL',
  };

  static present(env: NodeJS.ProcessEnv = process.env): boolean {
    return Object.keys(env).some((name) => name.startsWith('PHOTO_TOKEN_'));
  }

  async get(api: Api, request: PrincipalRequest): Promise<TokenOutcome> {
    const base = EnvironmentTokenSource.variables[request.kind];
    const name = `${base}_${api.toUpperCase()}`;
    const token = this.env[name] ?? this.env[base];
    if (!token) return { unavailable: `set ${name} or ${base} for this check` };
    const carried = tokenPermissions(token);
    if (carried && request.kind === 'application' || carried && request.kind === 'delegatedWork') {
      if (!holdsAny(carried, request.permissions.slice(0, 1))) return { unavailable: `${base} does not carry ${request.permissions[0]}` };
    }
    return { token, who: base };
  }
}

export interface MsalSettings {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  lacking?: { clientId: string; clientSecret: string };
  delegated?: { username: string; password: string };
  authority?: string;
}

/** A real tenant: client credentials (and optionally the password grant) through MSAL. */
export class MsalTokenSource implements TokenSource {
  private readonly cache = new Map<string, Promise<TokenOutcome>>();
  constructor(
    private readonly settings: MsalSettings,
    private readonly audiences: Record<Api, string>,
  ) {}

  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): MsalSettings | undefined {
    const { AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET } = env;
    if (!AZURE_TENANT_ID || !AZURE_CLIENT_ID || !AZURE_CLIENT_SECRET) return undefined;
    return {
      tenantId: AZURE_TENANT_ID,
      clientId: AZURE_CLIENT_ID,
      clientSecret: AZURE_CLIENT_SECRET,
      lacking:
        env.AZURE_LACKING_CLIENT_ID && env.AZURE_LACKING_CLIENT_SECRET
          ? { clientId: env.AZURE_LACKING_CLIENT_ID, clientSecret: env.AZURE_LACKING_CLIENT_SECRET }
          : undefined,
      delegated:
        env.PHOTO_TENANT_USERNAME && env.PHOTO_TENANT_PASSWORD
          ? { username: env.PHOTO_TENANT_USERNAME, password: env.PHOTO_TENANT_PASSWORD }
          : undefined,
      authority: env.AZURE_AUTHORITY_HOST,
    };
  }

  private async client(clientId: string, clientSecret: string): Promise<ConfidentialClientApplication> {
    const host = (this.settings.authority ?? 'https://login.microsoftonline.com').replace(/\/+$/, '');
    const { ConfidentialClientApplication } = await import('@azure/msal-node');
    // MSAL trusts Microsoft's sign-in hosts by its own metadata; any other (a rehearsal
    // against a mock, a sovereign deployment's proxy) is named as known, as MSAL documents
    // for authorities it cannot discover.
    const authorityHost = new URL(host).host;
    return new ConfidentialClientApplication({
      auth: {
        clientId,
        clientSecret,
        authority: `${host}/${this.settings.tenantId}`,
        ...(MICROSOFT_AUTHORITY_HOSTS.has(authorityHost) ? {} : { knownAuthorities: [authorityHost] }),
      },
      // MSAL's own logging could print request details: keep it silent.
      system: { loggerOptions: { loggerCallback: () => undefined, piiLoggingEnabled: false } },
    });
  }

  get(api: Api, request: PrincipalRequest): Promise<TokenOutcome> {
    const key = JSON.stringify([api, request.kind, request.permissions, request.user?.userPrincipalName.toLowerCase() ?? null]);
    let outcome = this.cache.get(key);
    if (!outcome) {
      outcome = this.mint(api, request).catch((error: unknown) => ({
        unavailable: `MSAL could not sign in: ${(error as { errorCode?: string }).errorCode ?? 'error'}`,
      }));
      this.cache.set(key, outcome);
    }
    return outcome;
  }

  private async mint(api: Api, request: PrincipalRequest): Promise<TokenOutcome> {
    const scopes = [`${this.audiences[api]}/.default`];
    const checked = (token: string | undefined, mustCarry: string[], forbid: string[], who: string): TokenOutcome => {
      if (!token) return { unavailable: 'MSAL returned no token' };
      const carried = tokenPermissions(token) ?? [];
      if (mustCarry.length && !holdsAny(carried, mustCarry)) return { unavailable: `${who} is not granted ${mustCarry.join(' or ')}` };
      if (forbid.length && holdsAny(carried, forbid)) return { unavailable: `${who} holds one of ${forbid.join(', ')}` };
      return { token, who };
    };
    switch (request.kind) {
      case 'application': {
        const result = await (await this.client(this.settings.clientId, this.settings.clientSecret)).acquireTokenByClientCredential({ scopes });
        // A real tenant has one app: any permission the check accepts will do (one only, where
        // the check is about that one), not just its least privileged.
        return checked(result?.accessToken, request.permissions, [], 'AZURE_CLIENT_ID');
      }
      case 'applicationLacking': {
        const lacking = this.settings.lacking;
        if (!lacking) return { unavailable: 'set AZURE_LACKING_CLIENT_ID and AZURE_LACKING_CLIENT_SECRET (an app without photo permissions)' };
        const result = await (await this.client(lacking.clientId, lacking.clientSecret)).acquireTokenByClientCredential({ scopes });
        return checked(result?.accessToken, [], request.permissions, 'AZURE_LACKING_CLIENT_ID');
      }
      case 'delegatedWork': {
        const user = this.settings.delegated;
        if (!user) return { unavailable: 'set PHOTO_TENANT_USERNAME and PHOTO_TENANT_PASSWORD for delegated checks' };
        // One user signs in here: a check about another (`/me` of a user without a mailbox)
        // would otherwise judge this user's photo under the other's name.
        if (request.user && request.user.userPrincipalName.toLowerCase() !== user.username.toLowerCase()) {
          return { unavailable: `the check needs ${request.user.userPrincipalName} signed in; PHOTO_TENANT_USERNAME signs in ${user.username} only` };
        }
        const app = await this.client(this.settings.clientId, this.settings.clientSecret);
        // The scopes the check accepts, least privileged first: the first one consented for the
        // app (a scope it was not consented refuses the sign-in, AADSTS65001).
        let refused: unknown;
        for (const scope of request.permissions.length > 0 ? request.permissions : ['.default']) {
          try {
            const result = await app.acquireTokenByUsernamePassword({ scopes: [`${this.audiences[api]}/${scope}`], username: user.username, password: user.password });
            return checked(result?.accessToken ?? undefined, scope === '.default' ? [] : [scope], [], 'PHOTO_TENANT_USERNAME');
          } catch (error) {
            refused = error;
          }
        }
        throw refused;
      }
      default:
        return { unavailable: `a real tenant run cannot sign in as ${request.kind}` };
    }
  }
}

/**
 * Invalid credentials built from a valid token: each must be refused with 401. They are
 * derived, never minted, so the harness needs no signing key of the target.
 */
export function invalidTokens(valid: string): Record<'malformed' | 'badSignature' | 'algNone', string> {
  const [header = '', payload = '', signature = ''] = valid.split('.');
  const flipped = signature.length > 0 ? `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}` : 'AAAA';
  const noneHeader = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
  return {
    malformed: 'not-a-token',
    badSignature: `${header}.${payload}.${flipped}`,
    algNone: `${noneHeader}.${payload}.`,
  };
}

/**
 * An expired token: the payload of a valid one with `exp` in the past, re-signed by nobody.
 * A target that checks signatures refuses it for the signature; one that only checks the
 * expiry refuses it for `exp`: 401 either way, which is what the pages require.
 */
export function expiredToken(valid: string): string {
  const [header = '', payload = '', signature = ''] = valid.split('.');
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload))) as Record<string, unknown>;
  } catch {
    return valid;
  }
  const past = Math.floor(Date.now() / 1000) - 3600;
  const expired = base64url.encode(JSON.stringify({ ...claims, iat: past - 3600, nbf: past - 3600, exp: past }));
  return `${header}.${expired}.${signature}`;
}
