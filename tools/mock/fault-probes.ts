/**
 * One probe per fault: a short exchange that observes the one behaviour the fault names.
 * A conformant and a faulted server must observe different values. Test support, shared by
 * faults.test.ts and anyone checking that a fault stays confined to its behaviour.
 */
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { FaultName } from './faults.ts';
import type { MockServer } from './server.ts';
import { appToken, call, dimensions, image, startTestServer, streamUpload, T, tornReads, userToken, type Answer } from './testing.ts';

export interface Tokens {
  app: string;
  nophoto: string;
  graphAlice: string;
  outlookAlice: string;
  pat: string;
  /** pat, consented Contacts.Read */
  patContacts: string;
  /** the app a team grants TeamSettings.Read.Group (resource-specific) */
  rsc: string;
  /** quinn, a user of the Azure AD B2C tenant */
  b2c: string;
}

export type Probe = (server: MockServer, t: Tokens) => Promise<unknown>;

/** The decoded size of an image answer, or its status when it is not one. */
const imageOrStatus = async (r: Answer) => (r.status === 200 ? dimensions(r.bytes) : { status: r.status });

/** A property in either dialect's casing, so a probe does not also observe wrong-dialect-casing. */
const prop = (body: Record<string, unknown>, name: string) =>
  body[name] ?? body[name.charAt(0).toUpperCase() + name.slice(1)] ?? body[name.charAt(0).toLowerCase() + name.slice(1)];

const put = async (server: MockServer, path: string, token: string, body: Buffer, contentType = 'image/jpeg') =>
  call(server, 'PUT', path, { token, body, contentType });
// Path segments, not key segments: how a photo is addressed is key-segment-unrouted's business.
const meta = (server: MockServer, t: Tokens, who = `users/${T.alice}`) => call(server, 'GET', `/api/beta/${who}/photo`, { token: t.outlookAlice });
const sizeIds = async (server: MockServer, t: Tokens): Promise<string[]> =>
  (await call(server, 'GET', '/api/beta/me/photos', { token: t.outlookAlice })).json().value.map((v: Record<string, unknown>) => String(prop(v, 'id')).toLowerCase());

/**
 * Uploads and reports whether the store took the photo (from /_mock/state, not from the
 * API), so probes that look at an upload's consequences can stay vacuously conformant when
 * another fault kept the upload from happening: each probe observes only its own behaviour.
 */
async function stored(server: MockServer, keyPart: string, upload: () => Promise<unknown>): Promise<boolean> {
  const when = async () => {
    const state = (await call(server, 'GET', '/_mock/state')).json() as { photos: { key: string; updatedAt: string }[] };
    return state.photos.find((p) => p.key.includes(keyPart.toLowerCase()))?.updatedAt;
  };
  const before = await when();
  await upload();
  return (await when()) !== before;
}

/** An error body, or undefined where a fault let the request succeed (that fault's business). */
function errorOf(r: { status: number; json(): any }): { error?: { code?: string } } | undefined {
  if (r.status < 400) return undefined;
  try {
    return r.json();
  } catch {
    return undefined;
  }
}

export const probes: Record<FaultName, Probe> = {
  'upload-status-204': async (s, t) => (await put(s, '/v1.0/me/photo/$value', t.graphAlice, await image(64, 64))).status,
  // Whether $value is served as a generic byte stream (declaring another image type is value-declared-png's business).
  'value-content-type': async (s, t) => (await call(s, 'GET', '/api/beta/me/photo/$value', { token: t.outlookAlice })).headers.get('content-type') === 'application/octet-stream',
  // Which non-JSON label metadata wears: text/plain is this fault's, text/json metadata-text-json's.
  'metadata-content-type': async (s, t) => ((await meta(s, t)).headers.get('content-type') ?? '').startsWith('text/plain'),
  'metadata-text-json': async (s, t) => ((await meta(s, t)).headers.get('content-type') ?? '').startsWith('text/json'),
  'stale-etag': async (s, t) => {
    const before = (await meta(s, t)).json()['@odata.mediaEtag'];
    const took = await stored(s, T.alice, async () => put(s, '/v1.0/me/photo/$value', t.graphAlice, await image(64, 64)));
    return took ? (await meta(s, t)).json()['@odata.mediaEtag'] !== before : true;
  },
  'etag-header-mismatch': async (s, t) => {
    const r = await meta(s, t);
    // Weak or strong, the value must be the metadata's (a W/ prefix is etag-weak's business).
    return r.headers.get('etag')?.replace(/^W\//, '') === r.json()['@odata.mediaEtag'];
  },
  // No ETag at all is etag-header-missing's business: this observes only whether one is weak.
  'etag-weak': async (s, t) => ((await call(s, 'GET', '/api/beta/me/photo/$value', { token: t.outlookAlice })).headers.get('etag') ?? '').startsWith('W/'),
  'etag-not-8-hex': async (s, t) => /^"[0-9A-F]{8}"$/.test((await meta(s, t)).json()['@odata.mediaEtag']),
  'missing-size-variant': async (s, t) => {
    const took = await stored(s, T.alice, async () => put(s, '/v1.0/me/photo/$value', t.graphAlice, await image(100, 100)));
    return took ? (await sizeIds(s, t)).includes(s.spec.sizeVariants!.predefined[0]!.toLowerCase()) : true;
  },
  'leaked-largest-size': async (s, t) => {
    const took = await stored(s, T.alice, async () => put(s, '/v1.0/me/photo/$value', t.graphAlice, await image(100, 100)));
    return took ? (await sizeIds(s, t)).some((id) => Number(id.split('x')[0]) > 100) : false;
  },
  'cropped-not-padded': async (s, t) => {
    const wide = await sharp({ create: { width: 600, height: 300, channels: 3, background: '#00ff00' } }).jpeg().toBuffer();
    if (!(await stored(s, T.alice, () => put(s, '/v1.0/me/photo/$value', t.graphAlice, wide)))) return 'padded';
    const r = await call(s, 'GET', "/api/beta/me/photos('240x240')/$value", { token: t.outlookAlice });
    if (r.status !== 200) return 'padded';
    const { data, info } = await sharp(r.bytes).raw().toBuffer({ resolveWithObject: true });
    if (info.width !== 240 || info.height !== 240) return 'padded'; // not resized at all: variant-not-resized's business
    const edge = [...data.subarray((2 * 240 + 120) * info.channels, (2 * 240 + 120) * info.channels + 3)];
    const green = edge[1]! > 200 && edge[0]! < 60 && edge[2]! < 60;
    return green ? 'cropped' : 'padded';
  },
  'variant-not-resized': async (s, t) => {
    const upload = await image(300, 300);
    if (!(await stored(s, T.alice, () => put(s, '/v1.0/me/photo/$value', t.graphAlice, upload)))) return false;
    return (await call(s, 'GET', "/api/beta/me/photos('96x96')/$value", { token: t.outlookAlice })).bytes.equals(upload);
  },
  'size-segment-ignored': async (s, t) => imageOrStatus(await call(s, 'GET', "/api/beta/me/photos/64x64/$value", { token: t.outlookAlice })),
  'no-fallback': async (s, t) => {
    const status = (await put(s, `/v1.0/users/${T.dan}/photo/$value`, t.app, await image(64, 64))).status;
    return status >= 200 && status < 300; // success, whatever 2xx (that is upload-status-204's business)
  },
  'directory-dimension-lost': async (s, t) => {
    if (!(await stored(s, T.dan, async () => put(s, `/v1.0/users/${T.dan}/photo/$value`, t.app, await image(700, 500))))) return [700, 500];
    const r = await meta(s, t, `users/${T.dan}`);
    if (r.status !== 200) return [700, 500]; // not read at all: no-read-fallback's business
    const body = r.json();
    return [prop(body, 'width'), prop(body, 'height')];
  },
  // Whether a size never read before shows the new photo (magenta): a stale cache never served it.
  'update-not-persisted': async (s, t) => {
    await put(s, '/v1.0/me/photo/$value', t.graphAlice, await image(100, 100, 'jpeg', '#ff00ff'));
    const r = await call(s, 'GET', '/api/beta/me/photos/64x64/$value', { token: t.outlookAlice });
    if (r.status !== 200) return r.status;
    const { channels } = await sharp(r.bytes).stats();
    return channels[0]!.mean > 200 && channels[1]!.mean < 60 && channels[2]!.mean > 200;
  },
  // Bytes read before an update, read again after it: only judged where the update took (the ETag changed).
  'stale-value-cache': async (s, t) => {
    const read = () => call(s, 'GET', '/api/beta/me/photo/$value', { token: t.outlookAlice });
    const before = await read();
    await put(s, '/v1.0/me/photo/$value', t.graphAlice, await image(100, 100, 'jpeg', '#ff00ff'));
    const after = await read();
    return after.headers.get('etag') === before.headers.get('etag') || !after.bytes.equals(before.bytes);
  },
  'permission-not-checked': async (s, t) => (await put(s, `/v1.0/users/${T.bob}/photo/$value`, t.nophoto, await image(64, 64))).status,
  'personal-account-allowed': async (s, t) => (await put(s, '/v1.0/me/photo/$value', t.pat, await image(64, 64))).status,
  'auth-not-required': async (s) => (await call(s, 'PUT', `/v1.0/users/${T.bob}/photo/$value`, { body: await image(64, 64), contentType: 'image/jpeg' })).status,
  'limit-not-enforced': async (s, t) => {
    const limit = s.spec.limits.find((l) => l.api === 'graph' && l.version === 'v1.0')!.maxRequestBytes;
    return (await put(s, `/v1.0/users/${T.bob}/photo/$value`, t.app, Buffer.alloc(limit + 1024, 1))).status;
  },
  'limit-after-buffering': async (s, t) => {
    const limit = s.spec.limits.find((l) => l.api === 'graph' && l.version === 'v1.0')!.maxRequestBytes;
    const before = s.stats().uploadBytesRead;
    // Chunked (no Content-Length), so only counting while it streams can refuse it early.
    const r = await streamUpload(s, `/v1.0/users/${T.bob}/photo/$value`, t.app, 3 * limit, false);
    if (r.status !== 413) return true; // not refused at all: limit-not-enforced's business
    return s.stats().uploadBytesRead - before < limit + 1024 * 1024;
  },
  'method-not-enforced': async (s, t) => (await call(s, 'PATCH', '/beta/me/photo/$value', { token: t.graphAlice, body: await image(64, 64), contentType: 'image/jpeg' })).status,
  'allow-header-missing': async (s, t) => {
    const r = await call(s, 'PATCH', '/beta/me/photo/$value', { token: t.graphAlice, body: await image(64, 64), contentType: 'image/jpeg' });
    // Whether a 405 names what is allowed; a PATCH served anyway is method-not-enforced's business.
    return r.status === 405 ? r.headers.has('allow') : true;
  },
  'content-type-not-checked': async (s, t) => (await put(s, '/v1.0/me/photo/$value', t.graphAlice, await image(64, 64), 'text/plain')).status,
  'undecodable-accepted': async (s, t) => (await put(s, '/v1.0/me/photo/$value', t.graphAlice, Buffer.from('not an image'))).status,
  'placeholder-missing': async (s, t) => (await meta(s, t, `users/${T.bob}`)).status,
  'placeholder-etag-not-empty': async (s, t) => {
    const r = await meta(s, t, `users/${T.bob}`);
    return r.status === 200 ? r.json()['@odata.mediaEtag'] : '';
  },
  'wrong-dialect-casing': async (s, t) => {
    const body = (await meta(s, t)).json();
    return ['Id', 'Width', 'Height'].every((k) => k in body);
  },
  'missing-odata-context': async (s, t) => '@odata.context' in (await meta(s, t)).json(),
  'missing-odata-id': async (s, t) => '@odata.id' in (await meta(s, t)).json(),
  'torn-write': async (s, t) => (await tornReads(s, t.outlookAlice, 3)).length > 0,
  // Without the wrapper there is no error.innerError to look in: error-wrapper-missing's business.
  'error-inner-error-missing': async (s) => {
    const error = errorOf(await call(s, 'PUT', '/v1.0/me/photo/$value', { token: 'bad' }));
    return error?.error ? 'innerError' in error.error : true;
  },
  'request-id-missing': async (s, t) => (await meta(s, t)).headers.has('request-id'),
  'client-request-id-not-echoed': async (s, t) =>
    (await call(s, 'GET', `/api/beta/users/${T.alice}/photo`, { token: t.outlookAlice, headers: { 'client-request-id': 'probe-1' } })).headers.get('client-request-id'),
  'retry-after-missing': async (s, t) => {
    const throttled = await startTestServer({ throttle: { requestsPerSecond: 0.001, burst: 1 }, faults: s.faults() });
    try {
      const token = await userToken(throttled, 'outlook', T.aliceUpn, 'alice-pw', ['User.ReadWrite.All']);
      await call(throttled, 'GET', '/api/beta/me/photo', { token });
      const r = await call(throttled, 'GET', '/api/beta/me/photo', { token });
      assert.equal(r.status, 429);
      void t;
      return r.headers.get('retry-after');
    } finally {
      await throttled.close();
    }
  },
  'no-photo-placeholder': async (s, t) => (await call(s, 'GET', `/v1.0/users/${T.bob}/photo/$value`, { token: t.app })).status,
  'etag-header-missing': async (s, t) => (await call(s, 'GET', '/api/beta/me/photo/$value', { token: t.outlookAlice })).headers.has('etag'),
  'media-type-mismatch': async (s, t) => (await meta(s, t)).json()['@odata.mediaContentType'],
  'no-read-fallback': async (s, t) => (await meta(s, t, `users/${T.erin}`)).status,
  'b2c-served': async (s, t) => (await call(s, 'GET', '/v1.0/me/photo', { token: t.b2c })).status,
  'team-route-missing': async (s, t) => (await call(s, 'GET', `/v1.0/teams/${T.team}/photo`, { token: t.app })).status,
  'team-photo-apart': async (s, t) => {
    const took = await stored(s, T.team, async () => put(s, `/beta/groups/${T.team}/photo/$value`, t.app, await image(96, 96)));
    if (!took) return true; // the update through the group was refused: team-update-via-group-refused's business
    const team = await call(s, 'GET', `/v1.0/teams/${T.team}/photo`, { token: t.app });
    if (team.status !== 200) return true; // not routed at all: team-route-missing's business
    const group = await call(s, 'GET', `/v1.0/groups/${T.team}/photo`, { token: t.app });
    return team.json()['@odata.mediaEtag'] === group.json()['@odata.mediaEtag'];
  },
  // The admin app updates through the group's operation (the team's refuses app-only tokens).
  'team-update-via-group-refused': async (s, t) => {
    const status = (await put(s, `/beta/groups/${T.team}/photo/$value`, t.app, await image(96, 96))).status;
    return status >= 200 && status < 300; // success, whatever 2xx (that is upload-status-204's business)
  },
  'metadata-dimensions-as-strings': async (s, t) => {
    const body = (await call(s, 'GET', `/v1.0/users/${T.alice}/photo`, { token: t.app })).json();
    // Whatever the casing (graph-pascal-casing's business): the type of the dimensions.
    return [typeof prop(body, 'width'), typeof prop(body, 'height')];
  },
  'size-metadata-segment-ignored': async (s, t) => {
    const r = await call(s, 'GET', "/api/beta/me/photos/64x64", { token: t.outlookAlice });
    if (r.status !== 200) return r.status;
    const body = r.json();
    return [prop(body, 'width'), prop(body, 'height')];
  },
  // Whether the granted team refuses the grant (a 404 of a team route that is missing is not a refusal).
  'rsc-grant-ignored': async (s, t) => (await call(s, 'GET', `/beta/teams/${T.team}/photo`, { token: t.rsc })).status === 403,
  // Whether a team that granted nothing lets the app reach its photo (the placeholder, or the no-photo 404).
  'rsc-grant-everywhere': async (s, t) => {
    const reached = async (token: string) => {
      const r = await call(s, 'GET', `/beta/teams/${T.teamNoPhoto}/photo`, { token });
      return r.status === 200 || (r.status === 404 && r.json().error?.code === 'ImageNotFound');
    };
    // An app with no photo permission at all reaching it too: permission-not-checked's business.
    return (await reached(t.rsc)) && !(await reached(t.nophoto));
  },
  'personal-contacts-refused': async (s, t) => (await call(s, 'GET', '/v1.0/me/contacts/ContactSam/photo', { token: t.patContacts })).status,
  'key-segment-unrouted': async (s, t) => (await call(s, 'GET', `/api/beta/Users('${T.alice}')/photos('48x48')`, { token: t.outlookAlice })).status,
  'value-declared-png': async (s, t) => (await call(s, 'GET', '/v1.0/me/photo/$value', { token: t.graphAlice })).headers.get('content-type') === 'image/png',
  'graph-pascal-casing': async (s, t) => Object.keys((await call(s, 'GET', '/v1.0/me/photo', { token: t.graphAlice })).json()).filter((k) => !k.startsWith('@')).sort(),
  'error-wrapper-missing': async (s) => typeof errorOf(await call(s, 'GET', '/v1.0/me/photo', { token: 'bad' }))?.error,
  // The code of each refusal: a missing token and a missing permission are told apart.
  // Only where both are refused with a code (a served request or a lost wrapper is another fault's business).
  'error-code-uniform': async (s, t) => {
    const unauthenticated = errorOf(await call(s, 'GET', '/v1.0/me/photo', {}))?.error?.code;
    const forbidden = errorOf(await put(s, `/v1.0/users/${T.bob}/photo/$value`, t.nophoto, await image(64, 64)))?.error?.code;
    return unauthenticated !== undefined && unauthenticated === forbidden;
  },
};

export async function probeTokens(server: MockServer): Promise<Tokens> {
  return {
    app: await appToken(server, 'graph'),
    nophoto: await appToken(server, 'graph', T.nophoto),
    graphAlice: await userToken(server, 'graph', T.aliceUpn, 'alice-pw', ['User.ReadWrite', 'Contacts.ReadWrite']),
    outlookAlice: await userToken(server, 'outlook', T.aliceUpn, 'alice-pw', ['User.ReadWrite.All']),
    pat: await userToken(server, 'graph', 'pat@outlook.com', 'pat-pw', ['User.ReadWrite'], T.consumer),
    patContacts: await userToken(server, 'graph', 'pat@outlook.com', 'pat-pw', ['Contacts.Read'], T.consumer),
    rsc: await appToken(server, 'graph', T.rsc),
    b2c: await userToken(server, 'graph', 'quinn@smallb2c.onmicrosoft.com', 'quinn-pw', ['User.Read'], T.b2c, T.b2cApp),
  };
}
