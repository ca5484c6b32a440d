/**
 * Loading the tenant fixture: YAML in, a validated `TenantFixture` out. The schema check is
 * ajv over the TypeBox model (so the model stays the one definition); the checks a schema
 * cannot express (unique ids, contact folders that exist, personal accounts in the consumer
 * tenant) follow. Every problem names the file, the line and the JSON path.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { isMap, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { TenantFixture } from './model.ts';

export const DEFAULT_TENANT_PATH = resolve(dirname(fileURLToPath(import.meta.url)), 'default-tenant.yaml');

/** The identity platform's fixed tenant for personal Microsoft accounts (the `tid` of MSA tokens). */
export const CONSUMER_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Contact and folder ids appear as one URL path segment.
const PATH_SEGMENT_ID = /^[A-Za-z0-9._=-]+$/;

export interface FixtureProblem {
  /** JSON pointer into the fixture, e.g. /tenants/0/users/2/mailbox; none for the file itself */
  path?: string;
  line?: number;
  column?: number;
  message: string;
}

export class TenantFixtureError extends Error {
  constructor(
    readonly file: string,
    readonly problems: FixtureProblem[],
  ) {
    super(
      problems
        // A problem of the file itself (not found, unreadable) has no place in it to name.
        .map((p) => `${file}${p.line ? `:${p.line}:${p.column ?? 1}` : ''}: ${p.path === undefined ? '' : `${p.path || '/'} `}${p.message}`)
        .join('\n'),
    );
    this.name = 'TenantFixtureError';
  }
}

let validator: ValidateFunction | undefined;
function fixtureValidator(): ValidateFunction {
  validator ??= new Ajv({ allErrors: true, strict: false }).compile(TenantFixture);
  return validator;
}

/** Where a JSON pointer lands in the YAML source, so a person can jump to it. */
function locate(doc: Document, lines: LineCounter, pointer: string): { line?: number; column?: number } {
  const keys = pointer
    .split('/')
    .slice(1)
    .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((k) => (/^\d+$/.test(k) ? Number(k) : k));
  // Walk down as far as the path exists: a missing property is reported at its parent.
  let node: unknown = doc.contents;
  for (const key of keys) {
    const next = isMap(node) || isSeq(node) ? node.get(key, true) : undefined;
    if (next === undefined || next === null) break;
    node = next;
  }
  const range = (node as { range?: [number, number, number] } | null)?.range;
  if (!range) return {};
  const { line, col } = lines.linePos(range[0]);
  return { line, column: col };
}

function describeAjvError(e: ErrorObject): string {
  if (e.keyword === 'additionalProperties') {
    return `has an unknown property '${(e.params as { additionalProperty: string }).additionalProperty}'`;
  }
  if (e.keyword === 'required') return `is missing '${(e.params as { missingProperty: string }).missingProperty}'`;
  return e.message ?? 'is invalid';
}

/** Checks beyond the schema. Returns problems; an empty list means the fixture is usable. */
export function fixtureConsistencyProblems(fixture: TenantFixture): FixtureProblem[] {
  const problems: FixtureProblem[] = [];
  const seen = (scope: Map<string, string>, key: string, path: string, what: string) => {
    const first = scope.get(key.toLowerCase());
    if (first) problems.push({ path, message: `${what} '${key}' is already used at ${first}` });
    else scope.set(key.toLowerCase(), path);
  };
  const tenantIds = new Map<string, string>();
  const domains = new Map<string, string>();
  // Object ids are unique across the whole fixture so that a path like /users/{id} is never ambiguous.
  const objectIds = new Map<string, string>();
  fixture.tenants.forEach((tenant, t) => {
    const tp = `/tenants/${t}`;
    if (!GUID.test(tenant.id)) problems.push({ path: `${tp}/id`, message: 'must be a GUID (the tid claim)' });
    seen(tenantIds, tenant.id, `${tp}/id`, 'tenant id');
    seen(domains, tenant.domain, `${tp}/domain`, 'domain');
    const upns = new Map<string, string>();
    tenant.users.forEach((user, u) => {
      const up = `${tp}/users/${u}`;
      if (!GUID.test(user.id)) problems.push({ path: `${up}/id`, message: 'must be a GUID (the oid claim)' });
      seen(objectIds, user.id, `${up}/id`, 'object id');
      seen(upns, user.userPrincipalName, `${up}/userPrincipalName`, 'userPrincipalName');
      const consumer = tenant.id.toLowerCase() === CONSUMER_TENANT_ID;
      if (user.kind === 'personal' && !consumer) {
        problems.push({ path: `${up}/kind`, message: `personal accounts belong in the consumer tenant ${CONSUMER_TENANT_ID}` });
      }
      if (user.kind === 'work' && consumer) {
        problems.push({ path: `${up}/kind`, message: 'the consumer tenant holds personal accounts only' });
      }
      const folders = new Map<string, string>();
      user.contactFolders?.forEach((folder, f) => {
        const fp = `${up}/contactFolders/${f}/id`;
        if (!PATH_SEGMENT_ID.test(folder.id)) problems.push({ path: fp, message: 'must be a URL-safe id' });
        seen(folders, folder.id, fp, 'contact folder id');
      });
      const contacts = new Map<string, string>();
      user.contacts?.forEach((contact, c) => {
        const cp = `${up}/contacts/${c}`;
        if (!PATH_SEGMENT_ID.test(contact.id)) problems.push({ path: `${cp}/id`, message: 'must be a URL-safe id' });
        seen(contacts, contact.id, `${cp}/id`, 'contact id');
        if (contact.folder !== undefined && !folders.has(contact.folder.toLowerCase())) {
          problems.push({ path: `${cp}/folder`, message: `names contact folder '${contact.folder}', which this user does not have` });
        }
      });
    });
    if (tenant.kind === 'b2c' && tenant.id.toLowerCase() === CONSUMER_TENANT_ID) {
      problems.push({ path: `${tp}/kind`, message: 'the consumer tenant is not an Azure AD B2C tenant' });
    }
    const appsById = new Map(tenant.apps.map((app) => [app.clientId.toLowerCase(), app]));
    tenant.groups.forEach((group, g) => {
      const gp = `${tp}/groups/${g}`;
      if (!GUID.test(group.id)) problems.push({ path: `${gp}/id`, message: 'must be a GUID' });
      seen(objectIds, group.id, `${gp}/id`, 'object id');
      // Resource-specific consent is given on a team, to an app that asks for the permission.
      if (group.resourceSpecificGrants && !group.team) {
        problems.push({ path: `${gp}/resourceSpecificGrants`, message: 'is granted on a team only: set team: true' });
      }
      group.resourceSpecificGrants?.forEach((grant, r) => {
        const rp = `${gp}/resourceSpecificGrants/${r}`;
        const app = appsById.get(grant.clientId.toLowerCase());
        if (!app) {
          problems.push({ path: `${rp}/clientId`, message: `names app '${grant.clientId}', which this tenant does not have` });
          return;
        }
        const asked = new Set([...app.roles, ...app.scopes].map((p) => p.toLowerCase()));
        grant.permissions.forEach((permission, i) => {
          if (!asked.has(permission.toLowerCase())) {
            problems.push({ path: `${rp}/permissions/${i}`, message: `'${permission}' is not among the roles or scopes of app '${grant.clientId}'` });
          }
        });
      });
    });
    // A client id may repeat across tenants (one multi-tenant registration, consented per tenant).
    const clientIds = new Map<string, string>();
    tenant.apps.forEach((app, a) => {
      const ap = `${tp}/apps/${a}/clientId`;
      if (!GUID.test(app.clientId)) problems.push({ path: ap, message: 'must be a GUID (the appid claim)' });
      seen(clientIds, app.clientId, ap, 'client id');
    });
  });
  return problems;
}

/** Parses and validates fixture text; `file` is used in messages only. */
export function parseTenantFixture(text: string, file = '<tenant fixture>'): TenantFixture {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new TenantFixtureError(
      file,
      doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return { path: '', line: pos.line, column: pos.col, message: `is not valid YAML: ${e.message.split('\n')[0]}` };
      }),
    );
  }
  const value: unknown = doc.toJS();
  const validate = fixtureValidator();
  if (!validate(value)) {
    throw new TenantFixtureError(
      file,
      (validate.errors ?? []).slice(0, 20).map((e) => ({
        path: e.instancePath,
        ...locate(doc, lines, e.instancePath),
        message: describeAjvError(e),
      })),
    );
  }
  const fixture = value as TenantFixture;
  const problems = fixtureConsistencyProblems(fixture);
  if (problems.length > 0) {
    throw new TenantFixtureError(
      file,
      problems.map((p) => ({ ...p, ...locate(doc, lines, p.path ?? '') })),
    );
  }
  return fixture;
}

/** Reads a tenant fixture (default: the bundled default-tenant.yaml). */
export async function loadTenantFixture(file: string = DEFAULT_TENANT_PATH): Promise<TenantFixture> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TenantFixtureError(file, [{ message: code === 'ENOENT' ? 'not found' : `cannot be read (${code})` }]);
  }
  return parseTenantFixture(text, file);
}
