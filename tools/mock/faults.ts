/**
 * The fault catalogue: each named fault breaks exactly one documented behaviour, so a
 * conformance suite run against `--fault NAME` must fail the requirement that names it (the
 * mutation runner relies on this). With no fault set the mock is conformant.
 */
export const FAULTS = {
  'upload-status-204': 'a successful photo update answers 204 instead of the documented 200',
  'value-content-type': '$value is served as application/octet-stream instead of image/jpeg',
  'metadata-content-type': 'photo metadata is served as text/plain instead of application/json',
  'metadata-text-json': 'photo metadata is served as text/json (JSON all the same, which a lenient client reads) instead of application/json',
  'stale-etag': 'the ETag does not change when the photo is replaced',
  'etag-header-mismatch': 'the ETag header differs from @odata.mediaEtag',
  'etag-weak': 'the ETag header is weak (W/"...") instead of 8 hex digits in quotes',
  'etag-not-8-hex': 'the ETag has 16 hex digits instead of 8',
  'missing-size-variant': 'the smallest predefined size is never made',
  'leaked-largest-size': 'the largest predefined size (648x648) is made even for a smaller upload',
  'cropped-not-padded': 'a non-square photo is cropped into each square size instead of padded',
  'variant-not-resized': 'each size variant holds the uploaded bytes instead of an image of that size',
  'size-segment-ignored': 'photos/{size}/$value serves the default photo whatever size is asked',
  'no-fallback': 'a user without a mailbox cannot be updated (no fallback to the directory store)',
  'directory-dimension-lost': 'the directory store squares the photo into predefined sizes instead of keeping its dimension',
  'update-not-persisted': 'a photo update answers success but the old photo stays',
  'permission-not-checked': 'a token without the required permission is served instead of 403',
  'personal-account-allowed': 'a personal Microsoft account is served where the spec says not supported',
  'auth-not-required': 'a missing or bad token is served instead of 401 InvalidAuthenticationToken',
  'limit-not-enforced': "a body over the version's size limit is accepted instead of 413",
  'limit-after-buffering': 'an oversized body is read to its end before the 413 instead of refused while it streams',
  'method-not-enforced': 'a method the version does not allow (e.g. PATCH in beta) is served instead of 405',
  'allow-header-missing': '405 answers carry no Allow header',
  'content-type-not-checked': 'an upload with a missing or wrong Content-Type is accepted',
  'undecodable-accepted': 'bytes that are not an image are stored as the photo',
  'placeholder-missing': 'a photo that does not exist answers 404 instead of the documented 1x1 placeholder',
  'placeholder-etag-not-empty': 'the 1x1 placeholder carries a non-empty @odata.mediaEtag',
  'wrong-dialect-casing': "Outlook metadata uses Graph's lower-case id/width/height",
  'missing-odata-context': 'photo metadata has no @odata.context',
  'missing-odata-id': 'Outlook photo metadata has no @odata.id',
  'torn-write': 'replacing a photo publishes the new ETag before the new bytes (readers see a mix)',
  'error-inner-error-missing': 'Graph error bodies have no innerError',
  'request-id-missing': 'responses carry no request-id header',
  'client-request-id-not-echoed': "the client's client-request-id is answered with a different one",
  'retry-after-missing': 'a throttled request gets 429 without Retry-After',
  'no-photo-placeholder': 'a read the spec answers 404 without a photo (the v1.0 get page: $value) serves the 1x1 placeholder with 200',
  'etag-header-missing': '$value (and photos/{size}/$value) answers carry no ETag header',
  'media-type-mismatch': "photo metadata's @odata.mediaContentType names image/png while $value serves image/jpeg",
  'no-read-fallback': 'a user without a mailbox cannot be read (no fallback to the directory store on reads)',
  'b2c-served': 'photos are served in an Azure AD B2C tenant instead of refused',
  'team-route-missing': '/teams/{id}/photo is not routed (404 ResourceNotFound)',
  'team-photo-apart': '/teams/{id}/photo keeps a photo apart from /groups/{id}/photo: an update through one is not read through the other',
  'team-update-via-group-refused': "a team's photo update through /groups/{teamId} (beta) is refused with 404",
  'metadata-dimensions-as-strings': 'Graph photo metadata types width and height as strings instead of integers',
  'size-metadata-segment-ignored': 'photos/{size} metadata describes the default photo whatever size is asked',
  'rsc-grant-ignored': 'a resource-specific permission (TeamSettings.Read.Group) is refused even on the team that granted it',
  'rsc-grant-everywhere': 'a resource-specific permission granted by one team opens every team of the tenant',
  'personal-contacts-refused': "a personal Microsoft account is refused its own contacts' photos",
  'value-declared-png': '$value declares image/png for the JPEG bytes it serves',
  'graph-pascal-casing': "Graph metadata uses Outlook's PascalCase Id/Width/Height",
  'error-wrapper-missing': 'error bodies carry code and message at the top level, without the {"error": ...} wrapper',
  'error-code-uniform': 'every refusal answers the same error code (BadRequest), whatever went wrong',
  'stale-value-cache': '$value keeps serving the bytes it first served for a photo (a stale cache): metadata and ETag change with an update, the bytes do not',
  'key-segment-unrouted': "OData key-segment addresses (Users('{id}'), photos('{size}')) are not routed: 404, where /users/{id} works",
} as const;

export type FaultName = keyof typeof FAULTS;
export const FAULT_NAMES = Object.keys(FAULTS) as FaultName[];

/**
 * What a fault needs of the mock to show at all: `retry-after-missing` breaks the answer to a
 * throttled request, so its run throttles bursts (a bucket of 8 per app, refilled at 200 a
 * second: a suite's steady requests pass, a burst of 16 at once does not). The mock applies
 * the setting when the fault is on and no throttle of the user's is set.
 */
export interface FaultSetting {
  throttle?: { requestsPerSecond: number; burst: number };
}
export const FAULT_SETTINGS: Partial<Record<FaultName, FaultSetting>> = {
  'retry-after-missing': { throttle: { requestsPerSecond: 200, burst: 8 } },
};

export class UnknownFaultError extends Error {
  constructor(readonly names: string[]) {
    super(`unknown fault${names.length > 1 ? 's' : ''}: ${names.join(', ')} (known: ${FAULT_NAMES.join(', ')})`);
  }
}

export function parseFaults(names: readonly string[]): Set<FaultName> {
  const unknown = names.filter((n) => !(n in FAULTS));
  if (unknown.length > 0) throw new UnknownFaultError(unknown);
  return new Set(names as FaultName[]);
}
