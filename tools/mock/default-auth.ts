/**
 * The default auth layer: helper D's identity platform (tokens, discovery, JWKS, JWT
 * verification) and permission check, adapted to the server's AuthLayer. The server keeps
 * the decision apart from the error so that the faults `permission-not-checked` and
 * `personal-account-allowed` can each skip exactly one kind of refusal.
 */
import { assertAuthorized, authorize } from './auth/authorize.ts';
import { AUDIENCES, createIdentityPlatform } from './auth/identity-platform.ts';
import type { ProfileName } from './profiles.ts';
import type { AuthDecision, AuthLayer, AuthSubject } from './auth/layer.ts';
import type { Operation, Spec } from '../spec/model.ts';
import type { Principal, TenantFixture } from '../tenant/model.ts';

export async function createDefaultAuth(ctx: {
  fixture: TenantFixture;
  baseUrl: () => string;
  profile: ProfileName;
  spec: Spec;
}): Promise<AuthLayer> {
  const platform = await createIdentityPlatform({ fixture: ctx.fixture, baseUrl: ctx.baseUrl });
  // A decision depends only on the principal, the operation, the owner and what the addressed
  // team granted the app; the platform hands out one principal object per token, so decisions
  // are kept per principal.
  const decisions = new WeakMap<Principal, Map<string, AuthDecision>>();
  // What the addressed team's owners granted to this app (resource-specific consent).
  const grantsTo = (principal: Principal, subject: AuthSubject): string[] => {
    const appId = principal.appId.toLowerCase();
    return (subject.resourceGrants ?? []).filter((g) => g.clientId.toLowerCase() === appId).flatMap((g) => g.permissions);
  };
  const decide = (principal: Principal, operation: Operation, subject: AuthSubject, resourceGrants: string[]): AuthDecision => {
    const options = { ownerUserId: subject.ownerUserId, behaviours: ctx.spec.behaviours, profile: ctx.profile, resourceGrants };
    const decision = authorize(principal, operation, options);
    try {
      // The profile's answer (the live profile: a personal account reads /me/photo/$value, nothing else of its photo).
      assertAuthorized(principal, operation, options);
      return { outcome: 'allowed' };
    } catch (error) {
      return { outcome: decision.outcome === 'denied' ? 'forbidden' : 'notSupported', error };
    }
  };
  return {
    authenticate: (req, api) => platform.authenticate(req.headers.authorization, { audience: AUDIENCES[api], connection: req.socket }),
    authorize(principal, operation, subject) {
      let known = decisions.get(principal);
      if (!known) decisions.set(principal, (known = new Map()));
      // The grants are part of the key: the server's rsc-* faults change them for the same team.
      const grants = grantsTo(principal, subject);
      const key = `${operation.id}\u0000${subject.ownerUserId ?? ''}\u0000${subject.groupId ?? ''}\u0000${grants.join(',')}`;
      let decision = known.get(key);
      if (!decision) known.set(key, (decision = decide(principal, operation, subject, grants)));
      return decision;
    },
    handle: (req, res) => platform.handle(req, res),
    issuer: (tenantId) => platform.issuer(tenantId),
  };
}
