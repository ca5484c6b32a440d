/**
 * The official clients against the HTTPS mock, used as their own documentation shows, with
 * nothing changed but the base URL, the authority host and the trusted CA. Unlike
 * official-clients.test.ts (plain http, which must hand MSAL the tenant's metadata and add a
 * bearer handler of its own), nothing is bent: no metadata handed in, no own middleware, no
 * relaxed TLS checks.
 *
 * How: the test starts the mock in-process with TLS from the local CA (tls.ts), then runs each
 * client in a child Node process (`--import tsx`, a script in ./clients/), since Node reads
 * NODE_EXTRA_CA_CERTS, the one thing that makes the mock trusted, only at start. The child gets
 * the scenario as JSON in its environment and prints what it observed as JSON (clients/protocol.ts);
 * the assertions are here. What is proven:
 * - @azure/msal-node (clients/msal-client.ts): a ConfidentialClientApplication with authority
 *   https://127.0.0.1:PORT/{tenant} and that host in `knownAuthorities` gets an app-only Graph
 *   token by client credentials, having read the tenant's OpenID configuration over https; the
 *   token names the tenant and the app's roles and verifies against the JWKS it names.
 * - @microsoft/microsoft-graph-client (clients/graph-client.ts), its TokenCredentialAuthenticationProvider
 *   over @azure/identity's ClientSecretCredential, and
 * - @microsoft/msgraph-sdk (clients/kiota-client.ts) with AzureIdentityAuthenticationProvider,
 *   GraphRequestAdapter and the users fluent API,
 *   each with the admin app: upload a JPEG to a user with a mailbox and read back its metadata
 *   (the largest predefined size that fits), its bytes (decoded: that size, the uploaded colour)
 *   and the 48x48 variant's metadata; upload to a user without a mailbox and read back the
 *   photo as uploaded (the Azure AD fallback: any dimension kept). The mock's own state
 *   (`/_mock/state`) confirms each photo landed in the store the user calls for, with the ETag
 *   the client saw.
 * Negatives: the same MSAL and Graph client scripts without the local CA trusted fail, with no
 * HTTP request reaching the mock, and a bare fetch in that process meets a certificate error;
 * the Kiota SDK's default upload content type (application/octet-stream) is refused with 415.
 * Options beyond URL, authority and CA: `knownAuthorities` (MSAL), `customHosts` (Graph
 * client), allowed hosts (Kiota provider), `disableInstanceDiscovery` (@azure/identity, for an
 * authority host that is not Microsoft's) and the upload's `Content-Type: image/jpeg`, which
 * the update pages require; the scripts say why at each.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { get } from 'node:https';
import { dirname, join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { DEFAULT_SPEC_PATH, readSpec } from '../../spec/io.ts';
import type { Spec } from '../../spec/model.ts';
import { REPO_ROOT } from '../../spec/paths.ts';
import { loadTenantFixture, DEFAULT_TENANT_PATH } from '../../tenant/load.ts';
import type { Tenant } from '../../tenant/model.ts';
import { startMockServer, type MockServer } from '../server.ts';
import { TEST_SPEC_PATH } from '../testing.ts';
import { serverTls, type ServerTls } from '../tls.ts';
import type { KiotaObservation } from './clients/kiota-client.ts';
import type { MsalObservation } from './clients/msal-client.ts';
import type { ScenarioObservation } from './clients/photo-scenario.ts';
import { CLIENT_INPUT_ENV, type ClientInput, type ClientReport, type PhotoUpload, type UserObservation } from './clients/protocol.ts';

const CLIENTS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'clients');
const CONTOSO = '8f3c2a10-0001-4c5e-9a7b-000000000001';
const ADMIN_CLIENT_ID = '3e9a4b7c-0001-4d2e-8f1a-000000000301';
const SIZE = '48x48';
// The extracted spec when there is one, else the corpus-shaped one the mock's tests use (as in
// official-clients.test.ts); PHOTO_SPEC_FILE points it at another.
const SPEC_FILE = process.env.PHOTO_SPEC_FILE ?? (existsSync(DEFAULT_SPEC_PATH) ? DEFAULT_SPEC_PATH : TEST_SPEC_PATH);
/** What Node's TLS reports for a certificate it cannot chain to a trusted root. */
const CERTIFICATE_ERRORS = ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT'];

const run = promisify(execFile);

interface StoredPhoto {
  key: string;
  etag: string;
  store: 'mailbox' | 'directory';
  original: { width: number; height: number; contentType: string };
}

describe('official clients against the HTTPS mock, unchanged', () => {
  let server: MockServer;
  let tls: ServerTls;
  let spec: Spec;
  let contoso: Tenant;

  const userId = (upn: string, mailbox: boolean) => {
    const user = contoso.users.find((u) => u.userPrincipalName === upn);
    assert.ok(user, `${DEFAULT_TENANT_PATH} has no ${upn}`);
    assert.equal(user.mailbox, mailbox, `${upn} should ${mailbox ? '' : 'not '}have a mailbox in ${DEFAULT_TENANT_PATH}`);
    return user.id;
  };
  const admin = () => {
    const app = contoso.apps.find((a) => a.clientId === ADMIN_CLIENT_ID);
    assert.ok(app, `${DEFAULT_TENANT_PATH} has no admin app ${ADMIN_CLIENT_ID}`);
    return app;
  };
  const input = (extra: Partial<ClientInput> = {}): ClientInput => ({
    origin: server.url,
    tenantId: CONTOSO,
    app: { clientId: admin().clientId, secret: admin().clientSecret },
    ...extra,
  });

  /** Run a client script in a child Node process; `trust` says whether it trusts the mock's CA. */
  async function runClient<T>(script: string, scenario: ClientInput, trust: boolean): Promise<ClientReport<T>> {
    const env: NodeJS.ProcessEnv = { ...process.env, [CLIENT_INPUT_ENV]: JSON.stringify(scenario) };
    if (trust) env.NODE_EXTRA_CA_CERTS = tls.ca.certFile;
    else delete env.NODE_EXTRA_CA_CERTS;
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', join(CLIENTS_DIR, script)], {
      cwd: REPO_ROOT,
      env,
      timeout: 40_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const line = stdout.trim().split('\n').at(-1) ?? '';
    try {
      return JSON.parse(line) as ClientReport<T>;
    } catch {
      throw new Error(`${script} printed no report.\nstdout: ${stdout}\nstderr: ${stderr}`);
    }
  }
  const observed = <T>(report: ClientReport<T>): T => {
    assert.ok(report.ok, `the client failed: ${JSON.stringify(!report.ok && report)}`);
    return report.observed;
  };

  /** The mock's stored photo of a user, read over https trusting the local CA (and only it). */
  async function storedPhoto(id: string): Promise<StoredPhoto> {
    const body = await new Promise<string>((resolve, reject) => {
      get(`${server.url}/_mock/state`, { ca: tls.ca.cert }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk)).on('end', () => resolve(text)).on('error', reject);
      }).on('error', reject);
    });
    const photo = (JSON.parse(body) as { photos: StoredPhoto[] }).photos.find((p) => p.key === `${CONTOSO}|user|${id}`);
    assert.ok(photo, `the mock holds no photo for user ${id}`);
    return photo;
  }

  /** The largest predefined size at or below the upload's smaller side (spec.sizeVariants). */
  const servedSide = (upload: PhotoUpload) => {
    const fits = (spec.sizeVariants?.predefined ?? []).map((s) => Number(s.split('x')[0])).filter((side) => side <= Math.min(upload.width, upload.height));
    return fits.length > 0 ? Math.max(...fits) : Math.min(upload.width, upload.height);
  };

  /** Decoded bytes: JPEG of the given size whose centre pixel is the uploaded colour. */
  async function assertImage(base64: string, width: number, height: number, color: string, what: string) {
    const bytes = Buffer.from(base64, 'base64');
    const meta = await sharp(bytes).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', width, height], `${what}: format and size`);
    const pixel = await sharp(bytes)
      .extract({ left: Math.floor(width / 2), top: Math.floor(height / 2), width: 1, height: 1 })
      .removeAlpha()
      .raw()
      .toBuffer();
    const want = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
    assert.ok(
      want.every((c, i) => Math.abs(c - pixel[i]!) <= 8),
      `${what}: centre pixel ${[...pixel].join(',')} is not the uploaded ${color}`,
    );
  }

  /** A user with a mailbox: served at the largest predefined size, with that size's variants. */
  async function assertMailboxRoundTrip(seen: UserObservation | undefined, upload: PhotoUpload) {
    assert.ok(seen, 'no observation for the user with a mailbox');
    const side = servedSide(upload);
    assert.equal(side < Math.min(upload.width, upload.height), true, 'the upload should be larger than a predefined size, so the mailbox resizes it');
    assert.deepEqual([seen.metadata.id?.toLowerCase(), seen.metadata.width, seen.metadata.height], [`${side}x${side}`, side, side]);
    await assertImage(seen.value, side, side, upload.color, 'mailbox $value');
    assert.deepEqual([seen.sizeMetadata?.id?.toLowerCase(), seen.sizeMetadata?.width, seen.sizeMetadata?.height], [SIZE, 48, 48]);

    const stored = await storedPhoto(upload.userId);
    assert.equal(stored.store, 'mailbox');
    assert.deepEqual([stored.original.width, stored.original.height], [upload.width, upload.height]);
    for (const etag of [seen.metadata.mediaEtag, seen.sizeMetadata?.mediaEtag].filter((e) => e !== null)) assert.equal(etag, `"${stored.etag}"`);
  }

  /** A user without a mailbox: the directory store keeps the photo as uploaded, any dimension. */
  async function assertDirectoryRoundTrip(seen: UserObservation | undefined, upload: PhotoUpload) {
    assert.ok(seen, 'no observation for the user without a mailbox');
    assert.deepEqual([seen.metadata.width, seen.metadata.height], [upload.width, upload.height]);
    await assertImage(seen.value, upload.width, upload.height, upload.color, 'directory $value');

    const stored = await storedPhoto(upload.userId);
    assert.equal(stored.store, 'directory');
    assert.deepEqual([stored.original.width, stored.original.height], [upload.width, upload.height]);
    if (seen.metadata.mediaEtag !== null) assert.equal(seen.metadata.mediaEtag, `"${stored.etag}"`);
  }

  /** Without the CA: the client fails, nothing reaches the mock's HTTP layer, and TLS says why. */
  async function assertUntrustedFails(script: string, scenario: ClientInput, expected: RegExp) {
    const before = server.stats().requests;
    const report = await runClient(script, scenario, false);
    assert.equal(report.ok, false, `${script} succeeded without the mock's CA trusted`);
    if (report.ok) return;
    assert.match(report.error.chain.join('\n'), expected);
    assert.ok(CERTIFICATE_ERRORS.includes(report.transport), `a bare fetch met ${report.transport}, not a certificate error`);
    assert.equal(server.stats().requests - before, 0, 'a request reached the mock although TLS should have failed');
  }

  before(async () => {
    spec = await readSpec(SPEC_FILE);
    const fixture = await loadTenantFixture(DEFAULT_TENANT_PATH);
    const tenant = fixture.tenants.find((t) => t.id === CONTOSO);
    assert.ok(tenant, `${DEFAULT_TENANT_PATH} has no tenant ${CONTOSO}`);
    contoso = tenant;
    tls = await serverTls();
    server = await startMockServer({ spec, tenantFixture: fixture, tls });
    assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    // The requests the photo scripts make, as the v1.0 pages list them for /users/{id}.
    for (const [method, target] of [
      ['PUT', 'value'],
      ['GET', 'metadata'],
      ['GET', 'value'],
      ['GET', 'photoSize'],
    ] as const) {
      const listed = spec.operations.some((o) => o.api === 'graph' && o.version === 'v1.0' && o.resource === 'user' && o.method === method && o.target === target);
      assert.ok(listed, `${SPEC_FILE} lists no Graph v1.0 ${method} /users/{id} ${target}`);
    }
  });
  after(() => server?.close());
  beforeEach(() => server.reset());

  it("MSAL: client credentials over https give a Graph token naming the tenant and the app's roles", async () => {
    const seen = observed(await runClient<MsalObservation>('msal-client.ts', input(), true));
    assert.equal(seen.claims.tid, CONTOSO);
    assert.deepEqual(seen.claims.roles, admin().roles);
    assert.equal(seen.claims.appid, ADMIN_CLIENT_ID);
    assert.equal(seen.claims.idtyp, 'app');
    assert.equal(seen.claims.aud, 'https://graph.microsoft.com');
    assert.equal(seen.claims.iss, server.issuer(CONTOSO));
    assert.equal(seen.tokenType, 'Bearer');
    // MSAL read the discovery document over https, and it names https endpoints on the mock.
    assert.equal(seen.tokenEndpoint, `${server.url}/${CONTOSO}/oauth2/v2.0/token`);
    assert.equal(seen.jwksUri, `${server.url}/${CONTOSO}/discovery/v2.0/keys`);
    assert.equal(seen.verified, true, 'the token did not verify against the JWKS');
    assert.equal(seen.secondFromCache, true, "the second request was not served from MSAL's cache");
  });

  it('MSAL: without the local CA trusted, it fails before any request reaches the mock', async () => {
    // MSAL reports an unreachable discovery document as endpoints_resolution_error.
    await assertUntrustedFails('msal-client.ts', input(), /endpoints_resolution_error|network_error/);
  });

  it('Graph client: uploads and reads back the photos of a user with and one without a mailbox', async () => {
    const mailbox: PhotoUpload = { userId: userId('adele.vance@contoso.onmicrosoft.com', true), width: 300, height: 300, color: '#cc3344' };
    const directory: PhotoUpload = { userId: userId('diego.siciliani@contoso.onmicrosoft.com', false), width: 320, height: 240, color: '#22aa66' };
    const seen = observed(await runClient<ScenarioObservation>('graph-client.ts', input({ mailbox, directory, size: SIZE }), true));
    await assertMailboxRoundTrip(seen.mailbox, mailbox);
    await assertDirectoryRoundTrip(seen.directory, directory);
  });

  it('Graph client: without the local CA trusted, it fails before any request reaches the mock', async () => {
    const mailbox: PhotoUpload = { userId: userId('adele.vance@contoso.onmicrosoft.com', true), width: 64, height: 64, color: '#000000' };
    await assertUntrustedFails('graph-client.ts', input({ mailbox }), /CredentialUnavailableError|endpoints_resolution_error/);
  });

  it('Kiota SDK: uploads and reads back the photos of a user with and one without a mailbox', async () => {
    // Other users than the Graph client's, each with a seed photo of another size and colour.
    const mailbox: PhotoUpload = { userId: userId('megan.bowen@contoso.onmicrosoft.com', true), width: 300, height: 300, color: '#3355dd' };
    const directory: PhotoUpload = { userId: userId('isaiah.langer@contoso.onmicrosoft.com', false), width: 320, height: 240, color: '#ddaa22' };
    const seen = observed(await runClient<KiotaObservation>('kiota-client.ts', input({ mailbox, directory, size: SIZE }), true));
    // The SDK's default content type for the generated put, refused as the update pages require image/jpeg.
    assert.equal(seen.defaultContentType?.statusCode, 415, `the default upload was not refused: ${JSON.stringify(seen.defaultContentType)}`);
    await assertMailboxRoundTrip(seen.mailbox, mailbox);
    await assertDirectoryRoundTrip(seen.directory, directory);
  });
});
