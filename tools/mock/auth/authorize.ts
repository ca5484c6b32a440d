/**
 * Whether a principal may call an operation, decided from the operation's permission table
 * in the spec (`operation.permissions`), never from a list kept here. Two rules come from
 * the identity platform rather than from a page:
 * - Permission names are case-insensitive (the Outlook pages write `user.readwrite`).
 * - A delegated permission without a `.All` or `.Shared` constraint covers only the signed-in
 *   user's own data (Graph's `{resource}.{operation}.{constraint}` naming), so `User.ReadWrite`
 *   opens `/me/photo` but not another user's.
 * - A resource-specific permission (`TeamSettings.Read.Group`: Graph's `.Group` and `.Chat`
 *   constraints) counts only on a resource whose owner granted it to the calling app; the
 *   grants come from the tenant fixture (a team's `resourceSpecificGrants`).
 */
import type { Behaviour, Operation, PermissionType } from '../../spec/model.ts';
import type { Principal } from '../../tenant/model.ts';
import { AuthError } from './errors.ts';

export type AuthorizationDecision =
  | { outcome: 'allowed'; permission?: string; basis: 'granted' | 'unspecified' }
  | { outcome: 'denied'; reason: string }
  | { outcome: 'notSupported'; reason: string };

export interface AuthorizeContext {
  /** whose photo the request addresses, when it is a user's (or a user's contact's); for `/me` the caller */
  ownerUserId?: string;
  /** the spec's behaviours; `adminAnyUser` lets an app act on any user where the page's list has no type */
  behaviours?: readonly Behaviour[];
  /** resource-specific permissions the addressed resource (a team) grants to the calling app */
  resourceGrants?: readonly string[];
}

export function permissionType(principal: Principal): PermissionType {
  if (principal.kind === 'application') return 'application';
  return principal.accountKind === 'personal' ? 'delegatedPersonal' : 'delegatedWork';
}

const crossUser = (permission: string) => /\.(All|Shared)$/i.test(permission);
const resourceSpecific = (permission: string) => /\.(Group|Chat)$/i.test(permission);

/** Whether the spec's `adminAnyUser` behaviour covers this operation. */
function adminAnyUser(operation: Operation, behaviours: readonly Behaviour[] = []): boolean {
  return behaviours.some(
    (b) =>
      b.kind === 'adminAnyUser' &&
      b.api === operation.api &&
      b.versions.includes(operation.version) &&
      (!b.resources || b.resources.includes(operation.resource)),
  );
}

export function authorize(principal: Principal, operation: Operation, context: AuthorizeContext = {}): AuthorizationDecision {
  // A page that lists no permission for the operation gives nothing to enforce beyond a valid token.
  if (operation.permissions.length === 0) return { outcome: 'allowed', basis: 'unspecified' };

  const type = permissionType(principal);
  let entries = operation.permissions.filter((p) => p.type === type);
  let accepted: string[] | undefined;
  // Outlook's pages list scopes without splitting account kinds: personal accounts then use the delegated list.
  if (entries.length === 0 && type === 'delegatedPersonal') {
    entries = operation.permissions.filter((p) => p.type === 'delegatedWork');
  }
  // Pages that list permissions without a type still say that an app with admin consent may set
  // any user's photo under its own identity (adminAnyUser): the directory-wide permissions of the
  // list are then the app's.
  if (entries.length === 0 && type === 'application' && adminAnyUser(operation, context.behaviours)) {
    entries = operation.permissions.filter((p) => p.type === 'delegatedWork');
    accepted = entries.filter((p) => p.supported).flatMap((p) => p.permissions).filter(crossUser);
  }
  if (entries.length === 0) {
    return { outcome: 'denied', reason: `${operation.id} lists no ${type} permission` };
  }
  const supported = entries.filter((p) => p.supported);
  if (supported.length === 0) {
    return { outcome: 'notSupported', reason: `${operation.id} is not supported for ${type} callers` };
  }

  accepted ??= supported.flatMap((p) => p.permissions);
  const granted = new Set(principal.permissions.map((p) => p.toLowerCase()));
  let usable = accepted.filter((p) => granted.has(p.toLowerCase()));

  const owner = operation.resource === 'me' ? principal.userId : context.ownerUserId;
  const someoneElse =
    principal.kind === 'delegated' &&
    owner !== undefined &&
    principal.userId !== undefined &&
    owner.toLowerCase() !== principal.userId.toLowerCase();
  if (someoneElse) usable = usable.filter(crossUser);
  const grantedHere = new Set((context.resourceGrants ?? []).map((p) => p.toLowerCase()));
  const heldElsewhere = usable.filter((p) => resourceSpecific(p) && !grantedHere.has(p.toLowerCase()));
  usable = usable.filter((p) => !heldElsewhere.includes(p));

  const permission = usable[0];
  if (permission === undefined) {
    const scope = someoneElse
      ? " for another user's photo"
      : heldElsewhere.length > 0
        ? ` (${heldElsewhere.join(', ')} is not granted to this app on the addressed resource)`
        : '';
    return { outcome: 'denied', reason: `${operation.id} needs one of ${accepted.join(', ') || '(none)'}${scope}` };
  }
  return { outcome: 'allowed', permission, basis: 'granted' };
}

export interface AuthorizeOptions extends AuthorizeContext {
  profile?: 'docs' | 'live';
}

/**
 * Throws the error the API answers when `authorize` refuses. Personal accounts: the `docs`
 * profile follows the spec's table (403 where it says "not supported"); the `live` profile
 * does what the service was observed to do with a personal account's own photo
 * (live-behaviour.md: personal Microsoft account; msgraph-sdk-dotnet#568/#612):
 * `/me/photo/$value` works with the delegated permissions since late 2021, metadata and every
 * other read or write of the user's photo is 404 `ConsumerPhotoIsNotSupported`.
 */
export function assertAuthorized(principal: Principal, operation: Operation, options: AuthorizeOptions = {}): void {
  let decision = authorize(principal, operation, options);
  const ownPhoto = operation.resource === 'me' || operation.resource === 'user';
  if (options.profile === 'live' && permissionType(principal) === 'delegatedPersonal' && ownPhoto) {
    if (operation.resource === 'me' && operation.target === 'value' && operation.method === 'GET') {
      if (decision.outcome === 'notSupported') decision = authorize({ ...principal, accountKind: 'work' }, operation, options);
    } else {
      throw new AuthError(404, 'ConsumerPhotoIsNotSupported', 'Photos are not supported for personal Microsoft accounts.');
    }
  }
  if (decision.outcome === 'allowed') return;
  if (decision.outcome === 'notSupported') {
    const who = { application: 'app-only tokens', delegatedWork: 'work or school accounts', delegatedPersonal: 'personal Microsoft accounts' }[permissionType(principal)];
    throw new AuthError(403, 'ErrorAccessDenied', `Access is denied. This operation is not supported for ${who}.`);
  }
  throw new AuthError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
}
