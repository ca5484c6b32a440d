/**
 * Where a real tenant's APIs and sign-in live, by cloud. The roots are public facts of each
 * cloud (learn.microsoft.com/graph/deployments; for Outlook REST in the cloud operated by
 * 21Vianet, the "API endpoints of Office 365 operated by 21Vianet" page). A cloud whose
 * pages name no Outlook REST root has none here: its Outlook checks are skipped with that
 * reason, unless `--outlook-url` names one.
 *
 * The names are those of Microsoft Graph PowerShell's environments (Global, USGov,
 * USGovDoD, China), lower case; the authority host follows `AZURE_AUTHORITY_HOST`, the
 * variable Azure's own libraries read.
 */
import type { Api } from '../spec/model.ts';

export const CLOUD_NAMES = ['global', 'usgov', 'usgov-dod', 'china'] as const;
export type CloudName = (typeof CLOUD_NAMES)[number];

export interface Cloud {
  label: string;
  /** the API roots: Graph's service root, Outlook REST's `/api` */
  roots: Partial<Record<Api, string>>;
  /** the token audiences (`{audience}/.default`) */
  audiences: Record<Api, string>;
  /** Microsoft Entra ID's sign-in host */
  authorityHost: string;
}

export const CLOUDS: Record<CloudName, Cloud> = {
  global: {
    label: 'Microsoft Graph global service',
    roots: { graph: 'https://graph.microsoft.com', outlook: 'https://outlook.office.com/api' },
    audiences: { graph: 'https://graph.microsoft.com', outlook: 'https://outlook.office.com' },
    authorityHost: 'https://login.microsoftonline.com',
  },
  usgov: {
    label: 'Microsoft Graph for US Government L4 (GCC High)',
    roots: { graph: 'https://graph.microsoft.us' },
    audiences: { graph: 'https://graph.microsoft.us', outlook: 'https://outlook.office365.us' },
    authorityHost: 'https://login.microsoftonline.us',
  },
  'usgov-dod': {
    label: 'Microsoft Graph for US Government L5 (DOD)',
    roots: { graph: 'https://dod-graph.microsoft.us' },
    audiences: { graph: 'https://dod-graph.microsoft.us', outlook: 'https://outlook-dod.office365.us' },
    authorityHost: 'https://login.microsoftonline.us',
  },
  china: {
    label: 'Microsoft Graph China operated by 21Vianet',
    roots: { graph: 'https://microsoftgraph.chinacloudapi.cn', outlook: 'https://partner.outlook.cn/api' },
    audiences: { graph: 'https://microsoftgraph.chinacloudapi.cn', outlook: 'https://partner.outlook.cn' },
    authorityHost: 'https://login.chinacloudapi.cn',
  },
};

/** The hosts MSAL knows as Microsoft's own sign-in; any other authority host is named to it as known. */
export const MICROSOFT_AUTHORITY_HOSTS = new Set(Object.values(CLOUDS).map((c) => new URL(c.authorityHost).host));

export interface CloudOverrides {
  graphUrl?: string;
  outlookUrl?: string;
  authorityHost?: string;
}

export interface CloudEndpoints {
  cloud: CloudName;
  roots: Partial<Record<Api, string>>;
  audiences: Record<Api, string>;
  authorityHost: string;
  /** why an API cannot be tested in this cloud, by API */
  unavailable: Partial<Record<Api, string>>;
}

export function isCloudName(value: string): value is CloudName {
  return (CLOUD_NAMES as readonly string[]).includes(value);
}

/** A cloud's endpoints with the overrides applied (trailing slashes dropped). */
export function cloudEndpoints(cloud: CloudName, overrides: CloudOverrides = {}): CloudEndpoints {
  const base = CLOUDS[cloud];
  const trim = (url: string) => url.replace(/\/+$/, '');
  const roots: Partial<Record<Api, string>> = { ...base.roots };
  if (overrides.graphUrl) roots.graph = trim(overrides.graphUrl);
  if (overrides.outlookUrl) roots.outlook = trim(overrides.outlookUrl);
  const unavailable: Partial<Record<Api, string>> = {};
  for (const api of ['graph', 'outlook'] as const) {
    if (!roots[api]) unavailable[api] = `${base.label} has no documented ${api === 'outlook' ? 'Outlook REST' : 'Graph'} root; pass --${api}-url to test one`;
  }
  return { cloud, roots, audiences: base.audiences, authorityHost: trim(overrides.authorityHost ?? base.authorityHost), unavailable };
}
