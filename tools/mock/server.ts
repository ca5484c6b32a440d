/**
 * The embedded mock tenant: one node:http server serving Graph (`/v1.0`, `/beta`) and the
 * Outlook REST API (`/api/v2.0`, `/api/beta`) photo routes that the spec lists, plus the
 * identity platform's routes (mounted from ./auth) and loopback-only admin routes
 * (`POST /_mock/reset`, `GET /_mock/state`, `PUT /_mock/faults`).
 *
 * Handlers throw MockError; `sendError` is the one place that writes the protocol's error
 * body, `notFound` the one answer for unknown routes.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import sharp from 'sharp';
import type { Api, Method, Operation, Resource, Spec, Version } from '../spec/model.ts';
import { DEFAULT_SPEC_PATH, readSpec } from '../spec/io.ts';
import { TenantDirectory } from '../tenant/directory.ts';
import { DEFAULT_TENANT_PATH, loadTenantFixture } from '../tenant/load.ts';
import type { Group, Principal, ResourceSpecificGrant, Tenant, TenantFixture, User } from '../tenant/model.ts';
import { asProtocolError, errorBody, MockError, type RequestIds } from './errors.ts';
import { FAULT_SETTINGS, parseFaults, type FaultName } from './faults.ts';
import { photoCollection, photoMetadata, type MetadataContext, type PhotoOwner, type PhotoView } from './dialect.ts';
import {
  buildPhotoRecord,
  buildSeedRecords,
  ImageRejected,
  newEtag,
  parsePredefined,
  photoKey,
  PhotoStore,
  sizeKey,
  type PhotoRecord,
  type StoredImage,
  type StoreKind,
  type VariantPolicy,
} from './photo-store.ts';
import { noPhotoRules, type NoPhotoRule } from './no-photo.ts';
import { PROFILES, SILENT_PAGE_ANSWERS, type ErrorAnswer, type Profile, type ProfileName } from './profiles.ts';
import { ClientAborted, readBody, tooLarge } from './request-body.ts';
import { allowedMethods, buildRouteTable, matchPath, requestSegments, versionRoot, type Captures, type PathMatch, type RouteTable, type VersionRoot } from './routes.ts';
import { TokenBuckets, type ThrottleOptions } from './throttle.ts';

/** How long, and how much, a refused body is read and discarded before its connection closes. */
const LINGER_MAX_MS = 1000;
const LINGER_MAX_BYTES = 16 * 1024 * 1024;

// The auth layer's contract lives apart (auth/layer.ts), so that the default layer
// (default-auth.ts, loaded on demand) and the server import it without importing each other.
import type { AuthContext, AuthDecision, AuthLayer, AuthSubject } from './auth/layer.ts';
export type { AuthContext, AuthDecision, AuthLayer, AuthSubject };

export interface MockServerOptions {
  port?: number;
  host?: string;
  profile?: ProfileName;
  tenantFile?: string;
  /** an already loaded fixture (tests); wins over tenantFile */
  tenantFixture?: TenantFixture;
  specFile?: string;
  /** an already read spec (tests); wins over specFile */
  spec?: Spec;
  faults?: string[];
  throttle?: ThrottleOptions;
  /** default: the identity platform in ./auth over the tenant fixture */
  auth?: AuthLayer | ((ctx: AuthContext) => Promise<AuthLayer>);
  /** serve https with this key and certificate (tls.ts: serverTls) instead of http */
  tls?: { key: string; cert: string };
}

export interface MockStats {
  requests: number;
  /** upload body bytes read from sockets, including bytes of refused bodies */
  uploadBytesRead: number;
  status: Record<string, number>;
  /** requests by route (`photo`, `identity`, `admin`) and method, counted as they arrive */
  methods: Record<string, Record<string, number>>;
}

/**
 * One request in the admin log (`GET /_mock/state?requests=SEQ` lists those after SEQ): the
 * photo API's and the identity platform's, not the admin routes'. A write that succeeded
 * names the photo it changed and what that photo's original is now (null: removed).
 */
export interface LoggedRequest {
  /** 1, 2, ... in the order the answers were finished */
  seq: number;
  method: string;
  path: string;
  route: 'photo' | 'identity';
  status: number;
  /** the request carried a client-request-id header */
  clientRequestId: boolean;
  photo?: { key: string; sha256: string | null };
}

/** How many requests the admin log keeps at least (the newest); it is trimmed a thousand at a time. */
const REQUEST_LOG_MAX = 10_000;

export interface MockServer {
  url: string;
  issuer(tenantId: string): string;
  tenants: readonly Tenant[];
  spec: Spec;
  profile: Profile;
  faults(): FaultName[];
  /** replaces the active faults (the mutation runner flips them without a restart) */
  setFaults(names: string[]): void;
  reset(): Promise<void>;
  stats(): MockStats;
  close(): Promise<void>;
}

/** The mock's own transport cap where the spec gives no limit for a version (not a spec fact). */
export const TRANSPORT_CAP_BYTES = 64 * 1024 * 1024;

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  ids: RequestIds;
  api: Api;
  closeAfter: boolean;
  /** its entry of the admin log, written when the answer is finished */
  logged?: Omit<LoggedRequest, 'seq' | 'status'>;
}

function isLoopback(socket: Socket): boolean {
  const a = socket.remoteAddress ?? '';
  return a.startsWith('127.') || a === '::1' || a.startsWith('::ffff:127.');
}

const mediaType = (header: string | undefined) => (header ?? '').split(';')[0]!.trim().toLowerCase();

function fromAnswer(answer: ErrorAnswer, headers: Record<string, string> = {}): MockError {
  return new MockError(answer.status, answer.code, answer.message, headers);
}

/** The content types an upload operation documents: its body's, then its Content-Type header's value. */
function documentedUploadTypes(op: Operation): string[] {
  const types = new Set((op.body?.contentTypes ?? []).map((t) => t.toLowerCase()));
  const header = op.headers.find((h) => h.name.toLowerCase() === 'content-type');
  for (const token of (header?.value ?? '').toLowerCase().match(/[a-z]+\/[a-z0-9.+-]+/g) ?? []) types.add(token);
  return [...types];
}

/** The success the pages document for the operation (each example answers for its own request: 204 for a team). */
function successStatus(op: Operation): number {
  return op.responses.find((r) => r.status >= 200 && r.status < 300)?.status ?? 200;
}

/** Whether one of the spec's behaviours of this kind covers the operation. */
function behaviourCovers(spec: Spec, kind: Spec['behaviours'][number]['kind'], op: Operation): boolean {
  return spec.behaviours.some(
    (b) => b.kind === kind && b.api === op.api && b.versions.includes(op.version) && (!b.resources || b.resources.includes(op.resource)),
  );
}

/**
 * The limit an upload's body is held to: the request limit (`operation.maxRequestBytes`, else
 * the version's `limits` entry for the request) or the photo's own limit where a page states
 * one apart (`maxPhotoBytes`, `subject: photo`), whichever is tighter, since the body is the
 * photo. A version without a documented limit gets the mock's transport cap.
 */
export function uploadLimit(spec: Spec, op: Operation): { bytes: number; subject: 'request' | 'photo' } {
  const stated = spec.limits.filter((l) => l.api === op.api && l.version === op.version);
  const request = op.maxRequestBytes ?? stated.find((l) => (l.subject ?? 'request') === 'request')?.maxRequestBytes;
  const photo = op.maxPhotoBytes ?? stated.find((l) => l.subject === 'photo')?.maxRequestBytes;
  const bytes = Math.min(request ?? TRANSPORT_CAP_BYTES, TRANSPORT_CAP_BYTES);
  return photo !== undefined && photo < bytes ? { bytes: photo, subject: 'photo' } : { bytes, subject: 'request' };
}

export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const profile = PROFILES[options.profile ?? 'docs'];
  if (!profile) throw new Error(`unknown profile '${String(options.profile)}' (known: ${Object.keys(PROFILES).join(', ')})`);
  const spec = options.spec ?? (await readSpec(options.specFile ?? DEFAULT_SPEC_PATH));
  const fixture = options.tenantFixture ?? (await loadTenantFixture(options.tenantFile ?? DEFAULT_TENANT_PATH));
  const directory = new TenantDirectory(fixture);
  let faults = parseFaults(options.faults ?? []);
  const has = (name: FaultName) => faults.has(name);

  const table: RouteTable = buildRouteTable(spec.operations);
  const noPhotoRule: ReadonlyMap<string, NoPhotoRule> = noPhotoRules(spec);
  const predefined = parsePredefined(spec.sizeVariants?.predefined ?? []);
  const placeholder = spec.sizeVariants?.placeholder;
  const placeholderBytes = placeholder ? await placeholderImage(placeholder.width, placeholder.height, placeholder.contentType) : undefined;
  const basePolicy: VariantPolicy = {
    predefined,
    fit: 'contain',
    leakLargest: false,
    dropSmallest: false,
    skipResize: false,
    primaryIsOriginal: profile.primaryIsOriginal,
  };
  const store = new PhotoStore(await buildSeedRecords(fixture.tenants, basePolicy));
  // A fault that breaks the answer to a throttled request shows only where requests are throttled.
  const throttle = options.throttle ?? [...faults].map((f) => FAULT_SETTINGS[f]?.throttle).find(Boolean);
  const buckets = throttle ? new TokenBuckets(throttle) : undefined;
  const stats: MockStats = { requests: 0, uploadBytesRead: 0, status: {}, methods: {} };
  const requestLog: LoggedRequest[] = [];
  let requestSeq = 0;
  // Digests of stored bytes for the admin state, kept as long as the bytes are.
  const digests = new WeakMap<Buffer, string>();
  const sha256 = (bytes: Buffer) => {
    let digest = digests.get(bytes);
    if (digest === undefined) {
      digest = createHash('sha256').update(bytes).digest('hex');
      digests.set(bytes, digest);
    }
    return digest;
  };
  /** Admin log: the photo a successful write left behind, as the write's map now holds it. */
  function noteWrite(x: Exchange, key: string, records: ReadonlyMap<string, PhotoRecord>) {
    if (!x.logged) return;
    const record = records.get(key);
    x.logged.photo = { key, sha256: record ? sha256(record.original.bytes) : null };
  }

  let baseUrl = '';
  const scheme = options.tls ? 'https' : 'http';
  const authContext: AuthContext = { fixture, baseUrl: () => baseUrl, profile: profile.name, spec };
  const auth: AuthLayer =
    typeof options.auth === 'function'
      ? await options.auth(authContext)
      : (options.auth ?? (await (await import('./default-auth.ts')).createDefaultAuth(authContext)));

  const sizeId = (w: number, h: number) => `${w}${profile.sizeIdSeparator}${h}`;

  // Serialized metadata per record and address; dropped whenever the faults change (they shape it).
  let metadataCache = new WeakMap<PhotoRecord, Map<string, { body: string; etag: string }>>();

  // ---- responses -------------------------------------------------------------------------

  /**
   * Close a connection whose request body was refused unread (413, 415 before the body...).
   * Closing a socket that still has unread bytes makes the kernel send RST, and an RST can
   * wipe the answer from the client's receive buffer before the client reads it: the client
   * then sees "connection reset" instead of the 413. So, like nginx's lingering close, the
   * rest of the body is read and thrown away (never kept) for a bounded time and byte count,
   * then the connection is closed.
   */
  function lingeringClose(req: IncomingMessage) {
    const socket = req.socket;
    let discardBudget = LINGER_MAX_BYTES;
    const close = () => {
      clearTimeout(timer);
      socket.destroy();
    };
    const timer = setTimeout(close, LINGER_MAX_MS);
    timer.unref();
    // The answer is out: send FIN (the socket stays half open, so reading goes on).
    socket.end();
    req.on('data', (chunk: Buffer) => {
      discardBudget -= chunk.length;
      if (discardBudget <= 0) close();
    });
    req.on('end', close);
    req.on('error', close);
    socket.on('end', close);
    req.resume();
  }

  /**
   * Node closes a connection whose answer said `Connection: close` as soon as the answer is
   * written (socket.destroySoon, called by the http server when the response finishes);
   * this connection is closed the lingering way instead.
   */
  function closeLingering(x: Exchange) {
    const socket = x.req.socket as Socket & { destroySoon?: () => void };
    socket.destroySoon = () => lingeringClose(x.req);
  }

  function send(x: Exchange, status: number, headers: Record<string, string>, body?: Buffer | string) {
    stats.status[status] = (stats.status[status] ?? 0) + 1;
    // A string body goes out as a string: node then writes headers and body in one write.
    const length = body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    // Headers as one flat [name, value, ...] list: node writes it as it is, without walking an object.
    const flat: string[] = [];
    if (!has('request-id-missing')) flat.push('request-id', x.ids.requestId);
    flat.push('client-request-id', has('client-request-id-not-echoed') ? randomUUID() : x.ids.clientRequestId);
    if (x.closeAfter) flat.push('Connection', 'close');
    for (const name in headers) flat.push(name, headers[name]!);
    flat.push('Content-Length', String(length));
    x.res.writeHead(status, flat);
    if (x.closeAfter) closeLingering(x);
    x.res.end(body);
  }

  /** `body` is a value to serialize, or JSON text already serialized. */
  function sendJson(x: Exchange, status: number, body: unknown, headers: Record<string, string> = {}) {
    const photoAnswer = status < 300 && !(x.req.url ?? '').startsWith('/_mock/');
    const contentType = has('metadata-content-type')
      ? 'text/plain'
      : has('metadata-text-json') && photoAnswer
        ? 'text/json; charset=utf-8'
        : 'application/json; odata.metadata=minimal; charset=utf-8';
    send(x, status, { 'Content-Type': contentType, ...headers }, typeof body === 'string' ? body : JSON.stringify(body));
  }

  function sendError(x: Exchange, error: unknown) {
    if (error instanceof ClientAborted) {
      x.req.socket.destroy();
      return;
    }
    let protocolError = asProtocolError(error);
    if (!protocolError) {
      console.error(`mock: ${x.req.method} ${x.req.url} failed:`, error);
      protocolError = new MockError(500, 'InternalServerError', 'The mock tenant failed to handle the request.');
    }
    if (protocolError.headers.Connection === 'close') x.closeAfter = true;
    const headers = { ...protocolError.headers };
    delete headers.Connection;
    if (protocolError.status === 405 && has('allow-header-missing')) delete headers.Allow;
    if (protocolError.status === 429 && has('retry-after-missing')) delete headers['Retry-After'];
    if (protocolError.raw) {
      send(x, protocolError.status, { ...headers, 'Content-Type': protocolError.raw.contentType }, protocolError.raw.body);
      return;
    }
    // The date is only ever shown in an error body, so it is taken when one is written.
    x.ids.date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const body = errorBody(x.api, protocolError, x.ids, {
      omitInnerError: has('error-inner-error-missing'),
      unwrapped: has('error-wrapper-missing'),
      ...(has('error-code-uniform') ? { uniformCode: 'BadRequest' } : {}),
    });
    send(x, protocolError.status, { ...headers, 'Content-Type': 'application/json; charset=utf-8' }, JSON.stringify(body));
  }

  function notFound(path: string): MockError {
    return fromAnswer(SILENT_PAGE_ANSWERS.notFound(path));
  }

  function etagHeaders(mediaEtag: string): Record<string, string> {
    if (!mediaEtag) return {};
    let etag = mediaEtag;
    if (has('etag-header-mismatch')) etag = `"${newEtag(mediaEtag.replace(/"/g, ''))}"`;
    if (has('etag-weak')) etag = `W/${etag}`;
    return { ETag: etag };
  }

  const quotedEtag = (record: PhotoRecord) => `"${has('etag-not-8-hex') ? record.etag + record.etag : record.etag}"`;

  // ---- owners ----------------------------------------------------------------------------

  interface ResolvedOwner {
    owner: PhotoOwner;
    key: string;
    store: StoreKind;
    /** only under team-photo-apart: the seed a team's own photo starts from (its group's) */
    seedKey?: string;
  }

  /** The photo a request addresses, from the one read of the map the request makes. */
  const recordOf = (resolved: ResolvedOwner, records: ReadonlyMap<string, PhotoRecord> = store.current()) =>
    records.get(resolved.key) ?? (resolved.seedKey === undefined ? undefined : store.seed(resolved.seedKey));

  function findUser(tenant: Tenant, key: string): User | undefined {
    // The Outlook API addresses users as `{id}@{tenantId}` in @odata.id; accept that form too.
    const suffix = `@${tenant.id}`.toLowerCase();
    const bare = key.toLowerCase().endsWith(suffix) ? key.slice(0, -suffix.length) : key;
    return directory.user(tenant.id, bare);
  }

  /**
   * Resolves whose photo the URL names. Returns the error instead of throwing, so authorization
   * can come first. `group` is the addressed group (a team is one), so the caller can tell
   * which of the operations listed for the path applies.
   */
  function resolveOwner(
    principal: Principal,
    tenant: Tenant,
    captures: Captures,
  ): { subject: Omit<AuthSubject, 'resource'>; resolved?: ResolvedOwner; group?: Group; error?: MockError } {
    const subject: Omit<AuthSubject, 'resource'> = { tenant, self: false };
    let user: User | undefined;
    if (captures.me) {
      if (principal.kind !== 'delegated' || !principal.userId) return { subject, error: fromAnswer(SILENT_PAGE_ANSWERS.meWithoutUser()) };
      user = directory.user(tenant.id, principal.userId);
      subject.self = true;
      if (!user) return { subject, error: fromAnswer(SILENT_PAGE_ANSWERS.userNotFound(principal.userId)) };
    } else if (captures.user !== undefined) {
      user = findUser(tenant, captures.user);
      if (!user) return { subject, error: fromAnswer(SILENT_PAGE_ANSWERS.userNotFound(captures.user)) };
      subject.self = principal.kind === 'delegated' && principal.userId?.toLowerCase() === user.id.toLowerCase();
    }
    if (user) subject.ownerUserId = user.id;

    // A team is a group: `/teams/{id}` and `/groups/{id}` name the same photo.
    const groupKey = captures.team ?? captures.group;
    if (groupKey !== undefined) {
      const group = directory.group(tenant.id, groupKey);
      if (!group || (captures.team !== undefined && !group.team)) return { subject, error: fromAnswer(SILENT_PAGE_ANSWERS.itemNotFound()) };
      subject.groupId = group.id;
      subject.resourceGrants = !group.team || has('rsc-grant-ignored')
        ? undefined
        : has('rsc-grant-everywhere')
          ? tenant.groups.flatMap((g) => g.resourceSpecificGrants ?? [])
          : group.resourceSpecificGrants;
      const kind = captures.team !== undefined ? 'team' : 'group';
      const key = photoKey.group(tenant.id, group.id);
      // The team-photo-apart fault: the team address keeps its own photo, starting as the group's seed.
      const apart = kind === 'team' && has('team-photo-apart');
      return {
        subject,
        group,
        resolved: {
          owner: { kind, tenantId: tenant.id, me: false, groupId: group.id },
          key: apart ? photoKey.teamApart(tenant.id, group.id) : key,
          store: 'mailbox',
          ...(apart ? { seedKey: key } : {}),
        },
      };
    }
    if (!user) return { subject, error: fromAnswer(SILENT_PAGE_ANSWERS.itemNotFound()) };
    if (captures.contact !== undefined) {
      const id = captures.contact.toLowerCase();
      const contact = (user.contacts ?? []).find((c) => c.id.toLowerCase() === id);
      const folderOk =
        captures.folder === undefined
          ? contact?.folder === undefined
          : contact?.folder?.toLowerCase() === captures.folder.toLowerCase();
      if (!contact || !folderOk) return { subject, error: fromAnswer(SILENT_PAGE_ANSWERS.itemNotFound()) };
      return {
        subject,
        resolved: {
          owner: { kind: 'contact', tenantId: tenant.id, me: captures.me, userId: user.id, contactId: contact.id },
          key: photoKey.contact(tenant.id, user.id, contact.id),
          store: 'mailbox',
        },
      };
    }
    // The fallback the pages describe: a user without a mailbox has a directory photo.
    return {
      subject,
      resolved: {
        owner: { kind: 'user', tenantId: tenant.id, me: captures.me, userId: user.id },
        key: photoKey.user(tenant.id, user.id),
        store: user.mailbox ? 'mailbox' : 'directory',
      },
    };
  }

  // ---- photo handlers, one factory per target --------------------------------------------

  interface PhotoRequest {
    x: Exchange;
    op: Operation;
    version: Version;
    captures: Captures;
    resolved: ResolvedOwner;
  }

  const metadataContext = (p: PhotoRequest, entity: 'photo' | 'photos'): MetadataContext => ({
    api: p.op.api,
    version: p.version,
    baseUrl: `${scheme}://${p.x.req.headers.host ?? new URL(baseUrl).host}`,
    owner: p.resolved.owner,
    entity,
  });

  const dialectOptions = () => ({
    graphCasingEverywhere: has('wrong-dialect-casing'),
    outlookCasingEverywhere: has('graph-pascal-casing'),
    omitContext: has('missing-odata-context'),
    omitOdataId: has('missing-odata-id'),
    dimensionsAsStrings: has('metadata-dimensions-as-strings'),
    graphShape: profile.graphMetadata,
  });

  /** The spec's placeholder, where the profile follows the spec and the spec gives it for this read. */
  function placeholderView(op: Operation): PhotoView | undefined {
    if (!placeholder || profile.noPhoto !== 'spec' || has('placeholder-missing')) return undefined;
    const rule = noPhotoRule.get(op.id)?.kind;
    if (rule !== 'placeholder' && !(rule === 'status' && has('no-photo-placeholder'))) return undefined;
    return placeholderOf(placeholder);
  }

  function placeholderOf(ph: NonNullable<typeof placeholder>): PhotoView {
    return {
      id: ph.id,
      width: ph.width,
      height: ph.height,
      contentType: ph.contentType,
      mediaEtag: has('placeholder-etag-not-empty') ? `"${newEtag()}"` : ph.etag,
    };
  }

  /**
   * No photo, and no placeholder for this read: the status the spec documents for it (with the
   * observed code, which the pages do not give), else the observed answer.
   */
  function noPhoto(op: Operation): MockError {
    if (profile.noPhoto !== 'spec') return fromAnswer(profile.noPhoto);
    const observed = SILENT_PAGE_ANSWERS.photoNotFound();
    const rule = noPhotoRule.get(op.id);
    if (rule?.kind === 'status') return new MockError(rule.status, rule.code ?? observed.code, observed.message);
    return fromAnswer(observed);
  }

  function unknownSizeError(): MockError {
    const a = profile.unknownSize;
    if (a === 'placeholder') return fromAnswer(SILENT_PAGE_ANSWERS.itemNotFound());
    return new MockError(a.status, a.code, a.message, {}, a.contentType === 'text/plain' ? { contentType: 'text/plain', body: a.message } : undefined);
  }

  /**
   * A size the photo does not have: the spec's placeholder where the profile says so. Apart
   * from the no-photo rule: the beta get page returns the 1x1 for a size that is not there,
   * and the size-variants requirement names every size read.
   */
  function unknownSizePlaceholder(): PhotoView {
    const v = profile.unknownSize === 'placeholder' && placeholder && !has('placeholder-missing') ? placeholderOf(placeholder) : undefined;
    if (!v) throw unknownSizeError();
    return v;
  }

  function view(record: PhotoRecord, image: StoredImage, primary: boolean): PhotoView {
    return {
      id: primary && profile.primaryId === 'default' ? 'default' : sizeId(image.width, image.height),
      width: image.width,
      height: image.height,
      contentType: has('media-type-mismatch') ? 'image/png' : 'image/jpeg',
      mediaEtag: quotedEtag(record),
    };
  }

  function sizeOf(record: PhotoRecord, requested: string | undefined): StoredImage | undefined {
    const m = /^(\d+)x(\d+)$/i.exec(requested ?? '');
    if (!m) return undefined;
    return record.sizes.get(sizeKey(Number(m[1]), Number(m[2])));
  }

  const isPlaceholderSize = (requested: string | undefined) =>
    placeholder !== undefined && (requested ?? '').toLowerCase() === placeholder.id.toLowerCase();

  /** fault stale-value-cache: the first bytes served for each photo and size since the last reset */
  const servedBytes = new Map<string, Buffer>();

  function sendImage(p: PhotoRequest, record: PhotoRecord, image: StoredImage) {
    let bytes = image.bytes;
    if (has('stale-value-cache')) {
      const key = `${p.resolved.key}|${p.captures.size ?? "photo"}`;
      bytes = servedBytes.get(key) ?? bytes;
      servedBytes.set(key, bytes);
    }
    let contentType = record.store === 'directory' ? profile.directoryValueContentType : image.contentType;
    if (has('value-content-type')) contentType = 'application/octet-stream';
    if (has('value-declared-png')) contentType = 'image/png';
    const etag = has('etag-header-missing') ? {} : etagHeaders(quotedEtag(record));
    send(p.x, 200, { 'Content-Type': contentType, 'Cache-Control': 'private', ...etag }, bytes);
  }

  function sendPlaceholderImage(p: PhotoRequest, v: PhotoView) {
    if (!placeholderBytes) throw noPhoto(p.op);
    const etag = has('etag-header-missing') ? {} : etagHeaders(v.mediaEtag);
    send(p.x, 200, { 'Content-Type': v.contentType, 'Cache-Control': 'private', ...etag }, placeholderBytes);
  }

  // One read of the map per request: the record taken is the one whose bytes and ETag are served.
  const readHandlers: Record<string, (p: PhotoRequest) => void> = {
    metadata(p) {
      const record = recordOf(p.resolved);
      if (record) {
        // A record never changes, so its metadata for one address is serialized once.
        const ctx = metadataContext(p, 'photo');
        const key = `${ctx.api}|${ctx.version}|${ctx.baseUrl}|${p.resolved.key}|${ctx.owner.me}|${ctx.owner.kind}`;
        let perRecord = metadataCache.get(record);
        if (!perRecord) metadataCache.set(record, (perRecord = new Map()));
        let cached = perRecord.get(key);
        if (!cached) {
          const v = view(record, record.primary, true);
          cached = { body: JSON.stringify(photoMetadata(ctx, v, dialectOptions())), etag: v.mediaEtag };
          if (perRecord.size < 64) perRecord.set(key, cached);
        }
        return sendJson(p.x, 200, cached.body, etagHeaders(cached.etag));
      }
      const v = placeholderView(p.op);
      if (!v) throw noPhoto(p.op);
      sendJson(p.x, 200, photoMetadata(metadataContext(p, 'photo'), v, dialectOptions()), etagHeaders(v.mediaEtag));
    },
    value(p) {
      const record = recordOf(p.resolved);
      if (record) return sendImage(p, record, record.primary);
      const v = placeholderView(p.op);
      if (!v) throw noPhoto(p.op);
      sendPlaceholderImage(p, v);
    },
    photos(p) {
      const record = recordOf(p.resolved);
      let views: PhotoView[];
      if (record) views = [...record.sizes.values()].sort((a, b) => a.width - b.width).map((image) => view(record, image, false));
      else {
        const v = placeholderView(p.op);
        if (!v) throw noPhoto(p.op);
        views = [v];
      }
      sendJson(p.x, 200, photoCollection(metadataContext(p, 'photos'), views, dialectOptions()));
    },
    photoSize(p) {
      const record = recordOf(p.resolved);
      if (!record) {
        const v = placeholderView(p.op);
        if (!v) throw noPhoto(p.op);
        const shown = isPlaceholderSize(p.captures.size) ? v : unknownSizePlaceholder();
        return sendJson(p.x, 200, photoMetadata(metadataContext(p, 'photo'), shown, dialectOptions()));
      }
      const image = has('size-metadata-segment-ignored') ? record.primary : sizeOf(record, p.captures.size);
      const v = image ? view(record, image, false) : unknownSizePlaceholder();
      sendJson(p.x, 200, photoMetadata(metadataContext(p, 'photo'), v, dialectOptions()), etagHeaders(v.mediaEtag));
    },
    photoSizeValue(p) {
      const record = recordOf(p.resolved);
      if (!record) {
        const v = placeholderView(p.op);
        if (!v) throw noPhoto(p.op);
        return sendPlaceholderImage(p, isPlaceholderSize(p.captures.size) ? v : unknownSizePlaceholder());
      }
      const image = has('size-segment-ignored') ? record.primary : sizeOf(record, p.captures.size);
      // The placeholder of a size that is not there is metadata (the beta get page); no page
      // shows its bytes. A photo of that size does not exist: the read's answer for that.
      if (!image) throw profile.unknownSize === 'placeholder' ? noPhoto(p.op) : unknownSizeError();
      sendImage(p, record, image);
    },
  };

  async function upload(p: PhotoRequest): Promise<void> {
    const { x, op } = p;
    const declared = mediaType(x.req.headers['content-type']);
    const documentedTypes = documentedUploadTypes(op);
    const accepted = [...documentedTypes, ...profile.extraUploadTypes.filter((t) => !documentedTypes.includes(t))];
    const typeAccepted = accepted.length === 0 ? declared.startsWith('image/') : accepted.includes(declared);
    if (!typeAccepted && !has('content-type-not-checked')) {
      throw fromAnswer(SILENT_PAGE_ANSWERS.unsupportedMediaType(declared || '(none)', accepted));
    }

    const documented = uploadLimit(spec, op);
    const subject = documented.subject;
    const limit = has('limit-not-enforced') ? TRANSPORT_CAP_BYTES : documented.bytes;
    const length = Number(x.req.headers['content-length'] ?? NaN);
    if (Number.isFinite(length) && length > limit && !has('limit-after-buffering')) throw tooLarge(limit, subject);
    const bytes = await readBody(x.req, {
      limit,
      subject,
      checkAfterEnd: has('limit-after-buffering'),
      onBytes: (n) => {
        stats.uploadBytesRead += n;
      },
    });
    if (bytes.length === 0) throw fromAnswer(SILENT_PAGE_ANSWERS.emptyBody());

    const records = store.current(); // captured: an upload racing a reset lands in the old map
    const previous = recordOf(p.resolved, records);
    let storeKind = p.resolved.store;
    if (storeKind === 'directory' && has('no-fallback')) throw fromAnswer(SILENT_PAGE_ANSWERS.nonExistentMailbox());
    if (storeKind === 'directory' && has('directory-dimension-lost')) storeKind = 'mailbox';
    const policy: VariantPolicy = {
      ...basePolicy,
      fit: has('cropped-not-padded') ? 'cover' : 'contain',
      leakLargest: has('leaked-largest-size'),
      dropSmallest: has('missing-size-variant'),
      skipResize: has('variant-not-resized'),
    };

    let record: PhotoRecord;
    try {
      record = await buildPhotoRecord(bytes, storeKind, policy, previous?.etag);
      if (profile.formatMustMatchContentType && typeAccepted && record.original.contentType !== declared) {
        throw new ImageRejected(`the body is ${record.original.contentType}, not ${declared}`);
      }
    } catch (error) {
      if (!(error instanceof ImageRejected)) throw error;
      if (!has('undecodable-accepted')) {
        throw new MockError(profile.notImage.status, profile.notImage.code, `${profile.notImage.message} (${error.message})`);
      }
      const raw = { bytes, width: 1, height: 1, contentType: 'image/jpeg' };
      record = Object.freeze({
        etag: newEtag(previous?.etag),
        store: storeKind,
        original: { ...raw, format: 'unknown' },
        primary: raw,
        sizes: new Map(),
        updatedAt: new Date().toISOString(),
      });
    }
    if (has('stale-etag') && previous) record = Object.freeze({ ...record, etag: previous.etag });

    if (!has('update-not-persisted')) {
      if (has('torn-write') && previous) {
        // The defect this fault stands for: metadata published first, bytes later.
        records.set(p.resolved.key, Object.freeze({ ...record, primary: previous.primary, sizes: previous.sizes }));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      records.set(p.resolved.key, record); // the one assignment that publishes the new photo
    }
    noteWrite(x, p.resolved.key, records);
    send(x, has('upload-status-204') ? 204 : successStatus(op), {});
  }

  function remove(p: PhotoRequest): void {
    const records = store.current();
    if (!records.has(p.resolved.key)) throw noPhoto(p.op);
    records.delete(p.resolved.key);
    noteWrite(p.x, p.resolved.key, records);
    send(p.x, p.op.responses.find((r) => r.status >= 200 && r.status < 300)?.status ?? 204, {});
  }

  // ---- dispatch --------------------------------------------------------------------------

  interface ResolvedPath {
    root: VersionRoot;
    match: PathMatch;
    allowed: Method[];
  }
  // Paths repeat (the same few photos are read over and over): the parse and the route match
  // are pure functions of the path, so they are kept, within a bound.
  const resolvedPaths = new Map<string, ResolvedPath | MockError>();

  function resolvePath(path: string): ResolvedPath {
    if (has('key-segment-unrouted') && path.includes('(')) throw notFound(path);
    let resolved = resolvedPaths.get(path);
    if (!resolved) {
      resolved = resolvePathUncached(path);
      if (resolvedPaths.size >= 2048) resolvedPaths.clear();
      resolvedPaths.set(path, resolved);
    }
    if (resolved instanceof MockError) throw resolved;
    return resolved;
  }

  function resolvePathUncached(path: string): ResolvedPath | MockError {
    const segments = requestSegments(path);
    if (!segments) return fromAnswer(SILENT_PAGE_ANSWERS.badPath());
    const root = versionRoot(segments);
    if (!root) return notFound(path);
    if (profile.contactSizeSegment) {
      const lower = root.rest.map((s) => s.toLowerCase());
      const photosAt = lower.indexOf('photos');
      if (lower.includes('contacts') && photosAt >= 0 && photosAt < lower.length - 1) return fromAnswer(profile.contactSizeSegment);
    }
    const match = matchPath(table, root);
    if (match.candidates.length === 0) return notFound(path);
    return { root, match, allowed: allowedMethods(spec, match) };
  }

  async function handlePhotoRoute(x: Exchange, path: string): Promise<void> {
    const { root, match, allowed } = resolvePath(path);
    x.api = root.api;
    if (has('team-route-missing') && match.candidates.some((c) => c.captures.team !== undefined)) throw notFound(path);
    const method = (x.req.method ?? 'GET').toUpperCase() as Method;
    let candidates = match.candidates.filter((c) => c.route.operation.method === method);
    if (!allowed.includes(method)) {
      const write = method === 'PUT' || method === 'PATCH';
      const servedAnyway = has('method-not-enforced') && write ? match.candidates.find((c) => c.route.operation.target === 'value' && c.route.operation.method !== 'GET') : undefined;
      if (!servedAnyway) {
        const answer = SILENT_PAGE_ANSWERS.methodNotAllowed(method);
        throw new MockError(answer.status, answer.code, answer.message, { Allow: allowed.join(', ') });
      }
      candidates = [servedAnyway];
    }
    if (candidates.length === 0) throw notFound(path);

    let principal: Principal;
    try {
      principal = await auth.authenticate(x.req, x.api);
    } catch (error) {
      if (!has('auth-not-required')) throw error;
      principal = anyAppPrincipal();
    }
    if (buckets) {
      const wait = buckets.take(principal.appId);
      if (wait > 0) throw fromAnswer(SILENT_PAGE_ANSWERS.throttled(), { 'Retry-After': String(wait) });
    }
    const tenant = directory.tenant(principal.tenantId);
    if (!tenant) throw new MockError(401, 'InvalidAuthenticationToken', 'The token names a tenant this mock does not hold.');
    // One path may list a group's and a team's operation (beta updates a team through
    // `/groups/{teamId}`): the team's applies to a group that is a team, the group's to any group.
    const captures = candidates[0]!.captures;
    const owner = resolveOwner(principal, tenant, captures);
    let error = owner.error;
    let fitting = candidates.filter((c) => c.route.operation.resource !== 'team' || owner.group?.team === true);
    if (fitting.length === 0) {
      error ??= fromAnswer(SILENT_PAGE_ANSWERS.itemNotFound());
      fitting = candidates;
    }
    fitting.sort((a, b) => Number(b.route.operation.resource === 'team') - Number(a.route.operation.resource === 'team'));
    if (has('team-update-via-group-refused') && method !== 'GET' && captures.team === undefined && owner.group?.team === true) {
      // The fault: a team's own update listed on `/groups/{teamId}` (beta) is not routed there.
      if (fitting.some((c) => c.route.operation.resource === 'team')) throw notFound(path);
    }
    // The caller may use the permissions of any operation that applies; a refusal names the first.
    let chosen: (typeof fitting)[number] | undefined;
    let refusal: AuthDecision | undefined;
    for (const c of fitting) {
      const decision = await auth.authorize(principal, c.route.operation, { ...owner.subject, resource: c.route.operation.resource });
      if (decision.outcome === 'allowed') {
        chosen = c;
        break;
      }
      refusal ??= decision;
    }
    if (!chosen && refusal && refusal.outcome !== 'allowed') {
      if (refusal.outcome === 'notSupported' && !has('personal-account-allowed')) throw refusal.error;
      if (refusal.outcome === 'forbidden' && !has('permission-not-checked')) throw refusal.error;
    }
    const candidate = chosen ?? fitting[0]!;
    const op = candidate.route.operation;
    if (tenant.kind === 'b2c' && behaviourCovers(spec, 'b2cUnsupported', op) && !has('b2c-served')) throw fromAnswer(SILENT_PAGE_ANSWERS.b2cUnsupported());
    const contact = op.resource === 'contact' || op.resource === 'contactInFolder';
    if (has('personal-contacts-refused') && principal.accountKind === 'personal' && contact) throw fromAnswer(SILENT_PAGE_ANSWERS.accessDenied());
    const resolved = owner.resolved;
    if (error || !resolved) throw error ?? notFound(path);

    const p: PhotoRequest = { x, op, version: root.version, captures: candidate.captures, resolved };
    if (method === 'GET') {
      if (resolved.store === 'directory' && has('no-read-fallback')) throw fromAnswer(SILENT_PAGE_ANSWERS.nonExistentMailbox());
      const handler = readHandlers[op.target];
      if (!handler) throw notFound(path);
      return handler(p);
    }
    if (method === 'DELETE' && op.target === 'value') return remove(p);
    if (op.target === 'value') return upload(p);
    throw notFound(path);
  }

  /** Used only by the auth-not-required fault: the request runs as the first app with its roles. */
  function anyAppPrincipal(): Principal {
    const tenant = fixture.tenants.find((t) => t.apps.length > 0);
    const app = tenant?.apps[0];
    return { tenantId: tenant?.id ?? '', kind: 'application', appId: app?.clientId ?? 'anonymous', permissions: app?.roles ?? [] };
  }

  async function handleAdmin(x: Exchange, path: string): Promise<void> {
    if (!isLoopback(x.req.socket)) throw new MockError(403, 'Forbidden', 'The admin routes answer on loopback only.');
    const method = x.req.method ?? 'GET';
    if (path === '/_mock/reset' && method === 'POST') {
      x.req.resume();
      store.reset();
      buckets?.reset();
      servedBytes.clear();
      return send(x, 204, {});
    }
    if (path === '/_mock/state' && method === 'GET') {
      // `?requests=SEQ` adds the admin log's requests after SEQ (0: all it keeps).
      const since = new URL(x.req.url ?? '/', 'http://mock').searchParams.get('requests');
      if (since === null) return sendJson(x, 200, state());
      const after = Number(since);
      if (!Number.isInteger(after) || after < 0) throw new MockError(400, 'BadRequest', 'requests= takes a sequence number (0 for every request kept).');
      return sendJson(x, 200, { ...state(), requests: requestLog.filter((r) => r.seq > after) });
    }
    if (path === '/_mock/faults' && method === 'PUT') {
      const body = await readBody(x.req, { limit: 64 * 1024 });
      let names: unknown;
      try {
        names = JSON.parse(body.toString('utf8'));
      } catch {
        throw new MockError(400, 'BadRequest', 'Send a JSON array of fault names.');
      }
      if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) throw new MockError(400, 'BadRequest', 'Send a JSON array of fault names.');
      try {
        faults = parseFaults(names);
        metadataCache = new WeakMap();
      } catch (e) {
        throw new MockError(400, 'BadRequest', (e as Error).message);
      }
      return sendJson(x, 200, { faults: [...faults] });
    }
    throw notFound(path);
  }

  function state() {
    return {
      profile: profile.name,
      faults: [...faults],
      throttle: throttle ?? null,
      tenants: fixture.tenants.map((t) => ({
        id: t.id,
        domain: t.domain,
        users: t.users.map((u) => u.userPrincipalName),
        groups: t.groups.map((g) => g.id),
        teams: t.groups.filter((g) => g.team).map((g) => g.id),
      })),
      photos: [...store.entries()].map(([key, r]) => ({
        key,
        etag: r.etag,
        store: r.store,
        original: { width: r.original.width, height: r.original.height, contentType: r.original.contentType, bytes: r.original.bytes.length, sha256: sha256(r.original.bytes) },
        /** what `/photo/$value` serves */
        served: { contentType: r.primary.contentType, bytes: r.primary.bytes.length, sha256: sha256(r.primary.bytes) },
        sizes: [...r.sizes.keys()],
        updatedAt: r.updatedAt,
      })),
      stats,
    };
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.requests++;
    const clientRequestId = req.headers['client-request-id'];
    const x: Exchange = {
      req,
      res,
      api: (req.url ?? '').toLowerCase().startsWith('/api/') ? 'outlook' : 'graph',
      closeAfter: false,
      ids: {
        requestId: randomUUID(),
        clientRequestId: typeof clientRequestId === 'string' && clientRequestId.length > 0 ? clientRequestId : randomUUID(),
        date: '',
      },
    };
    try {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const method = req.method ?? 'GET';
      const count = (route: string) => {
        const byMethod = (stats.methods[route] ??= {});
        byMethod[method] = (byMethod[method] ?? 0) + 1;
      };
      if (path.startsWith('/_mock/')) {
        count('admin');
        return await handleAdmin(x, path);
      }
      // Logged when the answer is finished; the route is the identity platform's unless the
      // auth layer passes the request on to the photo routes.
      const logged: NonNullable<Exchange['logged']> = { method, path, route: 'identity', clientRequestId: typeof clientRequestId === 'string' && clientRequestId.length > 0 };
      x.logged = logged;
      res.once('finish', () => {
        requestLog.push({ seq: ++requestSeq, ...logged, status: res.statusCode });
        if (requestLog.length >= REQUEST_LOG_MAX + 1000) requestLog.splice(0, requestLog.length - REQUEST_LOG_MAX);
      });
      if (auth.handle && (await auth.handle(req, res))) {
        count('identity');
        return;
      }
      logged.route = 'photo';
      count('photo');
      await handlePhotoRoute(x, path);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      // A body nobody read stays unread: close the connection after the answer.
      if (req.method !== 'GET' && !req.readableEnded && !(error instanceof ClientAborted)) x.closeAfter = true;
      sendError(x, error);
    }
  }

  const handler = (req: IncomingMessage, res: ServerResponse) => void onRequest(req, res);
  const server: Server = options.tls ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, handler) : createServer(handler);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  baseUrl = `${scheme}://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

  return {
    url: baseUrl,
    issuer: (tenantId) => auth.issuer(tenantId),
    tenants: fixture.tenants,
    spec,
    profile,
    faults: () => [...faults],
    setFaults(names) {
      faults = parseFaults(names);
      metadataCache = new WeakMap();
    },
    async reset() {
      store.reset();
      buckets?.reset();
      servedBytes.clear();
    },
    stats: () => structuredClone(stats),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function placeholderImage(width: number, height: number, contentType: string): Promise<Buffer> {
  const image = sharp({ create: { width, height, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } });
  const type = contentType.toLowerCase();
  if (type === 'image/gif') return image.gif().toBuffer();
  if (type === 'image/png') return image.png().toBuffer();
  return image.flatten({ background: '#ffffff' }).jpeg().toBuffer();
}
