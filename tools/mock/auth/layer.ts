/**
 * The contract between the mock's server and its auth layer: who a request addresses, what
 * the layer decides, and what it is given. Apart from both, so that the server and the
 * default layer (default-auth.ts) do not import each other.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Api, Operation, Resource, Spec } from '../../spec/model.ts';
import type { Principal, ResourceSpecificGrant, Tenant, TenantFixture } from '../../tenant/model.ts';
import type { ProfileName } from '../profiles.ts';

/** Whose photo a request addresses, handed to `authorize`. */
export interface AuthSubject {
  tenant: Tenant;
  resource: Resource;
  /** the user whose photo, or whose contact's photo, is addressed */
  ownerUserId?: string;
  /** the addressed user is the signed-in user (always true for /me) */
  self: boolean;
  /** the addressed team's resource-specific grants (the auth layer picks the caller's app) */
  resourceGrants?: readonly ResourceSpecificGrant[];
  /** the addressed group or team, when one is */
  groupId?: string;
}

/** A refusal carries the error to answer with; the server decides whether a fault skips it. */
export type AuthDecision = { outcome: 'allowed' } | { outcome: 'forbidden' | 'notSupported'; error: unknown };

/** Sign-in and permission checks, pluggable so handlers can be tested with a fixed principal. */
export interface AuthLayer {
  /** Throws a typed 401 (status, code, message) when the request carries no usable token for `api`. */
  authenticate(req: IncomingMessage, api: Api): Principal | Promise<Principal>;
  authorize(principal: Principal, operation: Operation, subject: AuthSubject): AuthDecision | Promise<AuthDecision>;
  /** Serves the identity platform's own routes; resolves false for any other path. */
  handle?(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  issuer(tenantId: string): string;
}

export interface AuthContext {
  fixture: TenantFixture;
  /** the server's origin, known once it listens */
  baseUrl: () => string;
  profile: ProfileName;
  spec: Spec;
}
