/**
 * The default auth layer: helper D's identity platform (tokens, discovery, JWKS, JWT
 * verification) and permission check, adapted to the server's AuthLayer. The server keeps
 * the decision apart from the error so that the faults `permission-not-checked` and
 * `personal-account-allowed` can each skip exactly one kind of refusal.
 */
import { assertAuthorized, authorize } from './auth/authorize.ts';
import { AUDIENCES, createIdentityPlatform } from './auth/identity-platform.ts';
import type { ProfileName } from './profiles.ts';
import type { AuthLayer } from './server.ts';
import type { Spec } from '../spec/model.ts';
import type { TenantFixture } from './tenant/model.ts';

export async function createDefaultAuth(ctx: {
  fixture: TenantFixture;
  baseUrl: () => string;
  profile: ProfileName;
  spec: Spec;
}): Promise<AuthLayer> {
  const platform = await createIdentityPlatform({ fixture: ctx.fixture, baseUrl: ctx.baseUrl });
  return {
    authenticate: (req, api) => platform.authenticate(req.headers.authorization, { audience: AUDIENCES[api] }),
    authorize(principal, operation, subject) {
      const options = { ownerUserId: subject.ownerUserId, behaviours: ctx.spec.behaviours, profile: ctx.profile };
      const decision = authorize(principal, operation, options);
      if (decision.outcome === 'allowed') return { outcome: 'allowed' };
      try {
        // The profile's answer (the live profile lets personal accounts read /me/photo/$value).
        assertAuthorized(principal, operation, options);
        return { outcome: 'allowed' };
      } catch (error) {
        return { outcome: decision.outcome === 'notSupported' ? 'notSupported' : 'forbidden', error };
      }
    },
    handle: (req, res) => platform.handle(req, res),
    issuer: (tenantId) => platform.issuer(tenantId),
  };
}
