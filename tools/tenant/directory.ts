/**
 * Lookups over a loaded fixture: the identity platform and the photo routes both need to
 * find a tenant by id or domain, a user by object id or UPN, an app by client id. Built
 * once per fixture; case-insensitive the way directory names are.
 */
import { CONSUMER_TENANT_ID } from './load.ts';
import type { App, Group, Tenant, TenantFixture, User } from './model.ts';

export class TenantDirectory {
  readonly tenants: readonly Tenant[];
  private readonly bySegment = new Map<string, Tenant>();
  private readonly users = new Map<string, Map<string, User>>();
  private readonly groups = new Map<string, Map<string, Group>>();
  private readonly apps = new Map<string, Map<string, App>>();

  constructor(fixture: TenantFixture) {
    this.tenants = fixture.tenants;
    for (const tenant of fixture.tenants) {
      const tid = tenant.id.toLowerCase();
      this.bySegment.set(tid, tenant);
      this.bySegment.set(tenant.domain.toLowerCase(), tenant);
      const users = new Map<string, User>();
      for (const user of tenant.users) {
        users.set(user.id.toLowerCase(), user);
        users.set(user.userPrincipalName.toLowerCase(), user);
      }
      this.users.set(tid, users);
      this.groups.set(tid, new Map(tenant.groups.map((g) => [g.id.toLowerCase(), g])));
      this.apps.set(tid, new Map(tenant.apps.map((a) => [a.clientId.toLowerCase(), a])));
    }
    // The identity platform's alias for the personal-account tenant.
    const consumer = this.bySegment.get(CONSUMER_TENANT_ID);
    if (consumer && !this.bySegment.has('consumers')) this.bySegment.set('consumers', consumer);
  }

  /** A tenant by the path segment of an authority: tenant id, domain, or `consumers`. */
  tenant(segment: string): Tenant | undefined {
    return this.bySegment.get(segment.toLowerCase());
  }

  /** A user of one tenant by object id or userPrincipalName. */
  user(tenantId: string, idOrUpn: string): User | undefined {
    return this.users.get(tenantId.toLowerCase())?.get(idOrUpn.toLowerCase());
  }

  group(tenantId: string, id: string): Group | undefined {
    return this.groups.get(tenantId.toLowerCase())?.get(id.toLowerCase());
  }

  app(tenantId: string, clientId: string): App | undefined {
    return this.apps.get(tenantId.toLowerCase())?.get(clientId.toLowerCase());
  }
}
