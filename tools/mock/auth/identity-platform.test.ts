import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, decodeJwt, jwtVerify, SignJWT, UnsecuredJWT, type JSONWebKeySet } from 'jose';
import { CONSUMER_TENANT_ID, loadTenantFixture } from '../../tenant/load.ts';
import { AuthError } from './errors.ts';
import { AUDIENCES, createIdentityPlatform, type IdentityPlatform } from './identity-platform.ts';
import { createSigningKey } from './signing-key.ts';

const BASE = 'http://127.0.0.1:4999';
const CONTOSO = '8f3c2a10-0001-4c5e-9a7b-000000000001';
const FABRIKAM = '8f3c2a10-0002-4c5e-9a7b-000000000002';
const ADMIN = { id: '3e9a4b7c-0001-4d2e-8f1a-000000000301', secret: 'contoso-admin-secret-3e9a' };
const LEAST = { id: '3e9a4b7c-0002-4d2e-8f1a-000000000302', secret: 'contoso-least-secret-3e9a' };
const NO_PHOTO = { id: '3e9a4b7c-0004-4d2e-8f1a-000000000304', secret: 'contoso-nophoto-secret-3e9a' };
const ADELE = { id: '5b2e7c41-0001-4a1f-8d3e-000000000101', upn: 'adele.vance@contoso.onmicrosoft.com', password: 'Adele-Photo-1' };

const fixture = await loadTenantFixture();
let clock = Date.parse('2026-11-24T20:00:00Z');
const identity: IdentityPlatform = await createIdentityPlatform({ fixture, baseUrl: BASE, now: () => clock });

/** Runs `check` with the identity platform's clock moved on, then puts the clock back. */
async function secondsLater(seconds: number, check: () => Promise<void>): Promise<void> {
  const saved = clock;
  clock += seconds * 1000;
  try {
    await check();
  } finally {
    clock = saved;
  }
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields);
const clientCredentials = (app: { id: string; secret: string }, scope = 'https://graph.microsoft.com/.default', tenant = CONTOSO) =>
  identity.token(tenant, form({ grant_type: 'client_credentials', client_id: app.id, client_secret: app.secret, scope }));
const passwordGrant = (fields: Record<string, string>, tenant = CONTOSO) =>
  identity.token(tenant, form({ grant_type: 'password', client_id: LEAST.id, client_secret: LEAST.secret, ...fields }));
const accessToken = (response: { body: Record<string, unknown> }) => String(response.body.access_token);
const bearer = (token: string) => `Bearer ${token}`;

async function refusal(promise: unknown): Promise<AuthError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AuthError, `expected an AuthError, got ${String(error)}`);
    return error;
  }
  return assert.fail('expected a refusal');
}

describe('discovery', () => {
  it('serves an OpenID configuration whose issuer and endpoints are under the tenant', () => {
    const { status, body } = identity.openidConfiguration('contoso.onmicrosoft.com');
    assert.equal(status, 200);
    assert.equal(body.issuer, `${BASE}/${CONTOSO}/v2.0`);
    assert.equal(body.token_endpoint, `${BASE}/${CONTOSO}/oauth2/v2.0/token`);
    assert.equal(body.jwks_uri, `${BASE}/${CONTOSO}/discovery/v2.0/keys`);
  });

  it('answers an unknown tenant with AADSTS90002', () => {
    const { status, body } = identity.openidConfiguration('nowhere.onmicrosoft.com');
    assert.equal(status, 400);
    assert.deepEqual(body.error_codes, [90002]);
  });

  it('publishes only the public key, under its kid', () => {
    const keys = identity.jwks().body.keys as Array<Record<string, unknown>>;
    assert.equal(keys.length, 1);
    assert.equal(keys[0]?.kid, identity.signingKey.kid);
    assert.equal(keys[0]?.alg, 'RS256');
    assert.equal(keys[0]?.d, undefined);
  });
});

describe('token endpoint: client credentials', () => {
  it('issues an app-only Graph token with the app\'s roles, verifiable with the JWKS', async () => {
    const response = await clientCredentials(ADMIN);
    assert.equal(response.status, 200);
    assert.equal(response.body.token_type, 'Bearer');
    const jwks = createLocalJWKSet(identity.jwks().body as unknown as JSONWebKeySet);
    const { payload, protectedHeader } = await jwtVerify(accessToken(response), jwks, { currentDate: new Date(clock) });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.aud, AUDIENCES.graph);
    assert.equal(payload.iss, `${BASE}/${CONTOSO}/v2.0`);
    assert.equal(payload.tid, CONTOSO);
    assert.equal(payload.appid, ADMIN.id);
    assert.equal(payload.azp, ADMIN.id);
    assert.equal(payload.idtyp, 'app');
    // The admin app's roles in default-tenant.yaml (team photos joined the spec: TeamSettings.ReadWrite.All).
    assert.deepEqual(payload.roles, ['User.ReadWrite.All', 'Group.ReadWrite.All', 'Contacts.ReadWrite', 'User.Read.All', 'TeamSettings.ReadWrite.All']);
    assert.equal(payload.scp, undefined);
    assert.equal(payload.exp! - payload.iat!, response.body.expires_in);
    assert.ok(payload.nbf! <= payload.iat!);
  });

  it('issues an Outlook token for the Outlook resource', async () => {
    const response = await clientCredentials(ADMIN, 'https://outlook.office.com/.default');
    assert.equal(decodeJwt(accessToken(response)).aud, AUDIENCES.outlook);
  });

  it('accepts the client secret in HTTP Basic credentials', async () => {
    const basic = `Basic ${Buffer.from(`${LEAST.id}:${encodeURIComponent(LEAST.secret)}`).toString('base64')}`;
    const response = await identity.token(CONTOSO, form({ grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' }), basic);
    assert.equal(response.status, 200);
  });

  it('leaves roles out for an app granted none', async () => {
    const fabrikamless = await identity.token(CONSUMER_TENANT_ID, form({ grant_type: 'client_credentials', client_id: ADMIN.id, client_secret: ADMIN.secret, scope: 'https://graph.microsoft.com/.default' }));
    assert.equal(fabrikamless.status, 200);
    assert.equal(decodeJwt(accessToken(fabrikamless)).roles, undefined);
  });

  const failures: Array<[string, () => Promise<{ status: number; body: Record<string, unknown> }>, number, string, number]> = [
    ['a wrong secret', () => clientCredentials({ id: ADMIN.id, secret: 'nope' }), 401, 'invalid_client', 7000215],
    ['no secret', () => identity.token(CONTOSO, form({ grant_type: 'client_credentials', client_id: ADMIN.id, scope: 'https://graph.microsoft.com/.default' })), 401, 'invalid_client', 7000218],
    ['an unknown client', () => clientCredentials({ id: '00000000-1111-2222-3333-444444444444', secret: 'x' }), 400, 'unauthorized_client', 700016],
    ['an app of another tenant', () => clientCredentials(ADMIN, 'https://graph.microsoft.com/.default', FABRIKAM), 400, 'unauthorized_client', 700016],
    ['no client_id', () => identity.token(CONTOSO, form({ grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' })), 400, 'invalid_request', 900144],
    ['no grant_type', () => identity.token(CONTOSO, form({ client_id: ADMIN.id })), 400, 'invalid_request', 900144],
    ['an unsupported grant', () => identity.token(CONTOSO, form({ grant_type: 'authorization_code', client_id: ADMIN.id })), 400, 'unsupported_grant_type', 70003],
    ['a named scope instead of .default', () => clientCredentials(ADMIN, 'https://graph.microsoft.com/User.Read'), 400, 'invalid_scope', 1002012],
    ['two resources', () => clientCredentials(ADMIN, 'https://graph.microsoft.com/.default https://outlook.office.com/.default'), 400, 'invalid_scope', 28000],
    ['an unknown resource', () => clientCredentials(ADMIN, 'https://example.com/.default'), 400, 'invalid_resource', 500011],
    ['an unknown tenant', () => clientCredentials(ADMIN, 'https://graph.microsoft.com/.default', 'nowhere.example'), 400, 'invalid_request', 90002],
  ];
  for (const [name, call, status, error, code] of failures) {
    it(`refuses ${name} in the identity platform's error shape`, async () => {
      const response = await call();
      assert.equal(response.status, status);
      assert.equal(response.body.error, error);
      assert.deepEqual(response.body.error_codes, [code]);
      assert.match(String(response.body.error_description), new RegExp(`^AADSTS${code}: `));
      assert.equal(response.body.access_token, undefined);
    });
  }
});

describe('token endpoint: password grant', () => {
  it('grants the requested scopes the app was consented, and no others', async () => {
    const response = await passwordGrant({ username: ADELE.upn, password: ADELE.password, scope: 'User.ReadWrite Calendars.Read openid profile offline_access' });
    assert.equal(response.status, 200);
    const claims = decodeJwt(accessToken(response));
    assert.equal(claims.scp, 'openid profile User.ReadWrite');
    assert.equal(claims.oid, ADELE.id);
    assert.equal(claims.idtyp, 'user');
    assert.equal(claims.acct, 0);
    assert.equal(claims.roles, undefined);
    assert.ok(response.body.id_token, 'openid asks for an ID token');
  });

  it('grants every consented scope for .default, for the Outlook resource when asked', async () => {
    const response = await identity.token(CONTOSO, form({ grant_type: 'password', client_id: ADMIN.id, client_secret: ADMIN.secret, username: ADELE.upn, password: ADELE.password, scope: 'https://outlook.office.com/.default' }));
    const claims = decodeJwt(accessToken(response));
    assert.equal(claims.aud, AUDIENCES.outlook);
    assert.match(String(claims.scp), /^User\.Read User\.ReadWrite .*Contacts\.ReadWrite TeamSettings\.ReadWrite\.All$/);
  });

  it('marks a personal account with the consumer tenant and acct 1', async () => {
    const response = await identity.token('consumers', form({ grant_type: 'password', client_id: ADMIN.id, client_secret: ADMIN.secret, username: 'pat.personal@outlook.com', password: 'Pat-Personal-1', scope: 'User.ReadWrite' }));
    const claims = decodeJwt(accessToken(response));
    assert.equal(claims.tid, CONSUMER_TENANT_ID);
    assert.equal(claims.acct, 1);
  });

  const failures: Array<[string, Record<string, string>, number, string, number]> = [
    ['a wrong password', { username: ADELE.upn, password: 'wrong', scope: 'User.ReadWrite' }, 400, 'invalid_grant', 50126],
    ['a user who has no password', { username: 'isaiah.langer@contoso.onmicrosoft.com', password: '', scope: 'User.ReadWrite' }, 400, 'invalid_grant', 50126],
    ['an unknown user', { username: 'nobody@contoso.onmicrosoft.com', password: 'x', scope: 'User.ReadWrite' }, 400, 'invalid_grant', 50034],
    ['scopes the app was never consented', { username: ADELE.upn, password: ADELE.password, scope: 'Mail.Read' }, 400, 'invalid_grant', 65001],
    ['no password', { username: ADELE.upn, scope: 'User.ReadWrite' }, 400, 'invalid_request', 900144],
  ];
  for (const [name, fields, status, error, code] of failures) {
    it(`refuses ${name}`, async () => {
      const response = await passwordGrant(fields);
      assert.equal(response.status, status);
      assert.equal(response.body.error, error);
      assert.deepEqual(response.body.error_codes, [code]);
    });
  }

  it('does not sign in a user of another tenant', async () => {
    const response = await identity.token(FABRIKAM, form({ grant_type: 'password', client_id: '6a1b2c3d-0001-4e5f-9a8b-000000000311', client_secret: 'fabrikam-admin-secret-6a1b', username: ADELE.upn, password: ADELE.password, scope: 'User.Read' }));
    assert.deepEqual(response.body.error_codes, [50034]);
  });
});

describe('authenticate', () => {
  const graph = { audience: AUDIENCES.graph };

  it('turns an app-only token into an application principal', async () => {
    const principal = await identity.authenticate(bearer(accessToken(await clientCredentials(LEAST))), graph);
    assert.deepEqual(principal, { tenantId: CONTOSO, kind: 'application', appId: LEAST.id, permissions: ['User.ReadWrite.All'] });
  });

  it('turns a delegated token into the signed-in user with their scopes', async () => {
    const token = accessToken(await passwordGrant({ username: ADELE.upn, password: ADELE.password, scope: 'User.ReadWrite' }));
    const principal = await identity.authenticate(`bearer  ${token}`, graph);
    assert.deepEqual(principal, { tenantId: CONTOSO, kind: 'delegated', appId: LEAST.id, userId: ADELE.id, accountKind: 'work', permissions: ['User.ReadWrite'] });
  });

  it('knows a personal account from the fixture', async () => {
    const response = await identity.token('consumers', form({ grant_type: 'password', client_id: ADMIN.id, client_secret: ADMIN.secret, username: 'pat.personal@outlook.com', password: 'Pat-Personal-1', scope: 'User.Read' }));
    assert.equal((await identity.authenticate(bearer(accessToken(response)), graph)).accountKind, 'personal');
  });

  it('an app without photo roles still authenticates (authorization refuses it later)', async () => {
    const principal = await identity.authenticate(bearer(accessToken(await clientCredentials(NO_PHOTO))), graph);
    assert.deepEqual(principal.permissions, ['Calendars.Read']);
  });

  const mint = (overrides: Partial<Parameters<IdentityPlatform['issueAccessToken']>[0]> = {}) =>
    identity.issueAccessToken({ tenantId: CONTOSO, appId: LEAST.id, audience: AUDIENCES.graph, roles: ['User.ReadWrite.All'], ...overrides });
  const nowSeconds = () => Math.floor(clock / 1000);

  const bad: Array<[string, () => Promise<string | undefined>, RegExp]> = [
    ['no Authorization header', async () => undefined, /empty/],
    ['an empty Authorization header', async () => '   ', /empty/],
    ['a Basic scheme', async () => 'Basic dXNlcjpwYXNz', /CompactToken parsing failed/],
    ['a token that is not a JWT', async () => 'Bearer not-a-jwt', /CompactToken parsing failed/],
    ['a JWT with a garbled payload', async () => bearer(`${(await mint()).split('.')[0]}.!!!.sig`), /CompactToken parsing failed/],
    [
      'a bad signature (right kid, other key)',
      async () => {
        const other = await createSigningKey();
        const claims = decodeJwt(await mint());
        return bearer(await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: identity.signingKey.kid }).sign(other.privateKey));
      },
      /Invalid signature/,
    ],
    ['a tampered payload', async () => {
      const [h, , s] = (await mint()).split('.');
      const payload = Buffer.from(JSON.stringify({ ...decodeJwt(await mint()), roles: ['Directory.ReadWrite.All'] })).toString('base64url');
      return bearer(`${h}.${payload}.${s}`);
    }, /Invalid signature/],
    ['an unknown kid', async () => {
      const other = await createSigningKey();
      return bearer(await new SignJWT(decodeJwt(await mint())).setProtectedHeader({ alg: 'RS256', kid: other.kid }).sign(other.privateKey));
    }, /Invalid signature/],
    ['alg none', async () => bearer(new UnsecuredJWT(decodeJwt(await mint())).encode()), /signing algorithm/],
    ['an HS256 token', async () => {
      const secret = new TextEncoder().encode('x'.repeat(32));
      return bearer(await new SignJWT(decodeJwt(await mint())).setProtectedHeader({ alg: 'HS256', kid: identity.signingKey.kid }).sign(secret));
    }, /signing algorithm/],
    ['an expired token', async () => bearer(await mint({ issuedAt: nowSeconds() - 7200, lifetimeSeconds: 3600 })), /expired or is not yet valid/],
    ['a token not yet valid', async () => bearer(await mint({ notBefore: nowSeconds() + 600 })), /expired or is not yet valid/],
    ['a token for another audience', async () => bearer(await mint({ audience: AUDIENCES.outlook })), /Invalid audience/],
    ['a token of an unknown tenant', async () => bearer(await mint({ tenantId: '99999999-0000-4000-8000-000000000000' })), /issuer or tenant/],
    ['a tid that disagrees with iss', async () => bearer(await mint({ claims: { iss: `${BASE}/${FABRIKAM}/v2.0` } })), /issuer or tenant/],
    ['an issuer of another authority', async () => bearer(await mint({ claims: { iss: `https://login.microsoftonline.com/${CONTOSO}/v2.0` } })), /issuer or tenant/],
    ['an app unknown to the tenant', async () => bearer(await mint({ appId: '6a1b2c3d-0001-4e5f-9a8b-000000000311' })), /Unknown application/],
    ['a user who is not in the tenant', async () => bearer(await mint({ tenantId: FABRIKAM, appId: '6a1b2c3d-0001-4e5f-9a8b-000000000311', userId: ADELE.id, scopes: ['User.Read'] })), /not in the tenant/],
    ['a token without exp', async () => bearer(await mint({ claims: { exp: undefined } })), /Invalid exp claim|CompactToken/],
  ];
  for (const [name, header, message] of bad) {
    it(`refuses ${name} with 401 InvalidAuthenticationToken`, async () => {
      const error = await refusal(identity.authenticate(await header(), graph));
      assert.equal(error.status, 401);
      assert.equal(error.code, 'InvalidAuthenticationToken');
      assert.match(error.message, message);
      assert.match(error.headers['WWW-Authenticate'] ?? '', /^Bearer /);
    });
  }

  it('an accepted token still expires (a cached principal is not kept past exp)', async () => {
    const token = bearer(await mint({ lifetimeSeconds: 60 }));
    assert.equal((await identity.authenticate(token, graph)).kind, 'application');
    await secondsLater(61, async () => assert.equal((await refusal(identity.authenticate(token, graph))).status, 401));
  });

  it('a token accepted for Graph is still refused for Outlook', async () => {
    const token = bearer(await mint());
    await identity.authenticate(token, graph);
    assert.equal((await refusal(identity.authenticate(token, { audience: AUDIENCES.outlook }))).status, 401);
  });

  describe('on one keep-alive connection', () => {
    it('a token remembered on the connection still expires', async () => {
      const connection = {};
      const token = bearer(await mint({ lifetimeSeconds: 60 }));
      const on = { ...graph, connection };
      assert.equal((await identity.authenticate(token, on)).kind, 'application');
      assert.equal((await identity.authenticate(token, on)).kind, 'application');
      await secondsLater(61, async () => assert.equal((await refusal(identity.authenticate(token, on))).status, 401));
    });

    it('another token on the same connection is checked on its own', async () => {
      const connection = {};
      const good = await mint();
      await identity.authenticate(bearer(good), { ...graph, connection });
      const [head, payload] = good.split('.');
      const forged = `${head}.${payload}.${'A'.repeat(342)}`;
      assert.equal((await refusal(identity.authenticate(bearer(forged), { ...graph, connection }))).status, 401);
      assert.equal((await refusal(identity.authenticate(bearer(good), { audience: AUDIENCES.outlook, connection }))).status, 401);
      assert.equal((await identity.authenticate(bearer(good), { ...graph, connection })).kind, 'application');
    });
  });

  it('refuses a token signed by an earlier start of the mock', async () => {
    const earlier = await createIdentityPlatform({ fixture, baseUrl: BASE, now: () => clock });
    const token = accessToken(await earlier.token(CONTOSO, form({ grant_type: 'client_credentials', client_id: ADMIN.id, client_secret: ADMIN.secret, scope: 'https://graph.microsoft.com/.default' })));
    assert.equal((await refusal(identity.authenticate(bearer(token), graph))).status, 401);
  });
});

describe('node:http adapter', () => {
  let server: Server;
  let url: string;
  before(async () => {
    server = createServer((req, res) => {
      identity.handle(req, res).then((handled) => {
        if (!handled) res.writeHead(404).end('not an identity route');
      }, (error: unknown) => res.writeHead(500).end(String(error)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('serves the token endpoint for form posts', async () => {
    const response = await fetch(`${url}/${CONTOSO}/oauth2/v2.0/token`, {
      method: 'POST',
      body: form({ grant_type: 'client_credentials', client_id: ADMIN.id, client_secret: ADMIN.secret, scope: 'https://graph.microsoft.com/.default' }),
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    assert.ok(((await response.json()) as { access_token?: string }).access_token);
  });

  it('serves discovery and keys for a tenant named by domain', async () => {
    const config = (await (await fetch(`${url}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration`)).json()) as { issuer: string };
    assert.equal(config.issuer, `${BASE}/${CONTOSO}/v2.0`);
    const keys = (await (await fetch(`${url}/${CONTOSO}/discovery/v2.0/keys`)).json()) as { keys: unknown[] };
    assert.equal(keys.keys.length, 1);
  });

  it('answers 405 for a GET on the token endpoint and leaves other paths alone', async () => {
    const wrong = await fetch(`${url}/${CONTOSO}/oauth2/v2.0/token`);
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'POST');
    assert.equal((await fetch(`${url}/v1.0/me/photo`)).status, 404);
  });

  it('refuses an oversized form without keeping it', async () => {
    const response = await fetch(`${url}/${CONTOSO}/oauth2/v2.0/token`, { method: 'POST', body: 'a='.padEnd(200_000, 'x') });
    assert.equal(response.status, 413);
    assert.equal(((await response.json()) as { error: string }).error, 'invalid_request');
  });
});
