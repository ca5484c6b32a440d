/**
 * Which target the suite runs against, from the environment the run CLI sets (or a user
 * sets by hand for `npx playwright test`):
 *   PHOTO_TARGET        mock (default) | url | tenant
 *   PHOTO_PROFILE       docs (default) | live           mock only
 *   PHOTO_BASE_URL      url target: the server's base URL
 *   PHOTO_TENANT_FILE   url/tenant: who exists there (tenant fixture format)
 *   PHOTO_ALLOW_WRITES  1 to let a real tenant's photos be changed (journaled, restored)
 *   PHOTO_SPEC_FILE     the spec file (default spec/profilephoto.yaml)
 *   PHOTO_FAULTS        mock only: comma-separated fault names
 *   PHOTO_JOURNAL_DIR   where originals are saved before a change (default .state/journal)
 * A resolved target knows where each API lives, how to get tokens, who exists, and how to
 * put itself back (reset for a mock, restore from the journal for a tenant).
 */
import { resolve } from 'node:path';
import type { Api } from '../../tools/spec/model.ts';
import type { Tenant } from '../../tools/tenant/model.ts';
import { DEFAULT_SPEC_PATH, REPO_ROOT } from '../../tools/spec/paths.ts';
import type { ApiRoots } from './address.ts';
import { CLOUDS, CLOUD_NAMES, cloudEndpoints, isCloudName, type CloudName, type CloudOverrides } from '../../tools/tenant/clouds.ts';
import { EnvironmentTokenSource, MsalTokenSource, TokenEndpointSource, type TokenSource } from './tokens.ts';
import { PhotoJournal } from './journal.ts';
import { mockSlotTenants, mockSlotUrl } from './mock-slots.ts';

export type TargetKind = 'mock' | 'url' | 'tenant';
export type Profile = 'docs' | 'live';

export interface TargetSettings {
  kind: TargetKind;
  profile: Profile;
  baseUrl?: string;
  tenantFile?: string;
  allowWrites: boolean;
  specFile: string;
  journalDir: string;
  /** mock only: named faults to switch on (the mutation runner's way in) */
  faults: string[];
  /** mock only: serve https (PHOTO_MOCK_HTTPS=1, `run --https`) */
  https?: boolean;
  /** tenant only: the cloud (PHOTO_CLOUD) and overrides of its roots (PHOTO_GRAPH_URL, PHOTO_OUTLOOK_URL, AZURE_AUTHORITY_HOST) */
  cloud?: CloudName;
  cloudOverrides?: CloudOverrides;
}

export class TargetError extends Error {
  override name = 'TargetError';
}

/** Audiences of the two APIs' tokens on a mock or another server: the global cloud's (clouds.ts). */
export const AUDIENCES: Record<Api, string> = CLOUDS.global.audiences;

/** A mock serves both APIs under one origin (`/v1.0`, `/api/v2.0`); a real tenant's roots are its cloud's (clouds.ts). */
export const rootsAt = (baseUrl: string): ApiRoots => {
  const base = baseUrl.replace(/\/+$/, '');
  return { graph: base, outlook: `${base}/api` };
};

function cloudFromEnv(env: NodeJS.ProcessEnv): CloudName {
  const cloud = (env.PHOTO_CLOUD ?? 'global').toLowerCase();
  if (!isCloudName(cloud)) throw new TargetError(`PHOTO_CLOUD '${env.PHOTO_CLOUD}' is not one of ${CLOUD_NAMES.join(', ')}`);
  return cloud;
}

export function targetSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): TargetSettings {
  const kind = (env.PHOTO_TARGET ?? 'mock') as TargetKind;
  if (!['mock', 'url', 'tenant'].includes(kind)) throw new TargetError(`PHOTO_TARGET '${kind}' is not mock, url or tenant`);
  const profile = (env.PHOTO_PROFILE ?? 'docs') as Profile;
  if (!['docs', 'live'].includes(profile)) throw new TargetError(`PHOTO_PROFILE '${profile}' is not docs or live`);
  if (kind === 'url' && !env.PHOTO_BASE_URL) throw new TargetError('the url target needs PHOTO_BASE_URL (--base-url)');
  return {
    kind,
    profile,
    baseUrl: env.PHOTO_BASE_URL,
    tenantFile: env.PHOTO_TENANT_FILE,
    allowWrites: env.PHOTO_ALLOW_WRITES === '1',
    specFile: env.PHOTO_SPEC_FILE ? resolve(REPO_ROOT, env.PHOTO_SPEC_FILE) : DEFAULT_SPEC_PATH,
    faults: (env.PHOTO_FAULTS ?? '').split(',').map((f) => f.trim()).filter(Boolean),
    https: env.PHOTO_MOCK_HTTPS === '1',
    cloud: cloudFromEnv(env),
    cloudOverrides: {
      ...(env.PHOTO_GRAPH_URL ? { graphUrl: env.PHOTO_GRAPH_URL } : {}),
      ...(env.PHOTO_OUTLOOK_URL ? { outlookUrl: env.PHOTO_OUTLOOK_URL } : {}),
      ...(env.AZURE_AUTHORITY_HOST ? { authorityHost: env.AZURE_AUTHORITY_HOST } : {}),
    },
    journalDir: env.PHOTO_JOURNAL_DIR ? resolve(env.PHOTO_JOURNAL_DIR) : resolve(REPO_ROOT, '.state/journal'),
  };
}

export interface ResolvedTarget {
  settings: TargetSettings;
  roots: ApiRoots;
  audiences: Record<Api, string>;
  /** the tenant the tests act in */
  tenant: Tenant;
  tenants: Tenant[];
  tokens: TokenSource;
  /** why state-changing checks may not run here; undefined when they may */
  writeRefusal?: string;
  /** why an API's checks cannot run here (a cloud without Outlook REST), by API */
  unavailableApis?: Partial<Record<Api, string>>;
  /** puts the target back to its seed state before a test (mock), or nothing */
  reset(): Promise<void>;
  /** a real tenant's journal: originals saved before any change */
  journal?: PhotoJournal;
  close(): Promise<void>;
}


/** The tenant the tests act in: the first one with work users (not the consumer tenant). */
export function homeTenant(tenants: Tenant[]): Tenant {
  const home = tenants.find((t) => t.users.some((u) => u.kind === 'work')) ?? tenants[0];
  if (!home) throw new TargetError('the tenant description holds no tenant');
  return home;
}

async function loadFixture(settings: TargetSettings) {
  const { DEFAULT_TENANT_PATH, loadTenantFixture } = await import('../../tools/tenant/load.ts');
  return loadTenantFixture(settings.tenantFile ?? DEFAULT_TENANT_PATH);
}

/** A server at a base URL that serves both APIs and the identity platform, as a mock does. */
function servedAt(settings: TargetSettings, base: string, tenants: Tenant[], reset: () => Promise<void>, close: () => Promise<void>): ResolvedTarget {
  const tenant = homeTenant(tenants);
  return {
    settings,
    roots: rootsAt(base),
    audiences: AUDIENCES,
    tenant,
    tenants,
    tokens: new TokenEndpointSource({
      tenants,
      tenantId: tenant.id,
      tokenUrl: (id) => `${base}/${id}/oauth2/v2.0/token`,
      audiences: AUDIENCES,
    }),
    reset,
    close,
  };
}

/** The run's mock for this worker slot (started by the global setup), reset over HTTP. */
async function connectMock(settings: TargetSettings, base: string): Promise<ResolvedTarget> {
  // The tenants as the slots' mocks loaded them; the fixture (YAML, schema) only without them.
  const tenants = (await mockSlotTenants()) ?? [...(await loadFixture(settings)).tenants];
  const reset = async () => {
    const r = await fetch(`${base}/_mock/reset`, { method: 'POST' });
    if (!r.ok) throw new TargetError(`the mock at ${base} did not reset: ${r.status}`);
  };
  return servedAt(settings, base, tenants, reset, async () => undefined);
}

async function startMock(settings: TargetSettings, parallelIndex?: number): Promise<ResolvedTarget> {
  const slot = parallelIndex === undefined ? undefined : mockSlotUrl(parallelIndex);
  if (slot) return connectMock(settings, slot);
  // Loaded on demand: a url or tenant run never pays for the mock's imports.
  const { startMockServer } = await import('../../tools/mock/server.ts');
  const tls = settings.https ? await (await import('../../tools/mock/tls.ts')).serverTls() : undefined;
  const server = await startMockServer({
    host: '127.0.0.1',
    port: 0,
    profile: settings.profile,
    specFile: settings.specFile,
    faults: settings.faults,
    ...(tls ? { tls } : {}),
  });
  return servedAt(settings, server.url, [...server.tenants], () => server.reset(), () => server.close());
}

async function resolveUrl(settings: TargetSettings): Promise<ResolvedTarget> {
  const base = settings.baseUrl!.replace(/\/+$/, '');
  const fixture = await loadFixture(settings);
  // Another mock: reset it when it offers the admin route, so tests stay independent.
  const reset = async () => {
    await fetch(`${base}/_mock/reset`, { method: 'POST' }).catch(() => undefined);
  };
  const target = servedAt(settings, base, [...fixture.tenants], reset, async () => undefined);
  // Ready-made tokens from the environment win over the server's token endpoint.
  return EnvironmentTokenSource.present() ? { ...target, tokens: new EnvironmentTokenSource() } : target;
}

async function resolveTenant(settings: TargetSettings): Promise<ResolvedTarget> {
  const msal = MsalTokenSource.fromEnvironment();
  if (!msal) throw new TargetError('the tenant target needs AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET');
  if (!settings.tenantFile) throw new TargetError('the tenant target needs --tenant-file naming the test users, groups and contacts');
  const { loadTenantFixture } = await import('../../tools/tenant/load.ts');
  const fixture = await loadTenantFixture(settings.tenantFile);
  const tenant = fixture.tenants.find((t) => t.id === msal.tenantId) ?? homeTenant(fixture.tenants);
  const writeRefusal = settings.allowWrites ? undefined : 'read-only on a real tenant: pass --allow-writes to change the named test photos';
  const cloud = cloudEndpoints(settings.cloud ?? 'global', settings.cloudOverrides);
  return {
    settings,
    // An API without a root is never addressed: its checks skip (unavailableApis) before any request.
    roots: { graph: cloud.roots.graph ?? '', outlook: cloud.roots.outlook ?? '' },
    audiences: cloud.audiences,
    tenant,
    tenants: fixture.tenants,
    tokens: new MsalTokenSource({ ...msal, authority: cloud.authorityHost }, cloud.audiences),
    writeRefusal,
    unavailableApis: cloud.unavailable,
    reset: async () => undefined,
    journal: new PhotoJournal(settings.journalDir),
    close: async () => undefined,
  };
}

/** `parallelIndex`: the worker slot, whose mock the global setup may have started already. */
export async function resolveTarget(settings: TargetSettings, parallelIndex?: number): Promise<ResolvedTarget> {
  switch (settings.kind) {
    case 'mock':
      return startMock(settings, parallelIndex);
    case 'url':
      return resolveUrl(settings);
    case 'tenant':
      return resolveTenant(settings);
  }
}
