/**
 * One spec operation as an OpenAPI operation: path parameters with their kinds, the request
 * body with its documented limits, responses, security, and in extensions what OpenAPI has
 * no field for (permission types not supported, the request headers the pages name, the
 * requirements, the paths as the pages wrote them, the sentences behind it all).
 */
import type { Static } from '@sinclair/typebox';
import type { Method, Operation, PathParameter, Requirement, Spec } from '../spec/model.ts';
import { kindExample, pageExample, tenantExample, type ParameterExample, type TenantExamples } from './examples.ts';
import { provenance } from './provenance.ts';
import { operationResponses, requirementRefs, type Components } from './responses.ts';
import { operationSecurity, permissionSummary, type PermissionRow, type SecurityRequirement } from './security.ts';

type PathParameterSpec = Static<typeof PathParameter>;

/** Header parameters OpenAPI ignores: the security scheme and the request body say them. */
const HEADERS_OPENAPI_IGNORES = ['authorization', 'content-type', 'accept'];

const VERB: Record<Method, string> = { GET: 'Get', PUT: 'Set', PATCH: 'Update', POST: 'Create', DELETE: 'Delete' };
const TARGET_WORDS: Record<Operation['target'], string> = {
  metadata: 'the photo metadata',
  value: 'the photo',
  photos: 'the photo sizes',
  photoSize: 'the metadata of one photo size',
  photoSizeValue: 'one photo size',
};
const RESOURCE_WORDS: Record<Operation['resource'], string> = {
  me: 'of the signed-in user',
  user: 'of a user',
  group: 'of a group',
  team: 'of a team',
  contact: 'of a contact',
  contactInFolder: 'of a contact in a contact folder',
};

export interface BuiltOperation {
  op: Operation;
  /** the OpenAPI operation object, without its operationId (assigned once the document is whole) */
  object: Record<string, unknown>;
  rows: PermissionRow[];
  security?: SecurityRequirement[];
}

/** Parameters in the order they appear in the path. */
export function parametersInPathOrder(op: Operation): PathParameterSpec[] {
  const at = (p: PathParameterSpec) => op.path.indexOf(`{${p.name}}`);
  return [...op.parameters].sort((a, b) => at(a) - at(b));
}

const EXAMPLE_SOURCE_WORDS: Record<ParameterExample['source'], string> = {
  pages: 'the pages write it',
  kind: 'no page gives a value: one of the right kind that names nothing',
  tenant: 'an object of the tenant the document was exported for',
};

function parameterObject(spec: Spec, op: Operation, p: PathParameterSpec, tenant: TenantExamples | undefined): Record<string, unknown> {
  const sizes = spec.sizeVariants?.predefined ?? [];
  const isSize = p.kinds.includes('size') && sizes.length > 0;
  const kinds = p.kinds.length ? p.kinds.join(' or ') : 'a value';
  // A size the pages write stands against any tenant (every photo has the smallest sizes).
  const page = pageExample(spec, op, p);
  const example = (isSize ? page : undefined) ?? (tenant ? tenantExample(tenant, op, p) : undefined) ?? page ?? kindExample(spec, p);
  const exampleValue = isSize && !sizes.includes(example.value) ? (sizes.find((s) => s.toLowerCase() === example.value.toLowerCase()) ?? sizes[0]!) : example.value;
  return {
    name: p.name,
    in: 'path',
    required: true,
    description: isSize
      ? `One of the predefined sizes (the pages write ${p.original}).`
      : `The ${kinds} (the pages write ${p.original}).`,
    schema: isSize ? { type: 'string', enum: [...sizes] } : { type: 'string' },
    example: exampleValue,
    'x-example-source': { from: example.source, note: EXAMPLE_SOURCE_WORDS[example.source], ...(example.writtenIn ? { writtenIn: example.writtenIn } : {}) },
    'x-kinds': [...p.kinds],
    'x-original': p.original,
  };
}

function requestBody(spec: Spec, op: Operation, requirements: readonly Requirement[]): Record<string, unknown> | undefined {
  if (!op.body || op.body.kind === 'none') return undefined;
  const contentTypeHeader = op.headers.find((h) => h.name.toLowerCase() === 'content-type')?.value?.split(/[\s;]/)[0]?.replace(/[.,]$/, '');
  const contentTypeRequirements = requirements.filter((r) => r.assert.kind === 'content-type');
  const mediaTypes = [
    ...new Set([
      ...op.body.contentTypes,
      ...contentTypeRequirements.map((r) => (r.assert.kind === 'content-type' ? r.assert.contentType : '')),
      ...(contentTypeHeader ? [contentTypeHeader] : []),
    ]),
  ].filter(Boolean);
  const undocumented = mediaTypes.length === 0;
  if (undocumented) mediaTypes.push('application/octet-stream');

  const limits: Record<string, unknown>[] = [];
  const limitOf = (subject: 'request' | 'photo', bytes: number | undefined) => {
    if (bytes === undefined) return;
    const stated = spec.limits.find((l) => l.api === op.api && l.version === op.version && (l.subject ?? 'request') === subject && l.maxRequestBytes === bytes);
    const checks = requirements.filter((r) => r.assert.kind === 'size-limit' && (r.assert.subject ?? 'request') === subject);
    limits.push({
      subject,
      maxBytes: bytes,
      ...(checks.length ? { requirements: requirementRefs(checks) } : {}),
      provenance: provenance(stated?.sources ?? []),
    });
  };
  limitOf('request', op.maxRequestBytes);
  limitOf('photo', op.maxPhotoBytes);
  // The body is the photo: it may be no longer than the smaller of the two limits.
  const maxBytes = limits.length ? Math.min(...limits.map((l) => l.maxBytes as number)) : undefined;

  const content: Record<string, unknown> = {};
  for (const mediaType of mediaTypes.sort()) {
    const checks = contentTypeRequirements.filter((r) => r.assert.kind === 'content-type' && r.assert.contentType === mediaType);
    content[mediaType] = {
      schema: { type: 'string', format: 'binary', ...(maxBytes !== undefined ? { maxLength: maxBytes } : {}) },
      ...(checks.length ? { 'x-requirements': requirementRefs(checks) } : {}),
    };
  }
  return {
    description: `The photo, in binary${maxBytes !== undefined ? `, at most ${maxBytes} bytes` : ''}.`,
    required: true,
    content,
    ...(undocumented ? { 'x-media-type-undocumented': true } : {}),
    ...(maxBytes !== undefined ? { 'x-max-bytes': maxBytes } : {}),
    ...(limits.length ? { 'x-limits': limits } : {}),
    'x-provenance': provenance(op.body.sources),
  };
}

/** The request headers the pages name, each with the requirements that check it. */
function requestHeaders(op: Operation, requirements: readonly Requirement[]): { parameters: Record<string, unknown>[]; extension: Record<string, unknown>[] } {
  const checksOf = (name: string) =>
    requirements.filter((r) => r.assert.kind === 'request-header' && r.assert.header.toLowerCase() === name.toLowerCase());
  const names = [...new Map([...op.headers.map((h) => h.name), ...requirements.flatMap((r) => (r.assert.kind === 'request-header' ? [r.assert.header] : []))].map((n) => [n.toLowerCase(), n])).values()];
  const parameters: Record<string, unknown>[] = [];
  const extension: Record<string, unknown>[] = [];
  for (const name of names) {
    const header = op.headers.find((h) => h.name.toLowerCase() === name.toLowerCase());
    const checks = checksOf(name);
    const value = header?.value ?? checks.map((r) => (r.assert.kind === 'request-header' ? r.assert.value : undefined)).find(Boolean);
    const required = header?.required ?? checks.some((r) => r.level === 'MUST');
    extension.push({
      name,
      required,
      ...(value !== undefined ? { value } : {}),
      ...(checks.length ? { requirements: requirementRefs(checks) } : {}),
      provenance: provenance(header?.sources ?? []),
    });
    if (!HEADERS_OPENAPI_IGNORES.includes(name.toLowerCase())) {
      parameters.push({ name, in: 'header', required, schema: { type: 'string', ...(value !== undefined ? { const: value } : {}) } });
    }
  }
  return { parameters, extension };
}

export function buildOperation(
  spec: Spec,
  op: Operation,
  requirements: readonly Requirement[],
  components: Components,
  conflicts: readonly string[],
  tenant?: TenantExamples,
): BuiltOperation {
  const headers = requestHeaders(op, requirements);
  // A token is needed where the pages ask for one or a refusal without one is promised.
  const needsToken =
    op.headers.some((h) => h.name.toLowerCase() === 'authorization') ||
    requirements.some((r) => (r.assert.kind === 'request-header' && r.assert.header.toLowerCase() === 'authorization') || (r.assert.kind === 'error-body' && r.assert.situation === 'unauthenticated'));
  const { security, rows } = operationSecurity(op, requirements, needsToken);
  const body = requestBody(spec, op, requirements);
  const written = op.originalPaths.filter((p) => p !== op.path);
  const description = permissionSummary(rows);

  const object: Record<string, unknown> = {
    summary: `${VERB[op.method]} ${TARGET_WORDS[op.target]} ${RESOURCE_WORDS[op.resource]}${op.method === 'PUT' || op.method === 'PATCH' ? ` (${op.method})` : ''}`,
    ...(description ? { description } : {}),
    tags: [op.resource],
    parameters: [...parametersInPathOrder(op).map((p) => parameterObject(spec, op, p, tenant)), ...headers.parameters],
    ...(body ? { requestBody: body } : {}),
    responses: operationResponses(op, requirements, components),
    ...(security ? { security } : {}),
    'x-resource': op.resource,
    'x-target': op.target,
    ...(written.length ? { 'x-original-paths': written } : {}),
    ...(op.body?.kind === 'none' ? { 'x-no-request-body': provenance(op.body.sources) } : {}),
    ...(headers.extension.length ? { 'x-request-headers': headers.extension } : {}),
    'x-permissions': rows,
    'x-requirements': requirementRefs(requirements),
    ...(conflicts.length ? { 'x-conflicts': [...conflicts] } : {}),
    'x-provenance': provenance(op.sources),
  };
  return { op, object, rows, ...(security ? { security } : {}) };
}
