/**
 * The official clients against a running mock, changed only where they must be pointed at
 * http://127.0.0.1 (tools/mock/README.md, "Official clients", says why):
 * - @azure/msal-node gets its tokens from the mock's token endpoint. MSAL refuses a
 *   non-https authority (`authority_uri_insecure`, UrlString.validateAsUri), so the
 *   authority is written `https://127.0.0.1:{port}/{tenant}` and the tenant's OpenID
 *   configuration, fetched from the mock over http, is handed over as `authorityMetadata`:
 *   MSAL then never contacts the https address and posts to the http token endpoint.
 * - @microsoft/microsoft-graph-client uploads and reads photos. Its AuthenticationHandler
 *   attaches a token only to https URLs of Graph or `customHosts` and strips it otherwise,
 *   so the client is built with initWithMiddleware from the SDK's own handlers plus a
 *   bearer handler for the loopback host.
 * Uploads go through Graph and are read back through the Outlook REST API; Graph reads (the
 * get pages: metadata, $value, the photos collection, a size and a team's photo) through Graph.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ConfidentialClientApplication } from '@azure/msal-node';
import {
  Client,
  GraphError,
  HTTPMessageHandler,
  RedirectHandler,
  RetryHandler,
  TelemetryHandler,
  ResponseType,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import sharp from 'sharp';
import { DEFAULT_SPEC_PATH, readSpec } from '../../spec/io.ts';
import type { Operation, Spec } from '../../spec/model.ts';
import { startMockServer, type MockServer } from '../server.ts';
import { TEST_SPEC_PATH } from '../testing.ts';

const CONTOSO = '8f3c2a10-0001-4c5e-9a7b-000000000001';
const LEAST = { clientId: '3e9a4b7c-0002-4d2e-8f1a-000000000302', secret: 'contoso-least-secret-3e9a' };
const ADMIN = { clientId: '3e9a4b7c-0001-4d2e-8f1a-000000000301', secret: 'contoso-admin-secret-3e9a' };
const READER = { clientId: '3e9a4b7c-0003-4d2e-8f1a-000000000303', secret: 'contoso-reader-secret-3e9a' };
const NO_PHOTO = { clientId: '3e9a4b7c-0004-4d2e-8f1a-000000000304', secret: 'contoso-nophoto-secret-3e9a' };
const TEAMS_READER = { clientId: '3e9a4b7c-0010-4d2e-8f1a-000000000310', secret: 'contoso-teamsbasic-secret-3e9a' };
const LEE = { id: '5b2e7c41-0003-4a1f-8d3e-000000000103', upn: 'lee.gu@contoso.onmicrosoft.com', password: 'LeeGu-Photo-3' };
// Adele has a mailbox and a 648x648 seed photo; the Mark 8 team a 240x240 one (default-tenant.yaml).
const ADELE = { upn: 'adele.vance@contoso.onmicrosoft.com', password: 'Adele-Photo-1', side: 648 };
const MARK8 = { id: '0c7d1e52-0003-4b6a-9c2d-000000000203', side: 240 };

// The extracted spec when there is one; before the first extraction, the corpus-shaped spec the
// mock's own tests use. PHOTO_SPEC_FILE points it at another (a fresh `extract --out`).
const SPEC_FILE = process.env.PHOTO_SPEC_FILE ?? (existsSync(DEFAULT_SPEC_PATH) ? DEFAULT_SPEC_PATH : TEST_SPEC_PATH);

/** The Bearer token for the loopback host only; every other host gets none. */
class LoopbackBearerHandler implements Middleware {
  private next?: Middleware;
  constructor(
    private readonly origin: string,
    private readonly token: () => Promise<string>,
  ) {}
  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    const headers = (context.options ??= {}).headers as Record<string, string> | undefined;
    const merged: Record<string, string> = { ...headers };
    if (url.startsWith(`${this.origin}/`)) merged.Authorization = `Bearer ${await this.token()}`;
    else delete merged.Authorization;
    context.options.headers = merged;
    return this.next?.execute(context);
  }
  setNext(next: Middleware): void {
    this.next = next;
  }
}

function graphClient(server: MockServer, root: '' | '/api', version: string, token: () => Promise<string>): Client {
  const chain: Middleware[] = [
    new LoopbackBearerHandler(server.url, token),
    new RetryHandler(),
    new RedirectHandler(),
    new TelemetryHandler(),
    new HTTPMessageHandler(),
  ];
  return Client.initWithMiddleware({ middleware: chain, baseUrl: `${server.url}${root}`, defaultVersion: version });
}

describe('official clients against the mock', () => {
  let server: MockServer;
  let spec: Spec;
  let authorityMetadata: string;
  const msal = (app: { clientId: string; secret: string }) =>
    new ConfidentialClientApplication({
      auth: {
        clientId: app.clientId,
        clientSecret: app.secret,
        authority: `https://${new URL(server.url).host}/${CONTOSO}`,
        knownAuthorities: [new URL(server.url).host],
        authorityMetadata,
      },
    });
  const find = (api: Operation['api'], version: Operation['version'], method: Operation['method'], target: Operation['target'], resource: Operation['resource'] = 'me') =>
    spec.operations.find((o) => o.api === api && o.version === version && o.method === method && o.resource === resource && o.target === target);
  const listed = (api: Operation['api'], version: Operation['version'], method: Operation['method'], target: Operation['target']) => {
    const op = find(api, version, method, target);
    assert.ok(op, `${SPEC_FILE} lists no ${api} ${version} ${method} /me ${target}`);
    return op;
  };

  before(async () => {
    spec = await readSpec(SPEC_FILE);
    server = await startMockServer({ spec });
    authorityMetadata = await (await fetch(`${server.url}/${CONTOSO}/v2.0/.well-known/openid-configuration`)).text();
  });
  after(() => server.close());

  it('MSAL: client credentials give a Graph app-only token with the app\'s roles', async () => {
    const result = await msal(LEAST).acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
    assert.ok(result?.accessToken);
    const claims = JSON.parse(Buffer.from(result.accessToken.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    assert.deepEqual(claims.roles, ['User.ReadWrite.All']);
    assert.equal(claims.iss, server.issuer(CONTOSO));
    // A second call is served from MSAL's cache: the response was well-formed enough to cache.
    const again = await msal(LEAST).acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] });
    assert.ok(again?.accessToken);
  });

  it('MSAL: a wrong client secret is refused with invalid_client', async () => {
    await assert.rejects(
      msal({ clientId: LEAST.clientId, secret: 'wrong' }).acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] }),
      (error: { errorCode?: string }) => error.errorCode === 'invalid_client',
    );
  });

  it('Graph client: a signed-in user uploads through Graph and reads back through Outlook', async () => {
    const graphPut = listed('graph', 'v1.0', 'PUT', 'value');
    listed('outlook', 'v2.0', 'GET', 'metadata');
    listed('outlook', 'v2.0', 'GET', 'value');
    // Least privilege on both sides: the writer app holds User.ReadWrite, the reader app User.Read.
    const signIn = (app: ConfidentialClientApplication, scopes: string[]) => async () =>
      (await app.acquireTokenByUsernamePassword({ scopes, username: LEE.upn, password: LEE.password }))!.accessToken;

    const jpeg = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#3388cc' } }).jpeg().toBuffer();
    const graph = graphClient(server, '', 'v1.0', signIn(msal(LEAST), ['User.ReadWrite']));
    await graph.api(graphPut.path).header('Content-Type', 'image/jpeg').put(jpeg);

    const outlook = graphClient(server, '/api', 'v2.0', signIn(msal(READER), ['https://outlook.office.com/User.Read']));
    const metadata = (await outlook.api('/me/photo').get()) as Record<string, unknown>;
    // The largest photo served is the largest predefined size that fits the upload (spec.sizeVariants).
    const fits = (spec.sizeVariants?.predefined ?? []).map((s) => Number(s.split('x')[0])).filter((side) => side <= 300);
    const largest = fits.length > 0 ? Math.max(...fits) : 300;
    assert.equal(metadata.Width, largest);
    assert.equal(metadata.Height, largest);
    assert.match(String(metadata['@odata.mediaEtag']), /^"[0-9A-F]{8}"$/i);

    const bytes = Buffer.from((await outlook.api('/me/photo/$value').responseType(ResponseType.ARRAYBUFFER).get()) as ArrayBuffer);
    const decoded = await sharp(bytes).metadata();
    assert.equal(decoded.format, 'jpeg');
    assert.equal(decoded.width, metadata.Width);
  });

  it('Graph client: an app without photo roles gets a GraphError 403 ErrorAccessDenied', async () => {
    const token = (await msal(NO_PHOTO).acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] }))!.accessToken;
    const graph = graphClient(server, '', 'v1.0', async () => token);
    const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#000000' } }).jpeg().toBuffer();
    await assert.rejects(graph.api(`/users/${LEE.id}/photo/$value`).header('Content-Type', 'image/jpeg').put(jpeg), (error: unknown) => {
      assert.ok(error instanceof GraphError);
      assert.equal(error.statusCode, 403);
      assert.equal(error.code, 'ErrorAccessDenied');
      return true;
    });
    // The admin app, through the same client code, may.
    const admin = (await msal(ADMIN).acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] }))!.accessToken;
    await graphClient(server, '', 'v1.0', async () => admin).api(`/users/${LEE.id}/photo/$value`).header('Content-Type', 'image/jpeg').put(jpeg);
  });

  it("Graph client: reads a signed-in user's photo, its photos collection and a size from Graph (docs profile)", async () => {
    const [metadataOp, valueOp, photosOp, sizeOp, sizeValueOp] = (['metadata', 'value', 'photos', 'photoSize', 'photoSizeValue'] as const).map((target) => listed('graph', 'v1.0', 'GET', target));
    const token = async () => (await msal(READER).acquireTokenByUsernamePassword({ scopes: ['User.Read'], username: ADELE.upn, password: ADELE.password }))!.accessToken;
    const graph = graphClient(server, '', 'v1.0', token);

    const metadata = (await graph.api(metadataOp!.path).get()) as Record<string, unknown>;
    assert.deepEqual([metadata.width, metadata.height], [ADELE.side, ADELE.side]);
    assert.match(String(metadata['@odata.mediaEtag']), /^"[0-9A-F]{8}"$/i);
    const bytes = Buffer.from((await graph.api(valueOp!.path).responseType(ResponseType.ARRAYBUFFER).get()) as ArrayBuffer);
    const decoded = await sharp(bytes).metadata();
    assert.deepEqual([decoded.format, decoded.width, decoded.height], ['jpeg', ADELE.side, ADELE.side]);

    // Every predefined size at or below the seed photo, each readable as metadata and as bytes.
    const photos = (await graph.api(photosOp!.path).get()) as { value: { id: string; width: number }[] };
    const fits = (spec.sizeVariants?.predefined ?? []).filter((size) => Number(size.split('x')[0]) <= ADELE.side);
    assert.deepEqual(photos.value.map((p) => p.id.toLowerCase()), fits);
    const sizePath = (op: Operation) => op.path.replace(/\{[^}]*\}/, '48x48');
    const size = (await graph.api(sizePath(sizeOp!)).get()) as Record<string, unknown>;
    assert.deepEqual([String(size.id).toLowerCase(), size.width, size.height], ['48x48', 48, 48]);
    const sizeBytes = Buffer.from((await graph.api(sizePath(sizeValueOp!)).responseType(ResponseType.ARRAYBUFFER).get()) as ArrayBuffer);
    const small = await sharp(sizeBytes).metadata();
    assert.deepEqual([small.format, small.width, small.height], ['jpeg', 48, 48]);
  });

  it("Graph client: reads a team's photo from Graph with an app-only token (docs profile)", async (t) => {
    const metadataOp = find('graph', 'v1.0', 'GET', 'metadata', 'team');
    const valueOp = find('graph', 'v1.0', 'GET', 'value', 'team');
    if (!metadataOp || !valueOp) return t.skip(`${SPEC_FILE} lists no Graph v1.0 read of a team photo yet`);
    const token = (await msal(TEAMS_READER).acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] }))!.accessToken;
    const graph = graphClient(server, '', 'v1.0', async () => token);
    const teamPath = (op: Operation) => op.path.replace(/\{[^}]*\}/, MARK8.id);
    const metadata = (await graph.api(teamPath(metadataOp)).get()) as Record<string, unknown>;
    assert.deepEqual([metadata.width, metadata.height], [MARK8.side, MARK8.side]);
    const bytes = Buffer.from((await graph.api(teamPath(valueOp)).responseType(ResponseType.ARRAYBUFFER).get()) as ArrayBuffer);
    const decoded = await sharp(bytes).metadata();
    assert.deepEqual([decoded.format, decoded.width, decoded.height], ['jpeg', MARK8.side, MARK8.side]);
  });
});
