/**
 * The two behaviours the mock can have. `docs` does what the pages say; where the pages are
 * silent both profiles take the service's observed answer. `live` does what the service is
 * observed to do. Every observed value cites its row in ../shared/facts/live-behaviour.md
 * (shown here as `live-behaviour.md: <case>`), so a reader can check it.
 * No fact the spec holds is repeated here: sizes, limits, methods, permissions and the
 * placeholder are read from the spec at startup.
 */

export type ProfileName = 'docs' | 'live';
export const PROFILE_NAMES: readonly ProfileName[] = ['docs', 'live'];

export interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
}

export interface Profile {
  name: ProfileName;
  /**
   * no photo: as the spec's requirements say for each read (docs: `no-photo` status or the
   * placeholder, see no-photo.ts), or 404 ImageNotFound even on $value (live)
   */
  noPhoto: 'spec' | ErrorAnswer;
  /**
   * Graph metadata: shaped like the get pages' examples (`@odata.context` `#Me/photo/$entity`
   * for /me, `@odata.id` naming the photo), or as observed (context by user id, no @odata.id)
   */
  graphMetadata: 'pageExamples' | 'observed';
  /** content types accepted on upload besides the ones the spec documents */
  extraUploadTypes: string[];
  /** the decoded image format must match the declared Content-Type (docs: image/jpeg is required) */
  formatMustMatchContentType: boolean;
  /** Content-Type of `$value` when the photo comes from the directory store */
  directoryValueContentType: string;
  /** size ids: '240X240' as the Outlook page's examples show, or lower case as observed since 2021 */
  sizeIdSeparator: 'X' | 'x';
  /** the id `/photo` reports: its size, or `default` (observed since 2024) */
  primaryId: 'size' | 'default';
  /** `/photo` serves the stored original (observed since storage moved to Entra ID) */
  primaryIsOriginal: boolean;
  /** a size the photo does not have: the spec's placeholder, or an error */
  unknownSize: 'placeholder' | (ErrorAnswer & { contentType: 'application/json' | 'text/plain' });
  /** `/contacts/{id}/photos/{size}`: not a route (docs) or 400 BadRequest (live) */
  contactSizeSegment?: ErrorAnswer;
  /** bytes that do not decode */
  notImage: ErrorAnswer;
}

/** Where the pages are silent, both profiles answer like this (live-behaviour.md rows). */
export const SILENT_PAGE_ANSWERS = {
  // live-behaviour.md: user that does not exist
  userNotFound: (key: string): ErrorAnswer => ({
    status: 404,
    code: 'ErrorInvalidUser',
    message: `The requested user '${key}' is invalid.`,
  }),
  // live-behaviour.md: metadata or $value when the user has no photo. Also the code of a
  // documented "404 Not Found" for a missing photo, which the pages give without a code.
  photoNotFound: (): ErrorAnswer => ({
    status: 404,
    code: 'ImageNotFound',
    message: "Exception of type 'Microsoft.Fast.Profile.Core.Exception.ImageNotFoundException' was thrown.",
  }),
  // live-behaviour.md: mailbox store failure (the object is not in the store)
  itemNotFound: (): ErrorAnswer => ({
    status: 404,
    code: 'ErrorItemNotFound',
    message: 'The specified object was not found in the store.',
  }),
  // live-behaviour.md: user without an Exchange Online mailbox (used by the no-fallback and no-read-fallback faults)
  nonExistentMailbox: (): ErrorAnswer => ({
    status: 404,
    code: 'ErrorNonExistentMailbox',
    message: 'The SMTP address has no mailbox associated with it.',
  }),
  // live-behaviour.md: token without the needed permission
  accessDenied: (): ErrorAnswer => ({
    status: 403,
    code: 'ErrorAccessDenied',
    message: 'Access is denied. Check credentials and try again.',
  }),
  // live-behaviour.md: throttling (429 with Retry-After)
  throttled: (): ErrorAnswer => ({ status: 429, code: 'TooManyRequests', message: 'Too many requests.' }),
  // Graph's answer to /me under an app-only token; the pages say /me is the signed-in user.
  meWithoutUser: (): ErrorAnswer => ({
    status: 400,
    code: 'BadRequest',
    message: '/me request is only valid with delegated authentication flow.',
  }),
  // No page documents a 413 (live-behaviour.md: too large a photo); the status is HTTP's own.
  tooLarge: (limit: number): ErrorAnswer => ({
    status: 413,
    code: 'RequestEntityTooLarge',
    message: `The request body exceeds the ${limit} byte limit for this API version.`,
  }),
  // The same for the photo itself where a page limits it apart from the request.
  photoTooLarge: (limit: number): ErrorAnswer => ({
    status: 413,
    code: 'RequestEntityTooLarge',
    message: `The photo exceeds the ${limit} byte limit for a photo in this API version.`,
  }),
  // The pages say photos are "not supported" in Azure AD B2C tenants and give no answer; no
  // row of live-behaviour.md covers it. HTTP's own refusal of what the service does not do here.
  b2cUnsupported: (): ErrorAnswer => ({
    status: 400,
    code: 'BadRequest',
    message: 'Profile photos are not supported through Microsoft Graph in Azure AD B2C tenants.',
  }),
  unsupportedMediaType: (got: string, accepted: string[]): ErrorAnswer => ({
    status: 415,
    code: 'UnsupportedMediaType',
    message: `Content-Type '${got}' is not supported; send ${accepted.join(' or ')}.`,
  }),
  emptyBody: (): ErrorAnswer => ({ status: 400, code: 'BadRequest', message: 'The request body is empty.' }),
  notFound: (path: string): ErrorAnswer => ({
    status: 404,
    code: 'ResourceNotFound',
    message: `Resource not found for the segment '${path}'.`,
  }),
  badPath: (): ErrorAnswer => ({ status: 400, code: 'BadRequest', message: 'The request path is not valid.' }),
  methodNotAllowed: (method: string): ErrorAnswer => ({
    status: 405,
    code: 'ErrorInvalidRequest',
    message: `The HTTP method '${method}' is not allowed for this resource in this API version.`,
  }),
};

export const PROFILES: Record<ProfileName, Profile> = {
  docs: {
    name: 'docs',
    // Per read, as the spec's requirements say (no-photo.ts).
    noPhoto: 'spec',
    graphMetadata: 'pageExamples',
    extraUploadTypes: [],
    formatMustMatchContentType: true,
    directoryValueContentType: 'image/jpeg',
    sizeIdSeparator: 'X', // the Outlook page's examples: "Id": "240X240", "1X1"
    primaryId: 'size',
    primaryIsOriginal: false,
    // The corpus page says only the sizes at or below the upload "are available" and leaves the
    // rest open; the beta pages show the 1x1 metadata coming back (live-behaviour.md: size that
    // does not exist). Without a placeholder in the spec, 404 ErrorItemNotFound. The bytes of
    // such a size (`photos/{size}/$value`) are the read's no-photo answer: no page shows a
    // placeholder's bytes.
    unknownSize: 'placeholder',
    notImage: { status: 400, code: 'BadRequest', message: 'The request body is not a decodable image.' },
  },
  live: {
    name: 'live',
    // live-behaviour.md: metadata or $value when the user has no photo; /photos collection when the user has no photo
    noPhoto: SILENT_PAGE_ANSWERS.photoNotFound(),
    // live-behaviour.md: metadata shape
    graphMetadata: 'observed',
    // live-behaviour.md: image/png accepted in practice
    extraUploadTypes: ['image/png'],
    formatMustMatchContentType: false,
    // live-behaviour.md: photo served from the directory (Azure AD) store
    directoryValueContentType: 'image/Jpeg',
    // live-behaviour.md: metadata shape (ids lower case since 2021, `default` since 2024)
    sizeIdSeparator: 'x',
    primaryId: 'default',
    primaryIsOriginal: true,
    // live-behaviour.md: size that does not exist (404 with text/plain)
    unknownSize: { status: 404, code: 'NotFound', message: 'Not Found', contentType: 'text/plain' },
    // live-behaviour.md: size segment on a contact photo
    contactSizeSegment: {
      status: 400,
      code: 'BadRequest',
      message: "Unsupported segment type. ODataQuery: contacts/photos/{size}",
    },
    // live-behaviour.md: bytes that are not an image
    notImage: { status: 400, code: 'BadRequest', message: "The file you chose isn't an image. Please choose a different file." },
  },
};
