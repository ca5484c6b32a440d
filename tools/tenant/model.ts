/**
 * The tenant fixture: who exists in the mock tenant. A YAML file (default
 * tools/tenant/default-tenant.yaml) that a user may replace with their own
 * (`photo-conformance mock --tenant FILE`). Declared with TypeBox so the loader validates it.
 */
import { Type as T, type Static } from '@sinclair/typebox';

const Photo = T.Object(
  {
    width: T.Integer({ minimum: 1 }),
    height: T.Integer({ minimum: 1 }),
    color: T.Optional(T.String({ description: 'fill colour of the generated seed image, e.g. #3366cc' })),
  },
  { additionalProperties: false, description: 'a seed photo, generated with sharp at load time' },
);

export const Contact = T.Object(
  {
    id: T.String(),
    displayName: T.Optional(T.String()),
    folder: T.Optional(T.String({ description: 'contact folder id; absent = default Contacts folder' })),
    photo: T.Optional(Photo),
  },
  { additionalProperties: false },
);

export const User = T.Object(
  {
    id: T.String({ description: 'object id (GUID)' }),
    userPrincipalName: T.String(),
    displayName: T.Optional(T.String()),
    kind: T.Union([T.Literal('work'), T.Literal('personal')], {
      description: 'work or school account, or personal Microsoft account',
    }),
    mailbox: T.Boolean({ description: 'false: directory only (Azure AD), photo updates fall back to it' }),
    password: T.Optional(T.String({ description: 'for the password grant (delegated tokens)' })),
    photo: T.Optional(Photo),
    contactFolders: T.Optional(T.Array(T.Object({ id: T.String(), displayName: T.Optional(T.String()) }))),
    contacts: T.Optional(T.Array(Contact)),
  },
  { additionalProperties: false },
);

/**
 * A permission granted to one app on one team by the team's owner (resource-specific consent):
 * `TeamSettings.Read.Group` opens the photo of the teams that granted it, and no other.
 */
export const ResourceSpecificGrant = T.Object(
  {
    clientId: T.String({ description: 'the app granted; one of the tenant apps' }),
    permissions: T.Array(T.String(), { minItems: 1, description: 'resource-specific permissions such as TeamSettings.Read.Group, also listed in the app' }),
  },
  { additionalProperties: false },
);

export const Group = T.Object(
  {
    id: T.String(),
    displayName: T.Optional(T.String()),
    /** a team is a group: its one photo stands behind /teams/{id}/photo and /groups/{id}/photo */
    team: T.Optional(T.Boolean({ description: 'the group is a team (Microsoft Teams)' })),
    photo: T.Optional(Photo),
    resourceSpecificGrants: T.Optional(T.Array(ResourceSpecificGrant, { description: 'teams only' })),
  },
  { additionalProperties: false },
);

export const App = T.Object(
  {
    clientId: T.String(),
    clientSecret: T.String(),
    displayName: T.Optional(T.String()),
    roles: T.Array(T.String(), { description: 'application permissions granted (app-only tokens)' }),
    scopes: T.Array(T.String(), { description: 'delegated permissions consented (delegated tokens)' }),
  },
  { additionalProperties: false },
);

export const Tenant = T.Object(
  {
    id: T.String({ description: 'tenant id (GUID), the tid claim' }),
    domain: T.String({ description: 'e.g. contoso.onmicrosoft.com' }),
    kind: T.Optional(
      T.Union([T.Literal('workforce'), T.Literal('b2c')], {
        description: 'workforce (default) or an Azure AD B2C tenant, where the pages say photos are not supported',
      }),
    ),
    users: T.Array(User),
    groups: T.Array(Group),
    apps: T.Array(App),
  },
  { additionalProperties: false },
);

export const TenantFixture = T.Object(
  {
    tenants: T.Array(Tenant, { minItems: 1 }),
  },
  { additionalProperties: false },
);

export type Photo = Static<typeof Photo>;
export type Contact = Static<typeof Contact>;
export type User = Static<typeof User>;
export type Group = Static<typeof Group>;
export type ResourceSpecificGrant = Static<typeof ResourceSpecificGrant>;
export type App = Static<typeof App>;
export type Tenant = Static<typeof Tenant>;
export type TenantFixture = Static<typeof TenantFixture>;

/** Who is calling, as the auth layer hands it to the handlers. */
export interface Principal {
  tenantId: string;
  /** app-only (client credentials) or delegated (a signed-in user) */
  kind: 'application' | 'delegated';
  appId: string;
  /** the signed-in user, for delegated tokens */
  userId?: string;
  /** work or personal account, for delegated tokens */
  accountKind?: 'work' | 'personal';
  /** roles (application) or scopes (delegated), as granted in the token */
  permissions: string[];
}
