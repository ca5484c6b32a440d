/**
 * What a spec promises, and what exported documents promise, as sets of plain strings that
 * compare set by set: operations, their key-segment path forms, permissions (with their rank,
 * and the types not supported), limits, size variants, status codes, requirements and
 * conflicts. The round trip (spec -> OpenAPI -> read back) must lose none of them.
 *
 * A document is read the way an OpenAPI tool reads it: operations from `paths`, permissions
 * from `security` and the schemes' types, sizes from the size parameter's `enum`, statuses
 * from `responses`, limits from the request body; the vendor extensions only where OpenAPI
 * has no field (a type not supported, the limit's subject, a path form as the pages wrote it).
 */
import type { Spec } from '../spec/model.ts';
import { keySegmentForms } from './openapi.ts';

export interface Contract {
  operations: Set<string>;
  pathForms: Set<string>;
  permissions: Set<string>;
  limits: Set<string>;
  sizeVariants: Set<string>;
  statuses: Set<string>;
  requirements: Set<string>;
  conflicts: Set<string>;
}

export const CONTRACT_PARTS = ['operations', 'pathForms', 'permissions', 'limits', 'sizeVariants', 'statuses', 'requirements', 'conflicts'] as const;

const emptyContract = (): Contract => ({
  operations: new Set(),
  pathForms: new Set(),
  permissions: new Set(),
  limits: new Set(),
  sizeVariants: new Set(),
  statuses: new Set(),
  requirements: new Set(),
  conflicts: new Set(),
});

export function contractOfSpec(spec: Spec): Contract {
  const c = emptyContract();
  spec.sizeVariants?.predefined.forEach((size, i) => c.sizeVariants.add(`predefined #${i + 1} ${size}`));
  for (const op of spec.operations) {
    c.operations.add(`${op.id} ${op.method} ${op.path}`);
    for (const form of keySegmentForms(op)) c.pathForms.add(`${op.id} ${form}`);
    for (const row of op.permissions) {
      if (!row.supported) c.permissions.add(`${op.id} ${row.type} not supported`);
      else if (!row.permissions.length) c.permissions.add(`${op.id} ${row.type} supported, none named`);
      row.permissions.forEach((permission, i) => row.supported && c.permissions.add(`${op.id} ${row.type} #${i + 1} ${permission}`));
    }
    if (op.maxRequestBytes !== undefined) c.limits.add(`${op.id} request ${op.maxRequestBytes}`);
    if (op.maxPhotoBytes !== undefined) c.limits.add(`${op.id} photo ${op.maxPhotoBytes}`);
    for (const p of op.parameters) {
      if (p.kinds.includes('size')) for (const size of spec.sizeVariants?.predefined ?? []) c.sizeVariants.add(`${op.id} ${p.name} ${size}`);
    }
    for (const r of op.responses) c.statuses.add(`${op.id} ${r.status}`);
  }
  for (const l of spec.limits) c.limits.add(`${l.api} ${l.version} ${l.subject ?? 'request'} ${l.maxRequestBytes}`);
  for (const r of spec.requirements) {
    c.requirements.add(`${r.id} ${r.level}`);
    const a = r.assert;
    // The statuses a requirement promises: its own, a refusal's (any 4xx where it names none),
    // and the 429 the model's throttling assertion means.
    const status =
      a.kind === 'status' || a.kind === 'no-photo' ? String(a.status) : a.kind === 'error-body' ? (a.status !== undefined ? String(a.status) : '4XX') : a.kind === 'throttling' ? '429' : undefined;
    if (status) for (const id of r.operations) c.statuses.add(`${id} ${status}`);
  }
  for (const conflict of spec.conflicts) c.conflicts.add(conflict.id);
  return c;
}

type Json = Record<string, unknown>;
const asObject = (value: unknown): Json => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** One operation of a document, as a tool finds it, with what it promises. */
export interface DocumentOperation {
  specId: string;
  method: string;
  /** the spec's path of the operation */
  path: string;
  /** a key-segment form: the path as the pages wrote it */
  writtenPath?: string;
  permissions: Set<string>;
  statuses: Set<string>;
  limits: Set<string>;
  sizes: Set<string>;
}

/** Every operation a document holds: those in `paths`, and those merged into another (`x-merged-operations`). */
export function documentOperations(document: Json): DocumentOperation[] {
  const schemes = asObject(asObject(document.components).securitySchemes);
  const typeOf = (scheme: string) => asObject(schemes[scheme])['x-permission-type'] as string | undefined;
  const out: DocumentOperation[] = [];
  const read = (path: string, method: string, object: Json, merged: boolean) => {
    const specId = String(object['x-spec-operation-id'] ?? object.operationId);
    const rows = asArray(object['x-permissions']).map(asObject);
    const permissions = new Set<string>();
    // `security` lists each supported permission alone, type by type, least privileged first.
    // An operation others were merged into lists theirs too: its own are those its table row names.
    const ranks = new Map<string, number>();
    for (const alternative of asArray(object.security).map(asObject)) {
      for (const [scheme, scopes] of Object.entries(alternative)) {
        const type = typeOf(scheme);
        if (!type) continue;
        for (const permission of asArray(scopes).map(String)) {
          const own = rows.some((r) => r.type === type && asArray(r.permissions).includes(permission));
          if (object['x-merged-operations'] !== undefined && !own) continue;
          const rank = (ranks.get(type) ?? 0) + 1;
          ranks.set(type, rank);
          permissions.add(`${specId} ${type} #${rank} ${permission}`);
        }
      }
    }
    // OpenAPI cannot say "not supported": the table row says it.
    for (const row of rows) {
      if (row.supported === false) permissions.add(`${specId} ${String(row.type)} not supported`);
      else if (!asArray(row.permissions).length) permissions.add(`${specId} ${String(row.type)} supported, none named`);
    }
    // A status another operation brought in when it was merged here is that operation's.
    const statuses = new Set(
      Object.entries(asObject(object.responses))
        // `default` is not a status: the shape of answers no page lists.
        .filter(([status, response]) => status !== 'default' && asObject(response)['x-from-merged-operation'] === undefined)
        .map(([status]) => `${specId} ${status}`),
    );
    const limits = new Set<string>();
    for (const limit of asArray(asObject(object.requestBody)['x-limits']).map(asObject)) limits.add(`${specId} ${String(limit.subject)} ${String(limit.maxBytes)}`);
    const sizes = new Set<string>();
    for (const parameter of asArray(object.parameters).map(asObject)) {
      if (!asArray(parameter['x-kinds']).includes('size')) continue;
      const name = String(parameter['x-spec-name'] ?? parameter.name);
      for (const size of asArray(asObject(parameter.schema).enum)) sizes.add(`${specId} ${name} ${String(size)}`);
    }
    const keySegment = object['x-path-form'] === 'key-segment';
    out.push({
      specId,
      method: method.toUpperCase(),
      path: merged || object['x-spec-path'] !== undefined ? String(object['x-spec-path']) : path,
      ...(keySegment ? { writtenPath: String(object['x-written-path']) } : {}),
      permissions,
      statuses,
      limits,
      sizes,
    });
  };
  for (const [path, item] of Object.entries(asObject(document.paths))) {
    for (const [method, operation] of Object.entries(asObject(item))) {
      if (!HTTP_METHODS.includes(method)) continue;
      const object = asObject(operation);
      read(path, method, object, false);
      for (const merged of asArray(object['x-merged-operations']).map(asObject)) read(path, method, merged, true);
    }
  }
  return out;
}

export function contractOfDocuments(documents: readonly Json[]): Contract {
  const c = emptyContract();
  for (const document of documents) {
    for (const op of documentOperations(document)) {
      if (op.writtenPath !== undefined) c.pathForms.add(`${op.specId} ${op.writtenPath}`);
      else c.operations.add(`${op.specId} ${op.method} ${op.path}`);
      for (const part of ['permissions', 'statuses', 'limits'] as const) for (const value of op[part]) c[part].add(value);
      for (const size of op.sizes) c.sizeVariants.add(size);
    }
    asArray(asObject(document['x-size-variants']).predefined).forEach((size, i) => c.sizeVariants.add(`predefined #${i + 1} ${String(size)}`));
    for (const limit of asArray(document['x-limits']).map(asObject)) {
      c.limits.add(`${String(limit.api)} ${String(limit.version)} ${String(limit.subject)} ${String(limit.maxBytes)}`);
    }
    for (const r of asArray(document['x-requirements']).map(asObject)) c.requirements.add(`${String(r.id)} ${String(r.level)}`);
    for (const conflict of asArray(document['x-conflicts']).map(asObject)) c.conflicts.add(String(conflict.id));
  }
  return c;
}
