/**
 * Permissions as OpenAPI security. One OAuth 2.0 scheme per permission type of the pages'
 * tables (delegated work or school, delegated personal: the authorization code flow;
 * application: client credentials), all against the Microsoft identity platform, whose
 * scopes are the permissions the pages name. An operation's `security` lists its
 * alternatives type by type, each permission alone (any one of them is enough, as the
 * tables say), least privileged first. OpenAPI has no way to say "not supported", so
 * `x-permissions` beside it keeps the whole table row: type, supported, permissions, the
 * requirements that check it and the sentence behind it.
 */
import { PERMISSION_TYPES, type Operation, type PermissionType, type Requirement } from '../spec/model.ts';
import { provenance } from './provenance.ts';
import { CLOUDS } from '../tenant/clouds.ts';

/**
 * The identity platform's endpoints. No page states them (the pages link to the platform's own
 * documentation), so they are the one address this exporter names itself; `{tenant}` is the
 * tenant id or domain, as the platform's documentation writes it.
 */
const IDENTITY_PLATFORM = `${CLOUDS.global.authorityHost}/{tenant}/oauth2/v2.0`;

/** A token is needed but the pages name no permission for the operation: a bearer token, nothing more. */
export const ACCESS_TOKEN_SCHEME = 'accessToken';

const TYPE_LABEL: Record<PermissionType, string> = {
  delegatedWork: 'Delegated (work or school account)',
  delegatedPersonal: 'Delegated (personal Microsoft account)',
  application: 'Application',
};

export type SecurityRequirement = Record<string, string[]>;

export interface PermissionRow {
  type: PermissionType;
  /** the security scheme that carries this row's permissions, when it has any */
  scheme?: string;
  supported: boolean;
  permissions: string[];
  requirements: string[];
  provenance: ReturnType<typeof provenance>;
}

/** The scheme of a permission type is named after the type. */
export const schemeOf = (type: PermissionType) => type;

export function operationSecurity(op: Operation, requirements: readonly Requirement[], needsToken: boolean): {
  security?: SecurityRequirement[];
  rows: PermissionRow[];
} {
  const security: SecurityRequirement[] = [];
  const rows: PermissionRow[] = [];
  for (const row of op.permissions) {
    const carries = row.supported && row.permissions.length > 0;
    if (carries) for (const permission of row.permissions) security.push({ [schemeOf(row.type)]: [permission] });
    rows.push({
      type: row.type,
      ...(carries ? { scheme: schemeOf(row.type) } : {}),
      supported: row.supported,
      permissions: [...row.permissions],
      requirements: requirements
        .filter((r) => r.assert.kind === 'permission' && r.assert.type === row.type)
        .map((r) => r.id),
      provenance: provenance(row.sources),
    });
  }
  if (security.length === 0 && needsToken) security.push({ [ACCESS_TOKEN_SCHEME]: [] });
  return { ...(security.length ? { security } : {}), rows };
}

/** A line for readers of a rendered document: the table row by row, "not supported" included. */
export function permissionSummary(rows: readonly PermissionRow[]): string | undefined {
  if (!rows.length) return undefined;
  return rows
    .map((row) => `${TYPE_LABEL[row.type]}: ${row.supported ? row.permissions.join(', ') || 'supported, no permission named' : 'not supported'}.`)
    .join(' ');
}

/** The schemes a document's operations use, each with the permissions named for it as scopes. */
export function securitySchemes(operations: readonly { rows: readonly PermissionRow[]; security?: SecurityRequirement[] }[]): Record<string, unknown> {
  const scopes = new Map<PermissionType, Map<string, number>>();
  let accessToken = false;
  for (const op of operations) {
    for (const row of op.rows) {
      if (!row.scheme) continue;
      const named = scopes.get(row.type) ?? new Map<string, number>();
      for (const permission of row.permissions) named.set(permission, (named.get(permission) ?? 0) + 1);
      scopes.set(row.type, named);
    }
    if (op.security?.some((s) => ACCESS_TOKEN_SCHEME in s)) accessToken = true;
  }
  const out: Record<string, unknown> = {};
  for (const type of PERMISSION_TYPES) {
    const named = scopes.get(type);
    if (!named) continue;
    const scopeMap = Object.fromEntries(
      [...named]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([permission, count]) => [permission, `${TYPE_LABEL[type]} permission the pages name for ${count} operation${count === 1 ? '' : 's'}`]),
    );
    const flows =
      type === 'application'
        ? { clientCredentials: { tokenUrl: `${IDENTITY_PLATFORM}/token`, scopes: scopeMap } }
        : { authorizationCode: { authorizationUrl: `${IDENTITY_PLATFORM}/authorize`, tokenUrl: `${IDENTITY_PLATFORM}/token`, scopes: scopeMap } };
    out[schemeOf(type)] = {
      type: 'oauth2',
      description: `${TYPE_LABEL[type]} permissions, as the permissions tables of the pages name them, against the Microsoft identity platform.`,
      flows,
      'x-permission-type': type,
    };
  }
  if (accessToken) {
    out[ACCESS_TOKEN_SCHEME] = {
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'A valid access token: the pages require one for the operation but name no permission for it.',
    };
  }
  return out;
}
