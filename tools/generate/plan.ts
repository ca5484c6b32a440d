/**
 * From the spec to a plan of tests: pure, no I/O. Each requirement's assertion decides
 * which checks its operations get; every fact a check needs is copied from the spec into
 * the plan (and from there, as literals, into the generated file). Nothing here knows a
 * size, a limit, a permission, a path or a status of its own.
 */
import type { Method, Operation, Requirement, Spec } from '../spec/model.ts';
import type { CheckCase, OperationFacts, Placeholder, TokenProblem } from '../../suites/harness/case.ts';

export interface PlannedTest {
  title: string;
  tags: string[];
  annotations: { type: string; description: string }[];
  requirement: Requirement;
  /** key into the file's `operations` table */
  operationKey: string;
  /** operations the check needs besides its own (reads, writes), as keys into the table */
  related: Record<string, string>;
  check: CheckCase;
}

/** A Playwright test: checks of one requirement area and one kind, run one after another. */
export interface PlannedGroup {
  title: string;
  tests: PlannedTest[];
}

export interface PlannedFile {
  /** file name under suites/generated/ */
  name: string;
  describe: string;
  operations: Map<string, OperationFacts>;
  schemas: Map<string, unknown>;
  /** every check, in the plan's order */
  tests: PlannedTest[];
  /** the same checks as Playwright runs them */
  groups: PlannedGroup[];
}

/**
 * Most checks in one group. A failed group costs Playwright a new worker (most of a second),
 * so a server that fails one kind of check everywhere should fail few groups; a group is one
 * worker's work, so groups should stay small enough to spread over the workers.
 */
export const GROUP_MAX = 80;

const WRITE_METHODS: Method[] = ['PUT', 'PATCH', 'POST', 'DELETE'];
const isWrite = (op: Pick<Operation, 'method'>) => op.method !== 'GET';
const TOKEN_PROBLEMS: TokenProblem[] = ['none', 'malformed', 'badSignature', 'algNone', 'expired'];
/**
 * Upload dimensions that are test inputs, not facts: sides that fall between or beyond
 * the predefined sizes, and a non-square photo (which must be padded, not cropped). The
 * spec's own smallest, second largest and largest sizes are added to these.
 */
const PROBE_SIDES = [100, 1000];
const NON_SQUARE_PROBE = { width: 1000, height: 400 };
/** Requests sent at once to see how a target throttles (Outlook allows 4 concurrent per mailbox). */
const THROTTLE_BURST = 16;

export const fileNameFor = (op: Pick<Operation, 'api' | 'version'>) => `${op.api}-${op.version}.spec.ts`;

const resourceTag = (resource: Operation['resource']) => (resource === 'contactInFolder' ? 'contact' : resource);
const sideOf = (size: string) => Number(size.split(/x/i)[0]);
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function sourceOf(requirement: Requirement): string {
  const ref = requirement.sources[0]?.ref ?? '';
  return ref.replace(/:\d+$/, '');
}

function operationFacts(spec: Spec, op: Operation): OperationFacts {
  const parameterKinds: Record<string, string[]> = {};
  for (const p of op.parameters) parameterKinds[p.name] = [...p.kinds];
  const contentTypeHeader = op.headers.find((h) => h.name.toLowerCase() === 'content-type')?.value;
  const requestContentTypes =
    op.body?.contentTypes.length ? [...op.body.contentTypes] : contentTypeHeader && isWrite(op) ? [contentTypeHeader.split(/[.\s;]/)[0] ?? contentTypeHeader] : [];
  const successes = [...new Set(op.responses.filter((r) => r.status >= 200 && r.status < 300).map((r) => r.status))];
  const success = successes[0];
  const smallest = smallestSize(spec);
  const facts: OperationFacts = {
    id: op.id,
    api: op.api,
    version: op.version,
    method: op.method,
    path: op.path,
    resource: op.resource,
    target: op.target,
    parameterKinds,
    requestContentTypes,
    permissions: op.permissions.map((p) => ({ type: p.type, supported: p.supported, permissions: [...p.permissions] })),
  };
  const names = metadataNames(spec, op);
  if (names) facts.metadataNames = names;
  if (success !== undefined) facts.successStatus = success;
  if (successes.length > 1) facts.successStatuses = successes;
  if (smallest && /photos/i.test(op.path) && /\{|</.test(op.path.split(/photos/i).slice(1).join(''))) facts.sampleSize = smallest;
  return facts;
}

/**
 * The photo's property names as the spec's schemas spell them for this API (Graph `width`,
 * Outlook `Width`): the operation's own response schema first, then any schema of its API.
 */
function metadataNames(spec: Spec, op: Operation): OperationFacts['metadataNames'] {
  const own = op.responses.map((r) => r.schema).filter((k): k is string => Boolean(k));
  const ofApi = Object.keys(spec.schemas).filter((k) => k.startsWith(`${op.api}.`)).sort(byString);
  for (const key of [...new Set([...own, ...ofApi])]) {
    const properties = Object.keys(((spec.schemas[key] ?? {}) as { properties?: object }).properties ?? {});
    const find = (name: string) => properties.find((p) => p.toLowerCase() === name);
    const [id, width, height] = [find('id'), find('width'), find('height')];
    if (id && width && height) return { id, width, height };
  }
  return undefined;
}

function sortedSizes(spec: Spec): string[] {
  return [...(spec.sizeVariants?.predefined ?? [])].sort((a, b) => sideOf(a) - sideOf(b));
}
const smallestSize = (spec: Spec) => sortedSizes(spec)[0];

function placeholderOf(spec: Spec, assertion?: { id: string; contentType: string; etag: string }): Placeholder | undefined {
  const documented = spec.sizeVariants?.placeholder;
  const id = assertion?.id ?? documented?.id;
  if (id === undefined) return undefined;
  const [w, h] = id.split(/x/i).map(Number);
  return {
    id,
    width: documented?.width ?? w ?? 1,
    height: documented?.height ?? h ?? 1,
    contentType: assertion?.contentType ?? documented?.contentType ?? '',
    etag: assertion?.etag ?? documented?.etag ?? '',
  };
}

function uploadProbes(spec: Spec): { width: number; height: number }[] {
  const sides = sortedSizes(spec).map(sideOf);
  const picked = new Set<number>(PROBE_SIDES);
  if (sides.length) {
    picked.add(sides[0]!);
    picked.add(sides[sides.length - 1]!);
    if (sides.length >= 2) picked.add(sides[sides.length - 2]!);
  }
  return [...[...picked].sort((a, b) => a - b).map((s) => ({ width: s, height: s })), NON_SQUARE_PROBE];
}

/** The largest predefined size: a round-trip photo that every read serves unchanged. */
function roundTripUpload(spec: Spec): { width: number; height: number } {
  const sizes = sortedSizes(spec);
  const side = sizes.length ? sideOf(sizes[sizes.length - 1]!) : 240;
  return { width: side, height: side };
}

function readsFor(spec: Spec, op: Operation): Operation[] {
  return spec.operations.filter((o) => o.method === 'GET' && o.api === op.api && o.version === op.version && o.resource === op.resource);
}

/** One documented read per target of the same resource (the first address form the spec lists). */
function readsByTarget(spec: Spec, op: Operation, targets: readonly Operation['target'][]): Record<string, Operation> {
  const out: Record<string, Operation> = {};
  for (const read of readsFor(spec, op)) if (targets.includes(read.target) && !out[read.target]) out[read.target] = read;
  return out;
}
const ROUND_TRIP_READS = ['metadata', 'value', 'photos', 'photoSize', 'photoSizeValue'] as const;
const SIZE_TARGETS: readonly Operation['target'][] = ['photos', 'photoSize', 'photoSizeValue'];

/**
 * The documented forms of an operation's path written with OData key segments
 * (`/Users('{user_id}')/photo`, `/me/photos('{size}')`): each is a promise of its own, so each
 * gets a test. Forms with a literal id (an example's URL) are not templates and are left out.
 */
function keySegmentForms(op: Operation): string[] {
  return [...new Set(op.originalPaths.filter((p) => /\('?[{<][^)]*[}>]'?\)/.test(p) && !/^https?:/.test(p)))].sort(byString);
}

function writesFor(spec: Spec, op: Operation): Operation | undefined {
  const writes = spec.operations.filter(
    (o) => isWrite(o) && o.target === 'value' && o.api === op.api && o.version === op.version && o.resource === op.resource,
  );
  const rule = spec.methods.find((m) => m.api === op.api && m.version === op.version && m.target === 'value');
  const allowed = writes.filter((w) => !rule || rule.allowed.includes(w.method));
  return allowed.find((w) => w.method === 'PUT') ?? allowed[0];
}

/** Methods the spec names anywhere for this api and target but does not allow in this version. */
function refusedMethods(spec: Spec, op: Operation, allowed: Method[]): Method[] {
  const named = new Set<Method>();
  for (const rule of spec.methods.filter((r) => r.api === op.api && r.target === op.target)) {
    for (const m of [...rule.allowed, ...rule.fromEndpointBlocks, ...(rule.fromProse ?? [])]) named.add(m);
  }
  for (const o of spec.operations.filter((o) => o.api === op.api && o.target === op.target)) named.add(o.method);
  return [...named].filter((m) => WRITE_METHODS.includes(m) && !allowed.includes(m)).sort(byString);
}

interface Variant {
  label: string;
  check: CheckCase;
  negative?: boolean;
  writes?: boolean;
  related?: Record<string, Operation>;
}

function variantsFor(spec: Spec, requirement: Requirement, op: Operation, once: Set<string>): Variant[] {
  const a = requirement.assert;
  const writes = isWrite(op);
  const out: Variant[] = [];
  /** true the first time a requirement asks: a protocol requirement gets one test, not one per operation */
  const firstFor = (r: Requirement) => {
    const key = `protocol ${r.id}`;
    if (once.has(key)) return false;
    once.add(key);
    return true;
  };
  const onceFor = (what: string) => {
    const key = `${what} ${op.id} ${op.path}`;
    if (once.has(key)) return false;
    once.add(key);
    return true;
  };
  const authVariants = () =>
    TOKEN_PROBLEMS.map((problem) => ({
      label: problem === 'none' ? 'no token -> 401' : `${problem} token -> 401`,
      check: { check: 'auth', problem } as CheckCase,
      negative: true,
      writes,
    }));
  switch (a.kind) {
    case 'status': {
      const userKinds = op.parameters.find((p) => p.kinds.length > 1 && p.kinds.some((k) => /principal/i.test(k)))?.kinds ?? [];
      const forms = userKinds.length ? (['id', 'userPrincipalName'] as const).filter((f) => userKinds.some((k) => k.toLowerCase() === f.toLowerCase())) : [];
      if (forms.length > 1) {
        for (const form of forms) out.push({ label: `-> ${a.status} (user by ${form})`, check: { check: 'status', status: a.status, addressForm: form }, writes });
      } else {
        out.push({ label: `-> ${a.status}`, check: { check: 'status', status: a.status }, writes });
      }
      for (const pathForm of keySegmentForms(op)) {
        out.push({ label: `-> ${a.status} (addressed as ${pathForm})`, check: { check: 'status', status: a.status, pathForm }, writes });
      }
      if (writes && op.target === 'value' && onceFor('round-trip')) {
        const related = readsByTarget(spec, op, ROUND_TRIP_READS);
        const sizes = Object.keys(related).some((t) => SIZE_TARGETS.includes(t as Operation['target'])) ? sortedSizes(spec) : [];
        out.push({
          label: sizes.length ? 'round trip: read back bytes, metadata and every size, ETag changed' : 'round trip: read back, ETag changed',
          check: { check: 'round-trip', upload: roundTripUpload(spec), reads: {}, ...(sizes.length ? { sizes } : {}) },
          writes: true,
          related,
        });
      }
      break;
    }
    case 'content-type':
      if (!writes) out.push({ label: `Content-Type ${a.contentType}`, check: { check: 'response-content-type', contentType: a.contentType } });
      else out.push({ label: `Content-Type ${a.contentType} accepted`, check: { check: 'request-content-type', contentType: a.contentType, variant: 'documented' }, writes });
      break;
    case 'response-schema':
      if (!writes) out.push({ label: `payload matches schema ${a.schema}`, check: { check: 'response-schema', schemaName: a.schema, schema: null } });
      break;
    case 'request-header': {
      const header = a.header.toLowerCase();
      if (header === 'authorization' && onceFor('auth')) out.push(...authVariants());
      if (header === 'content-type' && writes) {
        const contentType = a.value?.split(/[.\s;]/)[0] || op.body?.contentTypes[0] || 'image/jpeg';
        out.push(
          { label: `Content-Type ${contentType} accepted`, check: { check: 'request-content-type', contentType, variant: 'documented' }, writes },
          { label: 'missing Content-Type refused', check: { check: 'request-content-type', contentType, variant: 'missing' }, writes, negative: true },
          { label: 'wrong Content-Type refused', check: { check: 'request-content-type', contentType, variant: 'wrong' }, writes, negative: true },
        );
      }
      break;
    }
    case 'methods':
      if (!writes) break;
      if (a.allowed.includes(op.method)) out.push({ label: `${op.method} allowed`, check: { check: 'method-allowed', method: op.method }, writes });
      if (onceFor(`refused ${op.path}`)) {
        for (const method of refusedMethods(spec, op, a.allowed)) {
          out.push({ label: `${method} refused with 405`, check: { check: 'method-refused', method, allowed: [...a.allowed] }, writes, negative: true });
        }
      }
      break;
    case 'size-limit': {
      if (!writes) break;
      const subject = a.subject ?? 'request';
      const what = subject === 'photo' ? 'a photo' : 'a request';
      const limit = { maxRequestBytes: a.maxRequestBytes, ...(a.subject ? { subject: a.subject } : {}) };
      // A photo limit above the request limit can only be checked from above: a photo just
      // under it is still over the request limit, which the request-limit tests judge.
      const underTestable = subject === 'request' || op.maxRequestBytes === undefined || op.maxRequestBytes >= a.maxRequestBytes;
      if (underTestable) out.push({ label: `${what} just under ${a.maxRequestBytes} bytes accepted`, check: { check: 'size-limit', ...limit, variant: 'under' }, writes });
      out.push({ label: `${what} just over ${a.maxRequestBytes} bytes refused`, check: { check: 'size-limit', ...limit, variant: 'over' }, writes, negative: true });
      // Enforcing a limit means not taking the body: refused on its declared length. A server
      // behind a buffering proxy fails this one alone, which its baseline can then record.
      if (subject === 'request') out.push({ label: `${what} declared over ${a.maxRequestBytes} bytes refused before its body is sent`, check: { check: 'size-limit', ...limit, variant: 'over-early' }, writes, negative: true });
      break;
    }
    case 'no-photo':
      if (writes) break;
      out.push({ label: `no photo -> ${a.status}${a.code ? ` ${a.code}` : ''}`, check: { check: 'no-photo', status: a.status, ...(a.code ? { code: a.code } : {}) }, negative: true });
      break;
    case 'response-header':
      if (writes) break;
      out.push({
        label: `${a.header} header${a.value ? ` ${a.value}` : a.pattern ? ` matches ${a.pattern}` : a.echo ? ' echoes the request' : ''}`,
        check: {
          check: 'response-header',
          header: a.header,
          ...(a.value ? { value: a.value } : {}),
          ...(a.pattern ? { pattern: a.pattern } : {}),
          ...(a.echo ? { echo: true } : {}),
          reads: {},
        },
        related: readsByTarget(spec, op, ['metadata']),
      });
      break;
    // Protocol requirements hold for every operation of a version alike: one test each, on the
    // first operation that can show it, keeps the suite's size where the pages' promises are.
    case 'error-body': {
      if (a.situation === 'not-an-image' ? !(writes && op.target === 'value') : writes) break;
      if (!firstFor(requirement)) break;
      const answer = `${a.status ?? '4xx'}${a.code ? ` ${a.code}` : ''}`;
      const what = a.situation === 'unauthenticated' ? 'no token' : a.situation === 'forbidden' ? 'a token lacking the permission' : 'bytes that are not an image';
      out.push({
        label: `${what} -> ${answer} with the error body`,
        check: {
          check: 'error-body',
          situation: a.situation,
          ...(a.status ? { status: a.status } : {}),
          ...(a.code ? { code: a.code } : {}),
          ...(a.innerError ? { innerError: [...a.innerError] } : {}),
        },
        writes,
        negative: true,
      });
      break;
    }
    case 'etag-consistency': {
      if (!(writes && op.target === 'value')) break;
      const read = readsByTarget(spec, op, ['value']).value;
      if (!read || !firstFor(requirement)) break;
      out.push({ label: 'reads during an update pair each ETag with one photo', check: { check: 'etag-consistency', reads: {} }, writes: true, related: { value: read } });
      break;
    }
    case 'throttling':
      if (writes || !firstFor(requirement)) break;
      out.push({ label: `a burst of ${THROTTLE_BURST} requests: every 429 carries ${a.header}`, check: { check: 'throttling', header: a.header, burst: THROTTLE_BURST } });
      break;
    case 'padded-variants': {
      if (writes || op.target !== 'photoSizeValue') break;
      const write = writesFor(spec, op);
      out.push({
        label: `a ${NON_SQUARE_PROBE.width}x${NON_SQUARE_PROBE.height} upload is padded into each size`,
        check: { check: 'padded-variants', sizes: sortedSizes(spec), upload: NON_SQUARE_PROBE },
        writes: true,
        related: write ? { write } : {},
      });
      break;
    }
    case 'media-entity':
      if (writes || op.target !== 'metadata') break;
      out.push({ label: 'names the media that $value serves', check: { check: 'media-entity', reads: {} }, related: readsByTarget(spec, op, ['value']) });
      break;
    case 'size-variants': {
      if (writes) break;
      const write = writesFor(spec, op);
      if (!['photos', 'photoSize', 'photoSizeValue'].includes(op.target)) break;
      for (const upload of uploadProbes(spec)) {
        out.push({
          label: `after a ${upload.width}x${upload.height} upload`,
          check: { check: 'size-variants', sizes: [...a.sizes], upload },
          writes: true,
          related: write ? { write } : {},
        });
      }
      if (op.target !== 'photos') {
        const placeholder = placeholderOf(spec);
        out.push({
          label: 'a size larger than the upload',
          check: { check: 'unavailable-size', sizes: [...a.sizes], ...(placeholder ? { placeholder } : {}) },
          writes: true,
          related: write ? { write } : {},
        });
      }
      break;
    }
    case 'placeholder': {
      if (writes || op.target === 'photos') break;
      const placeholder = placeholderOf(spec, a);
      if (placeholder) out.push({ label: `no photo -> placeholder ${a.id}`, check: { check: 'placeholder', placeholder } });
      break;
    }
    case 'permission': {
      // `/me` is the signed-in user: an app-only token names nobody there, so a table row of
      // application permissions applies to the operation's other address forms, not to `/me`.
      const meWithAppToken = a.type === 'application' && /^\/?me(\/|$)/i.test(op.path);
      if (!meWithAppToken && a.supported && a.permissions.length > 0) {
        out.push(
          { label: `${a.type} ${a.permissions[0]} (least privileged) works`, check: { check: 'permission-least', type: a.type, permission: a.permissions[0]! }, writes },
          { label: `${a.type} lacking ${a.permissions.join('/')} -> 403`, check: { check: 'permission-lacking', type: a.type, permissions: [...a.permissions] }, writes, negative: true },
        );
      } else if (!meWithAppToken && !a.supported) {
        out.push({ label: `${a.type} not supported -> refused`, check: { check: 'permission-unsupported', type: a.type }, writes, negative: true });
      }
      // No Authorization requirement for this operation: the 401 checks belong to its permissions.
      const hasAuthRequirement = spec.requirements.some(
        (r) => r.assert.kind === 'request-header' && r.assert.header.toLowerCase() === 'authorization' && r.operations.includes(op.id),
      );
      if (!hasAuthRequirement && onceFor('auth')) out.push(...authVariants());
      break;
    }
    case 'behaviour':
      switch (a.behaviour) {
        case 'mailboxFallback':
          if (writes && (op.resource === 'user' || op.resource === 'me')) {
            const reads = readsFor(spec, op);
            const related = Object.fromEntries(reads.filter((r) => r.target === 'metadata' || r.target === 'value').map((r) => [r.target, r]));
            out.push({ label: 'user without a mailbox: update kept, read back', check: { check: 'mailbox-fallback', upload: NON_SQUARE_PROBE, reads: {} }, writes: true, related });
          }
          break;
        case 'readFallback':
          if (!writes && (op.resource === 'user' || op.resource === 'me') && (op.target === 'metadata' || op.target === 'value')) {
            const write = writesFor(spec, op);
            out.push({ label: 'user without a mailbox: read from Azure AD', check: { check: 'read-fallback', upload: NON_SQUARE_PROBE }, writes: Boolean(write), ...(write ? { related: { write } } : {}) });
          }
          break;
        case 'exchangeOnlySizes':
          if (!writes && (op.resource === 'user' || op.resource === 'me') && op.target === 'photos') {
            const write = writesFor(spec, op);
            out.push({
              label: 'user without a mailbox: one photo, any dimension',
              check: { check: 'directory-single-photo', upload: NON_SQUARE_PROBE, sizes: sortedSizes(spec) },
              writes: Boolean(write),
              ...(write ? { related: { write } } : {}),
            });
          }
          break;
        case 'b2cUnsupported':
          // One refusal per api, version and method is the claim; every route would repeat it.
          if (!once.has(`b2c ${op.api} ${op.version} ${op.method}`) && once.add(`b2c ${op.api} ${op.version} ${op.method}`)) out.push({ label: 'Azure AD B2C tenant refused', check: { check: 'b2c-unsupported' }, writes, negative: true });
          break;
        case 'workOrSchoolOnly':
          out.push({ label: 'personal account refused', check: { check: 'work-or-school-only' }, writes, negative: true });
          break;
        case 'groupApplicationKnownIssue': {
          const permission = op.permissions.find((p) => p.type === 'application' && p.supported)?.permissions[0];
          if (op.resource === 'group' && permission) out.push({ label: `app-only ${permission}: success or 403`, check: { check: 'group-application-known-issue', permission }, writes });
          break;
        }
        case 'adminAnyUser': {
          const permission = op.permissions.find((p) => p.type === 'application' && p.supported)?.permissions[0];
          if (op.resource === 'user' && writes && permission) out.push({ label: `app-only ${permission} sets another user's photo`, check: { check: 'admin-any-user', permission }, writes: true });
          break;
        }
      }
      break;
  }
  return out;
}

function operationKey(op: Operation, spec: Spec): string {
  // Operation ids should be unique; when a spec repeats one (two address forms), keep both apart.
  const same = spec.operations.filter((o) => o.id === op.id);
  return same.length > 1 ? `${op.id}#${same.indexOf(op) + 1}` : op.id;
}

export function planSuite(spec: Spec): PlannedFile[] {
  const files = new Map<string, PlannedFile>();
  const opsById = new Map<string, Operation[]>();
  spec.operations.forEach((op) => opsById.set(op.id, [...(opsById.get(op.id) ?? []), op]));
  const keyOf = new Map<Operation, string>(spec.operations.map((op) => [op, operationKey(op, spec)]));
  const once = new Set<string>();
  const requirements = [...spec.requirements].sort((a, b) => byString(a.id, b.id));

  for (const requirement of requirements) {
    const operations = [...new Set(requirement.operations)].sort(byString).flatMap((id) => opsById.get(id) ?? []);
    for (const op of operations) {
      const name = fileNameFor(op);
      let file = files.get(name);
      if (!file) {
        file = { name, describe: `${op.api} ${op.version}`, operations: new Map(), schemas: new Map(), tests: [], groups: [] };
        files.set(name, file);
      }
      for (const variant of variantsFor(spec, requirement, op, once)) {
        const ownKey = keyOf.get(op)!;
        file.operations.set(ownKey, operationFacts(spec, op));
        const related: Record<string, string> = {};
        for (const [role, relatedOp] of Object.entries(variant.related ?? {})) {
          const key = keyOf.get(relatedOp)!;
          file.operations.set(key, operationFacts(spec, relatedOp));
          related[role] = key;
        }
        if (variant.check.check === 'response-schema') file.schemas.set(variant.check.schemaName, spec.schemas[variant.check.schemaName] ?? null);
        const tags = [
          `@${op.api}`,
          `@${op.version}`,
          `@${resourceTag(op.resource)}`,
          `@${requirement.area}`,
          ...(variant.negative ? ['@negative'] : []),
          `@${requirement.level.toLowerCase()}`,
          ...(variant.writes ? ['@writes'] : []),
        ];
        file.tests.push({
          title: `${requirement.id} ${op.method} ${op.path}: ${variant.label}`,
          tags: [...new Set(tags)],
          annotations: [
            { type: 'requirement', description: requirement.id },
            { type: 'level', description: requirement.level },
            { type: 'area', description: requirement.area },
            { type: 'source', description: sourceOf(requirement) },
            { type: 'operation', description: op.id },
          ],
          requirement,
          operationKey: ownKey,
          related,
          check: variant.check,
        });
      }
    }
  }
  // Titles are unique within a file (Playwright requires it); a repeat gets a counter.
  for (const file of files.values()) {
    const seen = new Map<string, number>();
    for (const test of file.tests) {
      const n = (seen.get(test.title) ?? 0) + 1;
      seen.set(test.title, n);
      if (n > 1) test.title = `${test.title} (${n})`;
    }
    file.groups = groupTests(file);
  }
  return [...files.values()].sort((a, b) => byString(a.name, b.name));
}

/**
 * The file's checks in groups: by requirement area, then kind of check (in name order; checks
 * in the plan's order within), a group over GROUP_MAX split evenly. A server that breaks one
 * behaviour tends to break one kind of check on every operation: grouped by kind, it fails
 * one group per file, where grouped by operation or resource it would fail most of them.
 */
export function groupTests(file: Pick<PlannedFile, 'tests'>): PlannedGroup[] {
  const byKey = new Map<string, PlannedTest[]>();
  for (const test of file.tests) {
    const key = `${test.requirement.area}: ${test.check.check}`;
    byKey.set(key, [...(byKey.get(key) ?? []), test]);
  }
  const groups: PlannedGroup[] = [];
  for (const [key, tests] of [...byKey].sort(([a], [b]) => byString(a, b))) {
    const parts = Math.ceil(tests.length / GROUP_MAX);
    const size = Math.ceil(tests.length / parts);
    for (let i = 0; i < parts; i++) {
      groups.push({ title: parts > 1 ? `${key} (${i + 1} of ${parts})` : key, tests: tests.slice(i * size, (i + 1) * size) });
    }
  }
  return groups;
}

