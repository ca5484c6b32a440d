/**
 * One function per kind of check. A generated test calls `runCase(conformance, case)` with
 * the facts the spec gave it; these functions only know how to act on a target and what
 * to compare. Each records what it expected and what it observed on the exchange it
 * judged, so the report shows both next to the request and the response.
 */
import { createHash } from 'node:crypto';
import type { Ajv } from 'ajv';
import type { Api, PermissionType, Target } from '../../tools/spec/model.ts';
import type { Tenant, User } from '../../tools/tenant/model.ts';
import { operationUrl, parameterRoles, type AddressValues } from './address.ts';
import type { AddressForm, OperationFacts, Placeholder, TestCase, TokenProblem } from './case.ts';
import { retryAfterMs, type HttpResponse, type RecordedExchange, type RecordingClient, type SendOptions } from './client.ts';
import { colorFor, decodeImage, makeImage, mediaTypeOfFormat, padJpeg, sameColor, type DecodedImage } from './images.ts';
import type { ResolvedTarget } from './target.ts';
import { expiredToken, invalidTokens, signedInWorkUser, type PrincipalRequest } from './tokens.ts';
import { verify } from './verify.ts';

/**
 * The validator is loaded when a schema check first needs it: Playwright starts a new worker
 * after every failing test, and most tests (refusals, headers) never validate a body.
 */
async function loadAjv() {
  const [{ Ajv2020 }, { Ajv: Ajv07 }, formats] = await Promise.all([import('ajv/dist/2020.js'), import('ajv'), import('ajv-formats')]);
  const addFormats = ((formats as unknown as { default?: unknown }).default ?? formats) as unknown as (ajv: Ajv) => Ajv;
  return { Ajv2020, Ajv07, addFormats };
}
let ajvModules: ReturnType<typeof loadAjv> | undefined;

export interface Conformance {
  target: ResolvedTarget;
  client: RecordingClient;
  /** unique to this check in this run: request ids and photo colours derive from it */
  checkId: string;
  /** called before any state-changing request (journals a real tenant's photo) */
  beforeChange(operation: OperationFacts, url: string, principal: PrincipalRequest): Promise<void>;
}

/** A missing precondition: the check is skipped with this reason, not failed. */
export class Skip extends Error {
  override name = 'Skip';
}
const skip = (reason: string): never => {
  throw new Skip(reason);
};

// ---------------------------------------------------------------------------------------
// Who and what a request is about

type Purpose = 'withPhoto' | 'noPhoto' | 'noMailbox';

/** Resource-specific consent: permissions a resource's owner grants, named `….Group` for teams. */
const RESOURCE_SPECIFIC = /\.Group$/;

/** A team is a group: the tenant description marks which groups are teams. */
const isTeam = (group: Tenant['groups'][number]) => group.team === true;

function groupFor(tenant: Tenant, purpose: Purpose, team: boolean): string {
  const groups = tenant.groups.filter((g) => !team || isTeam(g));
  const group = purpose === 'noPhoto' ? groups.find((g) => !g.photo) : groups.find((g) => g.photo) ?? groups[0];
  const what = team ? 'team' : 'group';
  return (group ?? skip(`the tenant description has no ${what}${purpose === 'noPhoto' ? ' without a photo' : ''}`)).id;
}

function photoUser(tenant: Tenant, purpose: Purpose, signedIn: boolean): User {
  const work = tenant.users.filter((u) => u.kind === 'work' && (!signedIn || u.password));
  const pick =
    purpose === 'withPhoto'
      ? signedInWorkUser(tenant)
      : purpose === 'noPhoto'
        ? work.find((u) => u.mailbox && !u.photo)
        : work.find((u) => !u.mailbox && !u.photo) ?? work.find((u) => !u.mailbox);
  return pick ?? skip(`the tenant description has no ${signedIn ? 'signed-in ' : ''}work user ${purpose === 'withPhoto' ? 'with a photo' : purpose === 'noPhoto' ? 'with a mailbox and no photo' : 'without a mailbox'}`);
}

interface Subject {
  values: AddressValues;
  /** whose token a delegated request needs (the owner of `/me`) */
  user: User;
}

/** A personal Microsoft account that can sign in: it reaches only its own photo and contacts. */
function personalUser(target: ResolvedTarget): User {
  for (const tenant of target.tenants) {
    const user = tenant.users.find((u) => u.kind === 'personal' && u.password);
    if (user) return user;
  }
  return skip('the tenant description has no personal Microsoft account with a password');
}

function subjectFor(target: ResolvedTarget, operation: OperationFacts, purpose: Purpose, addressForm?: AddressForm, owner?: User): Subject {
  const tenant = target.tenant;
  const user = owner ?? photoUser(tenant, purpose, true);
  const values: AddressValues = {};
  for (const role of parameterRoles(operation.path)) {
    if (role === 'user') {
      const form = addressForm ?? preferredUserForm(operation);
      values.user = form === 'userPrincipalName' ? user.userPrincipalName : user.id;
    } else if (role === 'group') {
      // `/groups/{teamId}/photo` (a team's photo through its group) needs a group that is a team.
      values.group = groupFor(tenant, purpose, operation.resource === 'team');
    } else if (role === 'team') {
      values.team = groupFor(tenant, purpose, true);
    } else if (role === 'contact' || role === 'folder') {
      const inFolder = operation.resource === 'contactInFolder';
      const contacts = (user.contacts ?? []).filter((c) => (inFolder ? c.folder : !c.folder));
      const contact =
        (purpose === 'noPhoto' ? contacts.find((c) => !c.photo) : contacts.find((c) => c.photo)) ??
        contacts[0] ??
        skip(`${user.userPrincipalName} has no contact${inFolder ? ' in a contact folder' : ''} in the tenant description`);
      values.contact = contact.id;
      if (contact.folder) values.folder = contact.folder;
    } else if (role === 'size') {
      values.size = operation.sampleSize ?? skip(`the spec lists no predefined size to address ${operation.path} with`);
    }
  }
  // A team's photo is its group's: a write through `/groups/{teamId}` reads back through
  // `/teams/{teamId}`, and the reverse, so one team stands behind both roles.
  if (operation.resource === 'team') {
    const team = values.team ?? values.group ?? groupFor(tenant, purpose, true);
    values.team = team;
    values.group = team;
  }
  return { values, user };
}

/** The address form the page names first for `users/{x}` (object id unless it says otherwise). */
function preferredUserForm(operation: OperationFacts): AddressForm {
  for (const kinds of Object.values(operation.parameterKinds)) {
    const lower = kinds.map((k) => k.toLowerCase());
    if (lower.includes('id')) return 'id';
    if (lower.some((k) => /principal|upn|mail|smtp/.test(k))) return 'userPrincipalName';
  }
  return 'id';
}

function url(target: ResolvedTarget, operation: OperationFacts, values: AddressValues): string {
  return operationUrl(target.roots, operation.api, operation.version, operation.path, values);
}

const permissionOf = (operation: OperationFacts, type: PermissionType) => operation.permissions.find((p) => p.type === type);

/** `/me/...` names the signed-in user, whatever resource follows: only a delegated token has one. */
const needsSignedInUser = (operation: Pick<OperationFacts, 'path'>) => /^\/?me(\/|$)/i.test(operation.path);

/** RFC 9110 media ranges: `image/*` matches any image type; comparison ignores case. */
export function mediaTypeMatches(range: string, mediaType: string): boolean {
  const [type, subtype] = range.toLowerCase().split(';')[0]!.trim().split('/');
  const [actualType, actualSubtype] = mediaType.toLowerCase().split('/');
  if (type === '*' && subtype === '*') return Boolean(actualType && actualSubtype);
  return type === actualType && (subtype === '*' ? Boolean(actualSubtype) : subtype === actualSubtype);
}

/** The least privileged principal the spec documents for an operation. */
function defaultPrincipal(operation: OperationFacts, user: User): PrincipalRequest {
  const app = permissionOf(operation, 'application');
  const delegated = permissionOf(operation, 'delegatedWork');
  // `/me` is the signed-in user: it needs a delegated token whatever the table allows.
  if (!needsSignedInUser(operation) && app?.supported && app.permissions.length > 0) {
    return { kind: 'application', permissions: app.permissions };
  }
  if (delegated?.supported && delegated.permissions.length > 0) return { kind: 'delegatedWork', permissions: delegated.permissions, user };
  return skip(`the spec documents no permission a ${needsSignedInUser(operation) ? 'signed-in user' : 'caller'} can use for ${operation.id}`);
}

async function tokenFor(c: Conformance, api: Api, principal: PrincipalRequest): Promise<string> {
  const outcome = await c.target.tokens.get(api, principal);
  if ('unavailable' in outcome) skip(`no token for ${principal.kind} ${principal.permissions[0] ?? ''}: ${outcome.unavailable}`.replace('  ', ' '));
  return (outcome as { token: string }).token;
}

// ---------------------------------------------------------------------------------------
// Requests and judgements

async function call(
  c: Conformance,
  operation: Pick<OperationFacts, 'method' | 'api'>,
  requestUrl: string,
  token: string | undefined,
  body?: { bytes: Buffer; contentType: string | undefined },
  method = operation.method,
  transport: Pick<SendOptions, 'pauseAfterBytes' | 'pauseMs' | 'noRetry'> = {},
): Promise<HttpResponse> {
  return c.client.send({
    method,
    url: requestUrl,
    headers: {
      authorization: token === undefined ? undefined : `Bearer ${token}`,
      'content-type': body?.contentType,
      'client-request-id': `${c.checkId}-${c.client.exchanges.length}`,
    },
    body: body?.bytes,
    ...transport,
  });
}

function judge(exchange: RecordedExchange, expected: unknown, observed: unknown): void {
  exchange.expected = expected;
  exchange.observed = observed;
}

const describeStatus = (r: HttpResponse) => `${r.status}${r.errorCode ? ` ${r.errorCode}` : ''}`;

function expectStatus(r: HttpResponse, expected: number, what: string): void {
  judge(r.exchange, { status: expected }, { status: r.status, code: r.errorCode });
  verify(r.status, `${what}: expected ${expected}, got ${describeStatus(r)}`).toBe(expected);
}

function expectSuccess(r: HttpResponse, documented: number | number[] | undefined, what: string): void {
  if (Array.isArray(documented)) {
    judge(r.exchange, { status: documented.join(' or ') }, { status: r.status, code: r.errorCode });
    verify(documented.includes(r.status), `${what}: expected ${documented.join(' or ')}, got ${describeStatus(r)}`).toBe(true);
    return;
  }
  if (documented !== undefined) return expectStatus(r, documented, what);
  judge(r.exchange, { status: '2xx' }, { status: r.status, code: r.errorCode });
  verify(r.status >= 200 && r.status < 300, `${what}: expected success, got ${describeStatus(r)}`).toBe(true);
}

function expectRefused(r: HttpResponse, status: number | 'client-error', what: string): void {
  if (typeof status === 'number') return expectStatus(r, status, what);
  judge(r.exchange, { status: '4xx' }, { status: r.status, code: r.errorCode });
  verify(r.status >= 400 && r.status < 500, `${what}: expected a 4xx refusal, got ${describeStatus(r)}`).toBe(true);
}

/**
 * A refusal in the protocol's error body: `{"error": {"code", "message"}}`, Graph's with the
 * `innerError` members the facts show; the code compared exactly, never the message.
 */
function expectErrorBody(r: HttpResponse, api: Api, expected: { status?: number | undefined; code?: string | undefined; innerError?: string[] | undefined }, what: string): void {
  const error = (r.json as { error?: Record<string, unknown> } | undefined)?.error;
  const inner = error?.innerError as Record<string, unknown> | undefined;
  judge(
    r.exchange,
    { status: expected.status ?? '4xx', contentType: 'application/json', error: { code: expected.code ?? '(a string)', message: '(a string)', ...(expected.innerError ? { innerError: expected.innerError } : {}) } },
    { status: r.status, contentType: r.mediaType || null, error: error ? { code: error.code, message: typeof error.message, innerError: inner && typeof inner === 'object' ? Object.keys(inner) : null } : null },
  );
  if (expected.status !== undefined) verify(r.status, `${what}: expected ${expected.status}, got ${describeStatus(r)}`).toBe(expected.status);
  else verify(r.status >= 400 && r.status < 500, `${what}: expected a 4xx refusal, got ${describeStatus(r)}`).toBe(true);
  verify(r.mediaType, `${what}: the error body's media type`).toBe('application/json');
  verify(typeof error === 'object' && error !== null && !Array.isArray(error), `${what}: the body is {"error": {...}} (${api} error format)`).toBe(true);
  verify(typeof error!.code === 'string' && error!.code !== '', `${what}: error.code is a non-empty string`).toBe(true);
  verify(typeof error!.message, `${what}: error.message`).toBe('string');
  if (expected.code) verify(error!.code, `${what}: error.code`).toBe(expected.code);
  if (expected.innerError) {
    verify(inner !== null && typeof inner === 'object', `${what}: error.innerError is an object`).toBe(true);
    verify(expected.innerError.filter((m) => !Object.hasOwn(inner!, m)), `${what}: members error.innerError lacks`).toEqual([]);
  }
}

/** A photo's bytes: a success, an image that decodes, and a Content-Type naming the format the bytes are. */
async function expectImage(r: HttpResponse, what: string, expected: Record<string, unknown> = {}): Promise<DecodedImage> {
  const decoded = await decodeImage(r.body);
  judge(
    r.exchange,
    { status: '2xx', contentType: '(the format of the bytes)', ...expected },
    decoded
      ? { status: r.status, contentType: r.mediaType || null, format: decoded.format, width: decoded.width, height: decoded.height, color: decoded.mean, centre: decoded.centre, corner: decoded.corner }
      : { status: r.status, contentType: r.mediaType || null, body: 'not an image' },
  );
  verify(r.status, `${what} (got ${describeStatus(r)})`).toBeLessThan(300);
  verify(decoded, `${what} must decode as an image`).toBeDefined();
  const served = mediaTypeOfFormat(decoded!.format);
  verify(mediaTypeMatches(served, r.mediaType), `${what}: Content-Type ${r.mediaType || '(none)'} names the format of the bytes (${served})`).toBe(true);
  return decoded!;
}

/** Rounds of updates, and readers per round, the entity-tag check watches. */
const ETAG_ROUNDS = 3;
const ETAG_READERS = 4;

const isWrite = (operation: Pick<OperationFacts, 'method'>) => operation.method !== 'GET';

/** What a success looks like: any of the statuses the pages allow, else the one they name. */
const successOf = (operation: OperationFacts): number | number[] | undefined => operation.successStatuses ?? operation.successStatus;

function assertWritable(c: Conformance): void {
  if (c.target.writeRefusal) skip(c.target.writeRefusal);
}

/** A photo unique to this test (its colour comes from the test's id). */
async function photo(c: Conformance, size: { width: number; height: number }, salt = ''): Promise<{ bytes: Buffer; color: { r: number; g: number; b: number } }> {
  const color = colorFor(`${c.checkId}${salt}`);
  return { bytes: await makeImage({ ...size, color }), color };
}

const documentedContentType = (operation: OperationFacts) => operation.requestContentTypes[0];

async function write(
  c: Conformance,
  operation: OperationFacts,
  requestUrl: string,
  principal: PrincipalRequest,
  token: string | undefined,
  bytes: Buffer,
  contentType: string | undefined,
  method = operation.method,
  transport: { pauseAfterBytes?: number; pauseMs?: number } = {},
): Promise<HttpResponse> {
  assertWritable(c);
  await c.beforeChange(operation, requestUrl, principal);
  return call(c, operation, requestUrl, token, { bytes, contentType }, method, transport);
}

/** An over-limit upload pauses after this much of its body, and waits this long for the refusal. */
const OVER_LIMIT_PAUSE_AFTER = 256 * 1024;
const OVER_LIMIT_PAUSE_MS = 3000;

/** Performs an operation the normal way: least privileged caller, a photo if it writes. */
async function perform(
  c: Conformance,
  operation: OperationFacts,
  options: { purpose?: Purpose; addressForm?: AddressForm; principal?: PrincipalRequest } = {},
): Promise<HttpResponse> {
  const owner = options.principal?.kind === 'delegatedPersonal' ? options.principal.user : undefined;
  const subject = subjectFor(c.target, operation, options.purpose ?? 'withPhoto', options.addressForm, owner);
  const principal = options.principal ?? defaultPrincipal(operation, subject.user);
  const token = await tokenFor(c, operation.api, principal);
  const requestUrl = url(c.target, operation, subject.values);
  if (!isWrite(operation)) return call(c, operation, requestUrl, token);
  const { bytes } = await photo(c, { width: 96, height: 96 });
  return write(c, operation, requestUrl, principal, token, bytes, documentedContentType(operation) ?? 'image/jpeg');
}

// ---------------------------------------------------------------------------------------
// Reading photo metadata in either dialect

/** A member by its exact name: each dialect has its casing, and a client looks names up exactly. */
function property(json: unknown, name: string): unknown {
  if (!json || typeof json !== 'object' || !Object.hasOwn(json, name)) return undefined;
  return (json as Record<string, unknown>)[name];
}

interface PhotoMetadata {
  id: unknown;
  width: unknown;
  height: unknown;
  mediaEtag: unknown;
  mediaContentType: unknown;
}

/**
 * The photo's properties under the names the spec spells for the operation's API, compared
 * exactly: a client looks them up so. Where the spec names none, any casing is read.
 */
const metadataOf = (json: unknown, operation: Pick<OperationFacts, 'metadataNames'>): PhotoMetadata => {
  const names = operation.metadataNames;
  const named = (name: 'id' | 'width' | 'height') => (names ? property(json, names[name]) : propertyAnyCase(json, name));
  return {
    id: named('id'),
    width: named('width'),
    height: named('height'),
    mediaEtag: property(json, '@odata.mediaEtag'),
    mediaContentType: property(json, '@odata.mediaContentType'),
  };
};

function propertyAnyCase(json: unknown, name: string): unknown {
  if (!json || typeof json !== 'object') return undefined;
  const key = Object.keys(json).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : (json as Record<string, unknown>)[key];
}

const sameId = (a: unknown, b: unknown) => typeof a === 'string' && typeof b === 'string' && a.toLowerCase() === b.toLowerCase();
const square = (size: string) => Number(size.split('x')[0]);

// ---------------------------------------------------------------------------------------
// The checks

type Runner = (c: Conformance, t: TestCase) => Promise<void>;

const checks: { [K in TestCase['check']]: (c: Conformance, t: Extract<TestCase, { check: K }>) => Promise<void> } = {
  async status(c, t) {
    // Every documented form of a path is a promise: a key-segment form is addressed as written.
    const operation = t.pathForm ? { ...t.operation, path: t.pathForm } : t.operation;
    const r = await perform(c, operation, { addressForm: t.addressForm });
    expectStatus(r, t.status, `${operation.method} ${operation.path}`);
  },

  async 'response-content-type'(c, t) {
    const r = await perform(c, t.operation);
    judge(r.exchange, { contentType: t.contentType }, { status: r.status, contentType: r.headers['content-type'] ?? null });
    verify(r.status, `${t.operation.method} ${t.operation.path} must succeed before its content type means anything (got ${describeStatus(r)})`).toBeLessThan(300);
    // Media types compare case-insensitively (RFC 9110); the live directory store sends image/Jpeg.
    verify(mediaTypeMatches(t.contentType, r.mediaType), `response media type ${r.mediaType || '(none)'} is ${t.contentType}`).toBe(true);
  },

  async 'request-content-type'(c, t) {
    const subject = subjectFor(c.target, t.operation, 'withPhoto');
    const principal = defaultPrincipal(t.operation, subject.user);
    const token = await tokenFor(c, t.operation.api, principal);
    const requestUrl = url(c.target, t.operation, subject.values);
    const { bytes } = await photo(c, { width: 96, height: 96 });
    if (t.variant === 'documented') {
      const r = await write(c, t.operation, requestUrl, principal, token, bytes, t.contentType);
      return expectSuccess(r, successOf(t.operation), `${t.operation.method} with Content-Type: ${t.contentType}`);
    }
    // A media type no page allows for a photo, and no header at all.
    const contentType = t.variant === 'wrong' ? 'text/plain' : undefined;
    const r = await write(c, t.operation, requestUrl, principal, token, bytes, contentType);
    expectRefused(r, 'client-error', `${t.operation.method} with ${contentType ? `Content-Type: ${contentType}` : 'no Content-Type'}`);
  },

  async 'response-schema'(c, t) {
    const r = await perform(c, t.operation);
    verify(r.status, `${t.operation.path} must succeed (got ${describeStatus(r)})`).toBeLessThan(300);
    const validate = await compileSchema(t.schema, t.schemaName);
    const valid = validate(r.json);
    const errors = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
    judge(r.exchange, { schema: t.schemaName }, valid ? 'valid' : errors);
    verify(errors, `metadata must match the '${t.schemaName}' schema`).toEqual([]);
  },

  async auth(c, t) {
    const subject = subjectFor(c.target, t.operation, 'withPhoto');
    const principal = defaultPrincipal(t.operation, subject.user);
    const requestUrl = url(c.target, t.operation, subject.values);
    const token = t.problem === 'none' ? undefined : await badToken(c, t.operation.api, principal, t.problem);
    const body = isWrite(t.operation) ? { bytes: (await photo(c, { width: 96, height: 96 })).bytes, contentType: documentedContentType(t.operation) ?? 'image/jpeg' } : undefined;
    if (body) {
      assertWritable(c);
      await c.beforeChange(t.operation, requestUrl, principal);
    }
    const r = await call(c, t.operation, requestUrl, token, body);
    expectStatus(r, 401, `${t.operation.method} ${t.operation.path} with ${t.problem === 'none' ? 'no token' : `a ${t.problem} token`}`);
  },

  async 'method-allowed'(c, t) {
    const r = await perform(c, { ...t.operation, method: t.method });
    expectSuccess(r, successOf(t.operation), `${t.method} ${t.operation.path}`);
  },

  async 'method-refused'(c, t) {
    const subject = subjectFor(c.target, t.operation, 'withPhoto');
    const principal = defaultPrincipal(t.operation, subject.user);
    const token = await tokenFor(c, t.operation.api, principal);
    const requestUrl = url(c.target, t.operation, subject.values);
    const { bytes } = await photo(c, { width: 96, height: 96 });
    const r = await write(c, t.operation, requestUrl, principal, token, bytes, documentedContentType(t.operation) ?? 'image/jpeg', t.method);
    expectStatus(r, 405, `${t.method} ${t.operation.path} (${t.operation.api} ${t.operation.version} allows ${t.allowed.join(', ')})`);
    // RFC 9110 §15.5.6: a 405 carries Allow with the methods the resource supports; order,
    // case and further methods (GET) are the server's business.
    const allow = (r.headers.allow ?? '').split(',').map((m) => m.trim().toUpperCase()).filter(Boolean);
    judge(r.exchange, { status: 405, allow: `(lists ${t.allowed.join(', ')})` }, { status: r.status, allow: r.headers.allow ?? null });
    verify(t.allowed.filter((m) => !allow.includes(m)), `methods the Allow header of the 405 leaves out (Allow: ${r.headers.allow ?? 'absent'})`).toEqual([]);
  },

  async 'size-limit'(c, t) {
    const subject = subjectFor(c.target, t.operation, 'withPhoto');
    const principal = defaultPrincipal(t.operation, subject.user);
    const token = await tokenFor(c, t.operation.api, principal);
    const requestUrl = url(c.target, t.operation, subject.values);
    const { bytes } = await photo(c, { width: 96, height: 96 });
    // The limit is on the whole request; leave room for the request line and headers.
    const total = t.variant === 'under' ? t.maxRequestBytes - 8192 : t.maxRequestBytes + 1;
    const body = padJpeg(bytes, total);
    const send = () =>
      write(c, t.operation, requestUrl, principal, token, body, documentedContentType(t.operation) ?? 'image/jpeg', t.operation.method,
        t.variant === 'over-early' ? { pauseAfterBytes: OVER_LIMIT_PAUSE_AFTER, pauseMs: OVER_LIMIT_PAUSE_MS } : {});
    let r: HttpResponse | undefined;
    // A server that answers 413 mid-body and closes with the rest unread makes its kernel
    // reset the connection, which can discard the 413 before the client reads it. That is
    // a transport race, not the server's verdict: try again (at most four times), and say so.
    for (let attempt = 1; !r; attempt++) {
      try {
        r = await send();
      } catch (error) {
        if (t.variant !== 'under' && attempt < 5 && /EPIPE|ECONNRESET/.test((error as Error).message)) continue;
        throw error;
      }
      if (attempt > 1) r.exchange.note = `answered on attempt ${attempt}; earlier attempts ended in a connection reset before the answer was read`;
    }
    if (t.variant === 'under') return expectSuccess(r, successOf(t.operation), `a ${total}-byte photo (limit ${t.maxRequestBytes})`);
    expectRefused(r, 'client-error', `a ${total}-byte photo (limit ${t.maxRequestBytes})`);
    // A limit protects the service only if the refusal comes before the body is taken: the
    // declared Content-Length is over it, so a server need not read a byte of the body to
    // refuse. One that reads it all first (and answers 413 after) has not enforced the limit.
    if (t.variant === 'over-early') {
      const sent = r.sentBeforeAnswer ?? body.length;
      r.exchange.note = `${r.exchange.note ? `${r.exchange.note}; ` : ''}${r.sentBeforeAnswer} of ${body.length} body bytes sent when the answer began (the client paused ${OVER_LIMIT_PAUSE_MS} ms after ${OVER_LIMIT_PAUSE_AFTER})`;
      verify(sent <= OVER_LIMIT_PAUSE_AFTER, `a body declared ${body.length} bytes long is refused before it is taken (the answer came after ${sent} bytes, not during the pause after ${OVER_LIMIT_PAUSE_AFTER})`).toBe(true);
    }
  },

  async 'size-variants'(c, t) {
    const writeOp = t.write ?? skip(`the spec documents no write of a ${t.operation.resource} photo in ${t.operation.api} ${t.operation.version} to upload with`);
    const subject = subjectFor(c.target, t.operation, 'withPhoto');
    await uploadWith(c, writeOp, subject, t.upload);
    const readPrincipal = defaultPrincipal(t.operation, subject.user);
    const token = await tokenFor(c, t.operation.api, readPrincipal);
    const smaller = Math.min(t.upload.width, t.upload.height);
    const expectedSizes = t.sizes.filter((s) => square(s) <= smaller);
    const label = `after a ${t.upload.width}x${t.upload.height} upload`;
    if (t.operation.target === 'photos') {
      const r = await call(c, t.operation, url(c.target, t.operation, subject.values), token);
      verify(r.status, `${t.operation.path} ${label} (got ${describeStatus(r)})`).toBeLessThan(300);
      const listed = collectionIds(r.json, t.operation);
      judge(r.exchange, { sizes: expectedSizes }, { sizes: listed });
      verify([...listed].map((s) => s.toLowerCase()).sort(), `the sizes listed ${label}`).toEqual(expectedSizes.map((s) => s.toLowerCase()).sort());
      return;
    }
    if (expectedSizes.length === 0) skip(`no predefined size fits ${label}; the unavailable-size check covers it`);
    for (const size of expectedSizes) {
      const r = await call(c, t.operation, url(c.target, t.operation, { ...subject.values, size }), token);
      verify(r.status, `${size} ${label} (got ${describeStatus(r)})`).toBeLessThan(300);
      const side = square(size);
      if (t.operation.target === 'photoSizeValue') {
        const decoded = await expectImage(r, `${size} ${label}`, { width: side, height: side });
        verify({ width: decoded.width, height: decoded.height }, `${size} ${label}`).toEqual({ width: side, height: side });
      } else {
        const m = metadataOf(r.json, t.operation);
        judge(r.exchange, { width: side, height: side, id: size }, { width: m.width, height: m.height, id: m.id });
        verify({ width: m.width, height: m.height }, `${size} metadata ${label}`).toEqual({ width: side, height: side });
      }
    }
  },

  async 'unavailable-size'(c, t) {
    if (!t.placeholder) skip('the spec documents no behaviour for a size that does not exist');
    const writeOp = t.write ?? skip(`the spec documents no write of a ${t.operation.resource} photo in ${t.operation.api} ${t.operation.version} to upload with`);
    const subject = subjectFor(c.target, t.operation, 'withPhoto');
    const sides = t.sizes.map(square).sort((a, b) => a - b);
    // Upload below the largest predefined size; the next size up does not exist.
    const upload = sides.length >= 2 ? sides[sides.length - 2]! : skip('the spec lists fewer than two sizes');
    const missing = t.sizes.find((s) => square(s) > upload)!;
    await uploadWith(c, writeOp, subject, { width: upload, height: upload });
    const token = await tokenFor(c, t.operation.api, defaultPrincipal(t.operation, subject.user));
    const r = await call(c, t.operation, url(c.target, t.operation, { ...subject.values, size: missing }), token);
    // The pages show the placeholder of a missing size as metadata only; no page shows its
    // bytes. A media read of that size may answer the placeholder image, or that it is not found.
    if (isMediaRead(t.operation) && r.status === 404) {
      judge(r.exchange, { status: '404 or the placeholder' }, { status: r.status, code: r.errorCode });
      return;
    }
    await expectPlaceholder(r, t.operation, t.placeholder!, `${missing} after a ${upload}x${upload} upload`);
  },

  async placeholder(c, t) {
    const r = await perform(c, t.operation, { purpose: 'noPhoto' });
    await expectPlaceholder(r, t.operation, t.placeholder, 'a user who never had a photo');
  },

  async 'permission-least'(c, t) {
    // A personal account reaches its own photo and contacts: it is the subject as well as the caller.
    const personal = t.type === 'delegatedPersonal' ? personalUser(c.target) : undefined;
    const subject = subjectFor(c.target, t.operation, 'withPhoto', undefined, personal);
    if (t.type === 'application' && needsSignedInUser(t.operation)) skip('/me names the signed-in user: an app-only token has none');
    const principal: PrincipalRequest = { kind: principalKind(t.type), permissions: [t.permission], user: subject.user };
    const r = await perform(c, t.operation, { principal });
    expectSuccess(r, successOf(t.operation), `${t.operation.method} ${t.operation.path} with only ${t.permission} (${t.type})`);
    // A resource-specific permission (`….Group`, granted by one team's owner) opens only the
    // teams that granted it: on a team that did not, the same token is refused.
    if (RESOURCE_SPECIFIC.test(t.permission) && t.operation.resource === 'team') {
      const other = c.target.tenant.groups.find((g) => isTeam(g) && !(g.resourceSpecificGrants ?? []).some((grant) => grant.permissions.includes(t.permission)));
      if (!other) return;
      const token = await tokenFor(c, t.operation.api, principal);
      const requestUrl = url(c.target, t.operation, { ...subject.values, team: other.id, group: other.id });
      const refused = isWrite(t.operation)
        ? await write(c, t.operation, requestUrl, principal, token, (await photo(c, { width: 96, height: 96 })).bytes, documentedContentType(t.operation) ?? 'image/jpeg')
        : await call(c, t.operation, requestUrl, token);
      expectStatus(refused, 403, `${t.operation.method} ${t.operation.path} of a team that granted no ${t.permission}`);
    }
  },

  async 'permission-lacking'(c, t) {
    const subject = subjectFor(c.target, t.operation, 'withPhoto');
    if (t.type === 'application' && needsSignedInUser(t.operation)) skip('/me names the signed-in user: an app-only token has none');
    const kind = t.type === 'application' ? 'applicationLacking' : 'delegatedWorkLacking';
    const r = await perform(c, t.operation, { principal: { kind, permissions: t.permissions, user: subject.user } });
    expectStatus(r, 403, `${t.operation.method} ${t.operation.path} with a ${t.type} token lacking ${t.permissions.join(', ')}`);
  },

  async 'permission-unsupported'(c, t) {
    if (t.type === 'delegatedPersonal') {
      const r = await perform(c, t.operation, { principal: { kind: 'delegatedPersonal', permissions: [] } });
      return expectRefused(r, 'client-error', `${t.operation.method} ${t.operation.path} as a personal Microsoft account`);
    }
    // Not supported for this type of permission: even a token of that type holding the
    // permissions the other types name is refused.
    const named = [...new Set(t.operation.permissions.filter((p) => p.supported).flatMap((p) => p.permissions))];
    if (!named.length) skip(`the spec names no permission of ${t.operation.id} to hold in a ${t.type} token`);
    if (t.type === 'application' && needsSignedInUser(t.operation)) skip('/me names the signed-in user: an app-only token has none');
    const subject = subjectFor(c.target, t.operation, 'withPhoto');
    const principal: PrincipalRequest = { kind: principalKind(t.type), permissions: named, user: subject.user };
    const r = await perform(c, t.operation, { principal });
    expectRefused(r, 'client-error', `${t.operation.method} ${t.operation.path} with a ${t.type} token holding ${named.join(' or ')}, which the pages do not support`);
  },

  async 'round-trip'(c, t) {
    await roundTrip(c, t.operation, t.upload, t.reads, 'withPhoto', t.sizes);
  },

  async 'no-photo'(c, t) {
    const r = await perform(c, t.operation, { purpose: 'noPhoto' });
    judge(r.exchange, { status: t.status, ...(t.code ? { code: t.code } : {}) }, { status: r.status, code: r.errorCode ?? null });
    verify(r.status, `${t.operation.method} ${t.operation.path} of a photo that does not exist: expected ${t.status}, got ${describeStatus(r)}`).toBe(t.status);
    if (t.code) verify(r.errorCode, `error code of ${t.operation.path} without a photo`).toBe(t.code);
  },

  async 'response-header'(c, t) {
    const subject = subjectFor(c.target, t.operation, 'withPhoto');
    const token = await tokenFor(c, t.operation.api, defaultPrincipal(t.operation, subject.user));
    const r = await call(c, t.operation, url(c.target, t.operation, subject.values), token);
    const observed = r.headers[t.header.toLowerCase()];
    judge(r.exchange, { status: '2xx', [t.header]: t.value ?? t.pattern ?? (t.echo ? `(the request's: ${r.exchange.request.headers[t.header.toLowerCase()] ?? 'none'})` : '(present)') }, { status: r.status, [t.header]: observed ?? null });
    verify(r.status, `${t.operation.path} must succeed before its headers mean anything (got ${describeStatus(r)})`).toBeLessThan(300);
    verify(observed, `${t.header} header of ${t.operation.method} ${t.operation.path}`).toBeTruthy();
    if (t.value !== undefined) verify(observed, `${t.header} header value`).toBe(t.value);
    if (t.pattern !== undefined) verify(new RegExp(t.pattern).test(observed ?? ''), `${t.header}: ${observed} matches ${t.pattern}`).toBe(true);
    if (t.echo) {
      const sent = r.exchange.request.headers[t.header.toLowerCase()];
      verify(observed, `${t.header} answers the request's own (${sent})`).toBe(sent);
    }
    // An entity tag names a version of the photo: the one the metadata names.
    const metadataRead = t.reads.metadata;
    if (t.header.toLowerCase() === 'etag' && metadataRead) {
      const m = await call(c, metadataRead, url(c.target, metadataRead, subject.values), await tokenFor(c, metadataRead.api, defaultPrincipal(metadataRead, subject.user)));
      const mediaEtag = metadataOf(m.json, metadataRead).mediaEtag;
      judge(m.exchange, { mediaEtag: observed ?? null }, { status: m.status, mediaEtag: mediaEtag ?? null });
      verify(mediaEtag, `@odata.mediaEtag of ${metadataRead.path} equals the ETag of ${t.operation.path}`).toBe(observed);
    }
  },

  async 'media-entity'(c, t) {
    const subject = subjectFor(c.target, t.operation, 'withPhoto');
    const token = await tokenFor(c, t.operation.api, defaultPrincipal(t.operation, subject.user));
    const r = await call(c, t.operation, url(c.target, t.operation, subject.values), token);
    const m = metadataOf(r.json, t.operation);
    judge(r.exchange, { '@odata.mediaContentType': '(a media type)', '@odata.mediaEtag': '(an entity tag)' }, { status: r.status, '@odata.mediaContentType': m.mediaContentType ?? null, '@odata.mediaEtag': m.mediaEtag ?? null });
    verify(r.status, `${t.operation.path} must succeed (got ${describeStatus(r)})`).toBeLessThan(300);
    verify(typeof m.mediaContentType === 'string' && /^[\w.+-]+\/[\w.+-]+/.test(m.mediaContentType), `@odata.mediaContentType names a media type (got ${JSON.stringify(m.mediaContentType)})`).toBe(true);
    verify(typeof m.mediaEtag === 'string' && m.mediaEtag !== '', `@odata.mediaEtag of a photo that exists (got ${JSON.stringify(m.mediaEtag)})`).toBe(true);
    const valueRead = t.reads.value;
    if (!valueRead) return;
    const v = await call(c, valueRead, url(c.target, valueRead, subject.values), await tokenFor(c, valueRead.api, defaultPrincipal(valueRead, subject.user)));
    await expectImage(v, `${valueRead.path} serves the media`, { contentType: m.mediaContentType });
    verify(mediaTypeMatches(String(m.mediaContentType), v.mediaType), `$value media type ${v.mediaType} is the metadata's ${String(m.mediaContentType)}`).toBe(true);
  },

  async 'read-fallback'(c, t) {
    const writeOp = t.write ?? skip(`the spec documents no write of a ${t.operation.resource} photo in ${t.operation.api} ${t.operation.version} to give a user without a mailbox a photo`);
    await roundTrip(c, writeOp, t.upload, { [t.operation.target]: t.operation }, 'noMailbox');
  },

  async 'directory-single-photo'(c, t) {
    const writeOp = t.write ?? skip(`the spec documents no write of a ${t.operation.resource} photo in ${t.operation.api} ${t.operation.version} to give a user without a mailbox a photo`);
    const subject = subjectFor(c.target, t.operation, 'noMailbox');
    await uploadWith(c, writeOp, subject, t.upload);
    const token = await tokenFor(c, t.operation.api, defaultPrincipal(t.operation, subject.user));
    const r = await call(c, t.operation, url(c.target, t.operation, subject.values), token);
    const items = collectionItems(r.json).map((item) => metadataOf(item, t.operation));
    const observed = items.map((m) => ({ id: m.id, width: m.width, height: m.height }));
    judge(r.exchange, { status: '2xx', photos: [{ width: t.upload.width, height: t.upload.height }] }, { status: r.status, photos: observed });
    verify(r.status, `${t.operation.path} of a user without a mailbox (got ${describeStatus(r)})`).toBeLessThan(300);
    // Azure AD keeps one photo as uploaded: no predefined square size is made from it.
    verify(observed.map(({ width, height }) => ({ width, height })), 'the photos of a user without a mailbox').toEqual([{ width: t.upload.width, height: t.upload.height }]);
  },

  async 'b2c-unsupported'(c, t) {
    const b2c = c.target.tenants.find((tenant) => tenant.kind === 'b2c') ?? skip('the tenant description has no Azure AD B2C tenant to ask');
    const user = b2c.users.find((u) => u.password) ?? skip(`the B2C tenant ${b2c.domain} has no user who can sign in`);
    const principal: PrincipalRequest = { kind: 'delegatedWork', permissions: defaultPrincipal(t.operation, user).permissions, user, tenant: b2c.id };
    const token = await tokenFor(c, t.operation.api, principal);
    const values: AddressValues = {};
    for (const role of parameterRoles(t.operation.path)) if (role === 'user') values.user = user.id;
    const requestUrl = url(c.target, t.operation, values);
    const body = isWrite(t.operation) ? { bytes: (await photo(c, { width: 96, height: 96 })).bytes, contentType: documentedContentType(t.operation) ?? 'image/jpeg' } : undefined;
    if (body) {
      assertWritable(c);
      await c.beforeChange(t.operation, requestUrl, principal);
    }
    const r = await call(c, t.operation, requestUrl, token, body);
    expectRefused(r, 'client-error', `${t.operation.method} ${t.operation.path} in the Azure AD B2C tenant ${b2c.domain}`);
  },

  async 'error-body'(c, t) {
    const subject = subjectFor(c.target, t.operation, 'withPhoto');
    const requestUrl = url(c.target, t.operation, subject.values);
    let r: HttpResponse;
    let what: string;
    if (t.situation === 'unauthenticated') {
      what = 'no token';
      r = await call(c, t.operation, requestUrl, undefined);
    } else if (t.situation === 'forbidden') {
      const named = [...new Set(t.operation.permissions.filter((p) => p.supported).flatMap((p) => p.permissions))];
      const delegated = t.operation.permissions.some((p) => p.type === 'delegatedWork' && p.supported);
      const kind = delegated || needsSignedInUser(t.operation) ? 'delegatedWorkLacking' : 'applicationLacking';
      what = `a token lacking ${named.join(', ') || 'the permission'}`;
      r = await call(c, t.operation, requestUrl, await tokenFor(c, t.operation.api, { kind, permissions: named, user: subject.user }));
    } else {
      const principal = defaultPrincipal(t.operation, subject.user);
      what = 'bytes that are not an image';
      r = await write(c, t.operation, requestUrl, principal, await tokenFor(c, t.operation.api, principal), Buffer.from('this is not an image, whatever the Content-Type says'), documentedContentType(t.operation) ?? 'image/jpeg');
    }
    expectErrorBody(r, t.operation.api, { status: t.status, code: t.code, innerError: t.innerError }, `${t.operation.method} ${t.operation.path} with ${what}`);
  },

  async 'etag-consistency'(c, t) {
    const valueRead = t.reads.value ?? skip(`the spec documents no $value read of a ${t.operation.resource} photo to watch`);
    const subject = subjectFor(c.target, t.operation, 'withPhoto');
    const principal = defaultPrincipal(t.operation, subject.user);
    const token = await tokenFor(c, t.operation.api, principal);
    const readToken = await tokenFor(c, valueRead.api, defaultPrincipal(valueRead, subject.user));
    const writeUrl = url(c.target, t.operation, subject.values);
    const readUrl = url(c.target, valueRead, subject.values);
    // Which photos each entity tag was seen with; a strong tag names exactly one (RFC 9110 §8.8.1).
    const seen = new Map<string, Set<string>>();
    const observe = async () => {
      const r = await call(c, valueRead, readUrl, readToken);
      if (r.status >= 300 || !r.headers.etag) return;
      const hashes = seen.get(r.headers.etag) ?? new Set<string>();
      hashes.add(createHash('sha256').update(r.body).digest('hex'));
      seen.set(r.headers.etag, hashes);
    };
    await observe();
    let lastColor: { r: number; g: number; b: number } | undefined;
    for (let round = 0; round < ETAG_ROUNDS; round++) {
      const { bytes, color } = await photo(c, { width: 300, height: 300 }, `round ${round}`);
      lastColor = color;
      let done = false;
      const written = write(c, t.operation, writeUrl, principal, token, bytes, documentedContentType(t.operation) ?? 'image/jpeg').finally(() => {
        done = true;
      });
      const readers = Array.from({ length: ETAG_READERS }, async () => {
        while (!done) await observe();
        await observe();
      });
      expectSuccess(await written, successOf(t.operation), `${t.operation.method} ${t.operation.path} (round ${round + 1})`);
      await Promise.all(readers);
    }
    // Once the updates are done, a read serves the last photo written, not one held over.
    const last = await call(c, valueRead, readUrl, readToken);
    const final = await expectImage(last, 'the photo after the updates', { color: lastColor });
    verify(sameColor(final.mean, lastColor!), `the photo after the updates ${JSON.stringify(final.mean)} is the last one written ${JSON.stringify(lastColor)}`).toBe(true);
    const torn = [...seen].filter(([, hashes]) => hashes.size > 1).map(([etag, hashes]) => `${etag} with ${hashes.size} different photos`);
    judge(last.exchange, { torn: [], color: lastColor }, { tags: seen.size, torn, color: final.mean });
    verify(seen.size > 0, 'a $value read during the updates carried an ETag to compare').toBe(true);
    verify(torn, 'an entity tag seen with more than one photo while updates were under way').toEqual([]);
  },

  async throttling(c, t) {
    const subject = subjectFor(c.target, t.operation, 'withPhoto');
    const token = await tokenFor(c, t.operation.api, defaultPrincipal(t.operation, subject.user));
    const requestUrl = url(c.target, t.operation, subject.values);
    const answers = await Promise.all(Array.from({ length: t.burst }, () => call(c, t.operation, requestUrl, token, undefined, 'GET', { noRetry: true })));
    const throttled = answers.filter((r) => r.status === 429);
    if (!throttled.length) skip(`the target answered a burst of ${t.burst} requests without throttling any: nothing to judge`);
    const missing = throttled.filter((r) => retryAfterMs(r.headers[t.header.toLowerCase()]) === undefined);
    for (const r of throttled) judge(r.exchange, { status: 429, [t.header]: '(seconds or an HTTP date)' }, { status: r.status, [t.header]: r.headers[t.header.toLowerCase()] ?? null });
    verify(missing.length, `429 answers without a valid ${t.header} (of ${throttled.length} throttled in a burst of ${t.burst})`).toBe(0);
  },

  async 'padded-variants'(c, t) {
    const writeOp = t.write ?? skip(`the spec documents no write of a ${t.operation.resource} photo in ${t.operation.api} ${t.operation.version} to upload with`);
    if (t.upload.width === t.upload.height) skip('the probe photo is square: nothing to pad');
    const subject = subjectFor(c.target, t.operation, 'withPhoto');
    const { color } = await uploadWith(c, writeOp, subject, t.upload);
    const token = await tokenFor(c, t.operation.api, defaultPrincipal(t.operation, subject.user));
    const fits = t.sizes.filter((s) => square(s) <= Math.min(t.upload.width, t.upload.height));
    if (!fits.length) skip(`no predefined size fits a ${t.upload.width}x${t.upload.height} photo`);
    for (const size of fits) {
      const r = await call(c, t.operation, url(c.target, t.operation, { ...subject.values, size }), token);
      const decoded = await expectImage(r, `${size} of a ${t.upload.width}x${t.upload.height} photo`, { centre: color, corner: '(padding, not the photo)' });
      verify(sameColor(decoded.centre, color), `${size}: the centre ${JSON.stringify(decoded.centre)} is the uploaded ${JSON.stringify(color)}`).toBe(true);
      verify(sameColor(decoded.corner, color), `${size}: the corner is padding, not the photo cropped to a square (corner ${JSON.stringify(decoded.corner)})`).toBe(false);
    }
  },

  async 'mailbox-fallback'(c, t) {
    await roundTrip(c, t.operation, t.upload, t.reads, 'noMailbox');
  },

  async 'work-or-school-only'(c, t) {
    const r = await perform(c, t.operation, { principal: { kind: 'delegatedPersonal', permissions: [] } });
    expectRefused(r, 'client-error', `${t.operation.method} ${t.operation.path} as a personal Microsoft account`);
  },

  async 'group-application-known-issue'(c, t) {
    // The pages grant the app permission and warn of a known issue: success, or the
    // documented refusal (403), are both what a reader of the page is told to expect.
    const r = await perform(c, t.operation, { principal: { kind: 'application', permissions: [t.permission] } });
    judge(r.exchange, { status: '2xx or 403' }, { status: r.status, code: r.errorCode });
    verify(r.status < 300 || r.status === 403, `group photo with an app-only token: got ${describeStatus(r)}`).toBe(true);
  },

  async 'admin-any-user'(c, t) {
    // An app with the permission sets the photo of a user other than the signed-in one.
    const tenant = c.target.tenant;
    const signedIn = signedInWorkUser(tenant);
    const other = tenant.users.find((u) => u.kind === 'work' && u.mailbox && u.id !== signedIn?.id) ?? skip('no second work user with a mailbox');
    const principal: PrincipalRequest = { kind: 'application', permissions: [t.permission] };
    const token = await tokenFor(c, t.operation.api, principal);
    const values: AddressValues = { user: other.id };
    const requestUrl = url(c.target, t.operation, values);
    const { bytes } = await photo(c, { width: 96, height: 96 });
    const r = await write(c, t.operation, requestUrl, principal, token, bytes, documentedContentType(t.operation) ?? 'image/jpeg');
    expectSuccess(r, successOf(t.operation), `app-only ${t.permission} setting ${other.userPrincipalName}'s photo`);
  },
};

function principalKind(type: PermissionType): PrincipalRequest['kind'] {
  return type === 'application' ? 'application' : type === 'delegatedWork' ? 'delegatedWork' : 'delegatedPersonal';
}

async function badToken(c: Conformance, api: Api, principal: PrincipalRequest, problem: Exclude<TokenProblem, 'none'>): Promise<string> {
  const valid = await tokenFor(c, api, principal);
  return problem === 'expired' ? expiredToken(valid) : invalidTokens(valid)[problem];
}

const schemaCache = new Map<string, ReturnType<Ajv['compile']>>();
async function compileSchema(schema: unknown, name: string): Promise<ReturnType<Ajv['compile']>> {
  const key = JSON.stringify(schema);
  let validate = schemaCache.get(key);
  if (!validate) {
    const s = schema as { $schema?: string };
    const { Ajv2020, Ajv07, addFormats } = await (ajvModules ??= loadAjv());
    const ajv = s.$schema?.includes('2020-12') ? new Ajv2020({ allErrors: true, strict: false }) : new Ajv07({ allErrors: true, strict: false });
    addFormats(ajv as Ajv);
    try {
      validate = ajv.compile(s);
    } catch (error) {
      throw new Error(`the spec's schema '${name}' does not compile: ${(error as Error).message}`);
    }
    schemaCache.set(key, validate);
  }
  return validate;
}

function collectionItems(json: unknown): unknown[] {
  const value = property(json, 'value');
  return Array.isArray(value) ? value : [];
}

function collectionIds(json: unknown, operation: Pick<OperationFacts, 'metadataNames'>): string[] {
  return collectionItems(json).map((item) => String(metadataOf(item, operation).id ?? ''));
}

/** The placeholder is served as the read's documented success (the spec's status, not ours). */
const isMediaRead = (operation: OperationFacts) => operation.target === 'value' || operation.target === 'photoSizeValue';

async function expectPlaceholder(r: HttpResponse, operation: OperationFacts, placeholder: Placeholder, situation: string): Promise<void> {
  if (isMediaRead(operation)) {
    const decoded = await decodeImage(r.body);
    const observed = { status: r.status, contentType: r.mediaType, width: decoded?.width, height: decoded?.height, code: r.errorCode };
    judge(r.exchange, { status: operation.successStatus ?? '2xx', contentType: placeholder.contentType, width: placeholder.width, height: placeholder.height }, observed);
    expectSuccess(r, successOf(operation), `${situation}: the placeholder`);
    verify(mediaTypeMatches(placeholder.contentType, r.mediaType), `${situation}: placeholder content type ${r.mediaType} is ${placeholder.contentType}`).toBe(true);
    verify({ width: decoded?.width, height: decoded?.height }, `${situation}: placeholder dimensions`).toEqual({ width: placeholder.width, height: placeholder.height });
    return;
  }
  const m = metadataOf(r.json, operation);
  judge(
    r.exchange,
    { status: operation.successStatus ?? '2xx', id: placeholder.id, mediaContentType: placeholder.contentType, mediaEtag: placeholder.etag },
    { status: r.status, id: m.id, mediaContentType: m.mediaContentType, mediaEtag: m.mediaEtag, code: r.errorCode },
  );
  expectSuccess(r, successOf(operation), `${situation}: the placeholder metadata`);
  verify(sameId(m.id, placeholder.id), `${situation}: id ${String(m.id)} is the placeholder's ${placeholder.id}`).toBe(true);
  verify(String(m.mediaContentType).toLowerCase(), `${situation}: @odata.mediaContentType`).toBe(placeholder.contentType.toLowerCase());
  verify(m.mediaEtag, `${situation}: @odata.mediaEtag`).toBe(placeholder.etag);
}

async function uploadWith(c: Conformance, writeOp: OperationFacts, subject: Subject, size: { width: number; height: number }) {
  const principal = defaultPrincipal(writeOp, subject.user);
  const token = await tokenFor(c, writeOp.api, principal);
  const uploaded = await photo(c, size, `${size.width}x${size.height}`);
  const r = await write(c, writeOp, url(c.target, writeOp, subject.values), principal, token, uploaded.bytes, documentedContentType(writeOp) ?? 'image/jpeg');
  expectSuccess(r, successOf(writeOp), `upload of a ${size.width}x${size.height} photo`);
  return uploaded;
}

/**
 * Write a photo, then read it back through the reads the spec documents for the same
 * resource: `$value` decodes to the uploaded image, the ETag changed and the header
 * matches the metadata's `@odata.mediaEtag`.
 */
async function roundTrip(
  c: Conformance,
  operation: OperationFacts,
  upload: { width: number; height: number },
  reads: Partial<Record<Target, OperationFacts>>,
  purpose: Purpose,
  sizes: string[] = [],
): Promise<void> {
  const subject = subjectFor(c.target, operation, purpose);
  const principal = defaultPrincipal(operation, subject.user);
  const token = await tokenFor(c, operation.api, principal);
  const metadataRead = reads.metadata;
  const valueRead = reads.value;
  const readToken = async (read: OperationFacts) => tokenFor(c, read.api, defaultPrincipal(read, subject.user));
  const readUrl = (read: OperationFacts) => url(c.target, read, subject.values);

  const before = metadataRead ? await call(c, metadataRead, readUrl(metadataRead), await readToken(metadataRead)) : undefined;
  const etagBefore = before && before.status < 300 ? metadataOf(before.json, metadataRead!).mediaEtag : undefined;
  // The bytes as they were: a read-back that serves these after the write (a stale cache in
  // front of the store) is caught by the colour check below.
  if (valueRead && before && before.status < 300) await call(c, valueRead, readUrl(valueRead), await readToken(valueRead));

  const { bytes, color } = await photo(c, upload);
  const written = await write(c, operation, url(c.target, operation, subject.values), principal, token, bytes, documentedContentType(operation) ?? 'image/jpeg');
  expectSuccess(written, successOf(operation), `${operation.method} a ${upload.width}x${upload.height} JPEG`);

  if (!valueRead && !metadataRead) {
    skip(`the spec documents no read of a ${operation.resource} photo in ${operation.api} ${operation.version}; the write succeeded, the read-back is not checked (no undocumented route is invented)`);
  }
  let etagHeader: string | undefined;
  if (valueRead) {
    const r = await call(c, valueRead, readUrl(valueRead), await readToken(valueRead));
    etagHeader = r.headers.etag;
    const decoded = await expectImage(r, 'read-back of the photo', { ...upload, color });
    verify({ width: decoded.width, height: decoded.height }, 'read-back dimensions').toEqual(upload);
    verify(sameColor(decoded.mean, color), `read-back colour ${JSON.stringify(decoded.mean)} is the uploaded ${JSON.stringify(color)}`).toBe(true);
  }
  if (metadataRead) {
    const r = await call(c, metadataRead, readUrl(metadataRead), await readToken(metadataRead));
    const m = metadataOf(r.json, metadataRead);
    judge(r.exchange, { mediaEtag: etagHeader ?? '(changed)', changedFrom: etagBefore ?? null, width: upload.width, height: upload.height }, { status: r.status, mediaEtag: m.mediaEtag, width: m.width, height: m.height });
    verify(r.status, `metadata after the write (got ${describeStatus(r)})`).toBeLessThan(300);
    verify(m.mediaEtag, '@odata.mediaEtag after the write').toBeTruthy();
    if (etagBefore !== undefined && etagBefore !== '') verify(m.mediaEtag, 'the ETag changes when the photo changes').not.toBe(etagBefore);
    if (etagHeader !== undefined) verify(m.mediaEtag, 'the ETag header of $value matches @odata.mediaEtag').toBe(etagHeader);
    verify({ width: m.width, height: m.height }, 'metadata dimensions after the write').toEqual(upload);
  }
  await readBackSizes(c, reads, subject, upload, color, sizes);
}

/** After a write: the photos collection lists exactly the sizes that fit, and each size reads back. */
async function readBackSizes(
  c: Conformance,
  reads: Partial<Record<Target, OperationFacts>>,
  subject: Subject,
  upload: { width: number; height: number },
  color: { r: number; g: number; b: number },
  sizes: string[],
): Promise<void> {
  if (!sizes.length) return;
  const fits = sizes.filter((s) => square(s) <= Math.min(upload.width, upload.height));
  const token = async (read: OperationFacts) => tokenFor(c, read.api, defaultPrincipal(read, subject.user));
  if (reads.photos) {
    const r = await call(c, reads.photos, url(c.target, reads.photos, subject.values), await token(reads.photos));
    const listed = collectionIds(r.json, reads.photos);
    judge(r.exchange, { sizes: fits }, { status: r.status, sizes: listed });
    verify(r.status, `the photos collection after the write (got ${describeStatus(r)})`).toBeLessThan(300);
    verify(listed.map((s) => s.toLowerCase()).sort(), 'the sizes listed after the write').toEqual(fits.map((s) => s.toLowerCase()).sort());
  }
  for (const size of fits) {
    const side = square(size);
    const values = { ...subject.values, size };
    if (reads.photoSize) {
      const r = await call(c, reads.photoSize, url(c.target, reads.photoSize, values), await token(reads.photoSize));
      const m = metadataOf(r.json, reads.photoSize);
      judge(r.exchange, { id: size, width: side, height: side }, { status: r.status, id: m.id, width: m.width, height: m.height });
      verify(r.status, `${size} metadata after the write (got ${describeStatus(r)})`).toBeLessThan(300);
      verify({ width: m.width, height: m.height }, `${size} metadata after the write`).toEqual({ width: side, height: side });
    }
    if (reads.photoSizeValue) {
      const r = await call(c, reads.photoSizeValue, url(c.target, reads.photoSizeValue, values), await token(reads.photoSizeValue));
      const decoded = await expectImage(r, `${size} bytes after the write`, { width: side, height: side, color });
      verify({ width: decoded.width, height: decoded.height }, `${size} after the write`).toEqual({ width: side, height: side });
      verify(sameColor(decoded.mean, color), `${size} colour ${JSON.stringify(decoded.mean)} is the uploaded ${JSON.stringify(color)}`).toBe(true);
    }
  }
}

/** Runs one generated case; a missing precondition throws `Skip` with its reason. */
export async function runCase(c: Conformance, testCase: TestCase): Promise<void> {
  const unavailable = c.target.unavailableApis?.[testCase.operation.api];
  if (unavailable) skip(unavailable);
  const check = checks[testCase.check] as Runner;
  await check(c, testCase);
}
