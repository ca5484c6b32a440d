/**
 * The spec model: the one contract between the extractor (writes it), the mock tenant
 * and the generator (read it). Declared once with TypeBox so that the TypeScript types
 * and `spec/spec.schema.json` cannot drift apart.
 */
import { Type as T, type Static, type TSchema } from '@sinclair/typebox';

const StringEnum = <V extends string>(values: readonly V[], description?: string) =>
  T.Union(
    values.map((v) => T.Literal(v)),
    description ? { description } : {},
  );

export const API_NAMES = ['graph', 'outlook'] as const;
export const Api = StringEnum(API_NAMES, 'graph: Microsoft Graph; outlook: Outlook REST API');
export type Api = Static<typeof Api>;

/** Graph: v1.0 and beta. Outlook REST: v2.0 and beta. */
export const VERSIONS = ['v1.0', 'beta', 'v2.0'] as const;
export const Version = StringEnum(VERSIONS);
export type Version = Static<typeof Version>;

export const METHODS = ['GET', 'PUT', 'PATCH', 'POST', 'DELETE'] as const;
export const Method = StringEnum(METHODS);
export type Method = Static<typeof Method>;

export const LEVELS = ['MUST', 'SHOULD', 'MAY'] as const;
export const Level = StringEnum(LEVELS);
export type Level = Static<typeof Level>;

/**
 * Whose photo: the signed-in user, a user by id or UPN, a group, a team (a team is a group:
 * one photo stands behind `/teams/{id}` and `/groups/{id}`), a contact (optionally in a folder).
 */
export const RESOURCES = ['me', 'user', 'group', 'team', 'contact', 'contactInFolder'] as const;
export const Resource = StringEnum(RESOURCES);
export type Resource = Static<typeof Resource>;

/** What the path addresses. */
export const TARGETS = [
  'metadata', // .../photo
  'value', // .../photo/$value
  'photos', // .../photos (the size collection)
  'photoSize', // .../photos/{size} or photos('{size}')
  'photoSizeValue', // .../photos/{size}/$value
] as const;
export const Target = StringEnum(TARGETS);
export type Target = Static<typeof Target>;

export const PERMISSION_TYPES = ['delegatedWork', 'delegatedPersonal', 'application'] as const;
export const PermissionType = StringEnum(PERMISSION_TYPES);
export type PermissionType = Static<typeof PermissionType>;

export const AREAS = [
  'status',
  'content-type',
  'metadata',
  'sizes',
  'fallback',
  'permissions',
  'limits',
  'methods',
  'headers',
  'auth',
  'protocol', // what every answer of the protocol carries: error bodies, request ids, entity tags, throttling
] as const;
export const Area = StringEnum(AREAS);
export type Area = Static<typeof Area>;

/** A sentence as the page states it: always in the page's language, in English where the page keeps it. */
export const Quote = T.Object(
  {
    text: T.String({ description: "the sentence in the page's language" }),
    lang: T.String({ description: 'BCP 47 tag of `text`' }),
    en: T.Optional(T.String({ description: 'the English source sentence, where the page has it' })),
  },
  { additionalProperties: false },
);
export type Quote = Static<typeof Quote>;

/** Where a fact came from. `ref` is `file:line:column`, file relative to the repository root. */
export const SourceRef = T.Object(
  {
    source: T.String({ description: 'id of an entry in `sources`' }),
    ref: T.String({ pattern: '^.+:\\d+:\\d+$' }),
    line: T.Integer({ minimum: 1 }),
    column: T.Integer({ minimum: 1 }),
    quote: T.Optional(Quote),
  },
  { additionalProperties: false },
);
export type SourceRef = Static<typeof SourceRef>;

export const TRANSLATIONS = ['original', 'bilingual', 'human', 'machine', 'mixed'] as const;
export const Source = T.Object(
  {
    id: T.String({ pattern: '^[a-z0-9][a-z0-9.-]*$' }),
    path: T.String({ description: 'as read, relative to the repository root where possible' }),
    sha256: T.String({ pattern: '^[0-9a-f]{64}$' }),
    locale: T.String(),
    api: Api,
    versions: T.Array(Version, { minItems: 1 }),
    translation: StringEnum(TRANSLATIONS),
    bilingual: T.Boolean(),
    date: T.Optional(T.String({ format: 'date' })),
    dateFrom: T.Optional(T.String({ description: 'which field gave the date: ms.lasthandoff, ms.date, uuid comment...' })),
    title: T.Optional(T.String()),
    anchor: T.Optional(T.String({ description: "the page's first stable anchor, e.g. update-profilephoto" })),
    pinned: T.Optional(T.Array(T.String(), { description: 'fields taken from the manifest, not detected' })),
  },
  { additionalProperties: false },
);
export type Source = Static<typeof Source>;

export const PathParameter = T.Object(
  {
    name: T.String({ description: 'normalized name, used as {name} in `path`' }),
    kinds: T.Array(T.String(), { description: 'what the value may be: id, userPrincipalName, size...' }),
    original: T.String({ description: 'the placeholder exactly as written' }),
  },
  { additionalProperties: false },
);

export const Header = T.Object(
  {
    name: T.String(),
    required: T.Boolean(),
    value: T.Optional(T.String({ description: 'documented value, e.g. image/jpeg or Bearer {token}' })),
    sources: T.Array(SourceRef),
  },
  { additionalProperties: false },
);
export type Header = Static<typeof Header>;

export const Permission = T.Object(
  {
    type: PermissionType,
    supported: T.Boolean({ description: 'false where the page says "not supported"' }),
    permissions: T.Array(T.String(), { description: 'least to most privileged' }),
    sources: T.Array(SourceRef),
  },
  { additionalProperties: false },
);
export type Permission = Static<typeof Permission>;

export const ResponseSpec = T.Object(
  {
    status: T.Integer({ minimum: 100, maximum: 599 }),
    contentType: T.Optional(T.String()),
    description: T.Optional(T.String()),
    example: T.Optional(T.Unknown({ description: 'example payload parsed as JSON' })),
    schema: T.Optional(T.String({ description: 'key into the top-level `schemas`' })),
    truncated: T.Optional(T.Boolean()),
    odataType: T.Optional(T.String()),
    sources: T.Array(SourceRef),
  },
  { additionalProperties: false },
);
export type ResponseSpec = Static<typeof ResponseSpec>;

export const Operation = T.Object(
  {
    id: T.String({ description: 'stable: api.version.method[.owner].resource.target[.via-route], e.g. graph.beta.put.team.value.via-groups for a team reached through /groups' }),
    api: Api,
    version: Version,
    method: Method,
    path: T.String({ description: 'normalized template, parameters as {name}, relative to the version root' }),
    originalPaths: T.Array(T.String(), { description: 'the paths as the pages wrote them' }),
    parameters: T.Array(PathParameter),
    resource: Resource,
    target: Target,
    headers: T.Array(Header),
    body: T.Optional(
      T.Object(
        {
          kind: StringEnum(['binary', 'none'] as const),
          contentTypes: T.Array(T.String()),
          sources: T.Array(SourceRef),
        },
        { additionalProperties: false },
      ),
    ),
    maxRequestBytes: T.Optional(T.Integer({ minimum: 1, description: 'resolved limit for this api/version' })),
    maxPhotoBytes: T.Optional(
      T.Integer({ minimum: 1, description: 'resolved limit on the photo itself, where a page states one apart from the request' }),
    ),
    responses: T.Array(ResponseSpec),
    permissions: T.Array(Permission),
    sources: T.Array(SourceRef),
  },
  { additionalProperties: false },
);
export type Operation = Static<typeof Operation>;

export const LIMIT_SUBJECTS = ['request', 'photo'] as const;
export const Limit = T.Object(
  {
    api: Api,
    version: Version,
    subject: T.Optional(
      StringEnum(LIMIT_SUBJECTS, 'what the figure limits: the whole request (absent means request) or the photo itself'),
    ),
    maxRequestBytes: T.Integer({ minimum: 1, description: 'the stated maximum in bytes, of what `subject` names' }),
    sources: T.Array(SourceRef, { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type Limit = Static<typeof Limit>;

/** Which methods may change the photo, per api and version. */
export const MethodRule = T.Object(
  {
    api: Api,
    version: Version,
    target: Target,
    allowed: T.Array(Method, { minItems: 1 }),
    fromEndpointBlocks: T.Array(Method),
    fromProse: T.Optional(T.Array(Method)),
    sources: T.Array(SourceRef),
  },
  { additionalProperties: false },
);
export type MethodRule = Static<typeof MethodRule>;

export const SizeVariants = T.Object(
  {
    predefined: T.Array(T.String({ pattern: '^\\d+x\\d+$' }), { description: "square sizes, e.g. '48x48'" }),
    availability: StringEnum(['atOrBelowUpload'] as const),
    placeholder: T.Optional(
      T.Object(
        {
          id: T.String(),
          width: T.Integer(),
          height: T.Integer(),
          contentType: T.String(),
          etag: T.String({ description: 'the documented mediaEtag, empty string when the page shows ""' }),
          sources: T.Array(SourceRef),
        },
        { additionalProperties: false },
      ),
    ),
    directoryAnyDimension: T.Boolean({ description: 'photos stored in Azure AD may have any dimension' }),
    sources: T.Array(SourceRef),
  },
  { additionalProperties: false },
);
export type SizeVariants = Static<typeof SizeVariants>;

/** Refusals whose error body the facts describe. */
export const ERROR_SITUATIONS = ['unauthenticated', 'forbidden', 'not-an-image'] as const;

export const BEHAVIOUR_KINDS = [
  'mailboxFallback', // update tries the mailbox, then Azure AD when the user has none
  'workOrSchoolOnly', // personal mailboxes are not supported
  'groupApplicationKnownIssue', // known issue: group photos with application permissions
  'adminAnyUser', // an app with admin consent can set any user's photo
  'readFallback', // a read tries the mailbox (Microsoft 365), then Azure AD
  'exchangeOnlySizes', // the photos collection and size variants are Exchange's; Azure AD stores one photo
  'b2cUnsupported', // Azure AD B2C tenants do not support photos through Graph
] as const;
export const Behaviour = T.Object(
  {
    id: T.String(),
    kind: StringEnum(BEHAVIOUR_KINDS),
    api: Api,
    versions: T.Array(Version),
    resources: T.Optional(T.Array(Resource)),
    sources: T.Array(SourceRef, { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type Behaviour = Static<typeof Behaviour>;

/**
 * What a requirement asserts, in a form the generator can turn into a test without
 * knowing any fact itself. One `kind` per kind of check.
 */
export const Assertion = T.Union([
  T.Object({ kind: T.Literal('status'), status: T.Integer() }, { additionalProperties: false }),
  T.Object({ kind: T.Literal('content-type'), contentType: T.String() }, { additionalProperties: false }),
  T.Object({ kind: T.Literal('response-schema'), schema: T.String() }, { additionalProperties: false }),
  T.Object(
    { kind: T.Literal('request-header'), header: T.String(), value: T.Optional(T.String()) },
    { additionalProperties: false },
  ),
  T.Object({ kind: T.Literal('methods'), allowed: T.Array(Method) }, { additionalProperties: false }),
  T.Object(
    { kind: T.Literal('size-limit'), maxRequestBytes: T.Integer(), subject: T.Optional(StringEnum(LIMIT_SUBJECTS)) },
    { additionalProperties: false },
  ),
  T.Object(
    { kind: T.Literal('no-photo'), status: T.Integer(), code: T.Optional(T.String()) },
    { additionalProperties: false, description: 'what a read answers when the photo does not exist' },
  ),
  T.Object(
    {
      kind: T.Literal('response-header'),
      header: T.String(),
      value: T.Optional(T.String()),
      pattern: T.Optional(T.String({ description: 'a regular expression the whole value matches' })),
      echo: T.Optional(T.Boolean({ description: "the value is the one the request's header of the same name carried" })),
    },
    { additionalProperties: false, description: 'a header the response carries' },
  ),
  T.Object(
    {
      kind: T.Literal('error-body'),
      situation: StringEnum(ERROR_SITUATIONS),
      status: T.Optional(T.Integer({ description: 'absent: any 4xx' })),
      code: T.Optional(T.String({ description: 'error.code; matched exactly, never the message' })),
      innerError: T.Optional(T.Array(T.String(), { description: 'Graph: the members error.innerError carries' })),
    },
    { additionalProperties: false, description: "a refusal answers with the protocol's error body: {error: {code, message}}" },
  ),
  T.Object(
    { kind: T.Literal('etag-consistency') },
    { additionalProperties: false, description: 'a strong entity tag names one photo: reads during an update never pair one ETag with two photos' },
  ),
  T.Object(
    { kind: T.Literal('throttling'), header: T.String() },
    { additionalProperties: false, description: 'a throttled request is answered 429 with this header (Retry-After)' },
  ),
  T.Object(
    { kind: T.Literal('padded-variants') },
    { additionalProperties: false, description: 'a non-square upload is padded into each square size, not cropped' },
  ),
  T.Object(
    { kind: T.Literal('media-entity') },
    { additionalProperties: false, description: 'metadata names the media (@odata.mediaContentType, @odata.mediaEtag) that $value serves' },
  ),
  T.Object(
    { kind: T.Literal('size-variants'), sizes: T.Array(T.String()), availability: T.String() },
    { additionalProperties: false },
  ),
  T.Object(
    { kind: T.Literal('placeholder'), id: T.String(), contentType: T.String(), etag: T.String() },
    { additionalProperties: false },
  ),
  T.Object(
    {
      kind: T.Literal('permission'),
      type: PermissionType,
      supported: T.Boolean(),
      permissions: T.Array(T.String()),
    },
    { additionalProperties: false },
  ),
  T.Object({ kind: T.Literal('behaviour'), behaviour: StringEnum(BEHAVIOUR_KINDS) }, { additionalProperties: false }),
]);
export type Assertion = Static<typeof Assertion>;

/**
 * Why a requirement has its level. A sentence binds the party it addresses: a duty of the
 * caller ("you should include a token") does not make the server's answer optional, and a
 * plain statement of what the service returns is a MUST for a server claiming conformance.
 */
export const LEVEL_RULES = [
  'service-statement', // the page states what the service returns or does: MUST
  'normative-word', // the sentence's own word (must, should, may, only...) binds the service
  'caller-duty', // the sentence binds the caller; the server's answer to a caller who fails it is still a MUST
  'known-issue', // the page warns the behaviour may not hold: MAY
  'observed', // not promised by a page; the service is observed to do it (facts): SHOULD
  'optional-feature', // the page says a caller may ask for it, or the service may do it: MAY
] as const;
export const LevelBasis = T.Object(
  { rule: StringEnum(LEVEL_RULES), note: T.String({ description: 'how the rule applies to the quoted sentence' }) },
  { additionalProperties: false },
);
export type LevelBasis = Static<typeof LevelBasis>;

export const Requirement = T.Object(
  {
    id: T.String({ pattern: '^[a-z0-9][a-z0-9./-]*$', description: 'stable, from anchors and the operation' }),
    level: Level,
    levelBasis: T.Optional(LevelBasis),
    area: Area,
    description: T.String(),
    quote: Quote,
    operations: T.Array(T.String(), { description: 'operation ids the requirement applies to' }),
    assert: Assertion,
    sources: T.Array(SourceRef, { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type Requirement = Static<typeof Requirement>;

export const Conflict = T.Object(
  {
    id: T.String(),
    subject: T.String({ description: 'what disagrees, e.g. limit graph beta' }),
    values: T.Array(
      T.Object({ value: T.Unknown(), sources: T.Array(SourceRef, { minItems: 1 }) }, { additionalProperties: false }),
      { minItems: 2 },
    ),
    resolution: T.Object(
      {
        rule: StringEnum([
          'newest-page',
          'endpoint-block-over-prose',
          'examples-over-syntax-block',
          'resource-page-over-examples',
          'per-version',
          'unresolved',
        ] as const),
        value: T.Unknown(),
        note: T.String(),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type Conflict = Static<typeof Conflict>;

/** What a resource page states of an entity type: its properties, methods and annotations. */
export const EntityProperty = T.Object(
  {
    name: T.String(),
    type: T.String({ description: 'as the page writes it: string, int32, ...' }),
    readOnly: T.Boolean(),
    sources: T.Array(SourceRef, { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type EntityProperty = Static<typeof EntityProperty>;

export const Entity = T.Object(
  {
    name: T.String({ description: 'e.g. microsoft.graph.profilePhoto' }),
    api: Api,
    versions: T.Array(Version, { minItems: 1 }),
    baseType: T.Optional(T.String()),
    keyProperty: T.Optional(T.String()),
    mediaEntity: T.Optional(T.Boolean({ description: 'isMediaEntity: the entity has a $value stream' })),
    properties: T.Array(EntityProperty),
    methods: T.Array(
      T.Object(
        {
          page: T.String({ description: 'the method page the table links to, e.g. ../api/profilephoto-get.md' }),
          returns: T.Optional(T.String()),
          operations: T.Array(T.String(), { description: 'operation ids the linked page yields in this run' }),
          sources: T.Array(SourceRef, { minItems: 1 }),
        },
        { additionalProperties: false },
      ),
    ),
    schema: T.Optional(T.String({ description: 'key into `schemas`: the metadata schema the properties table makes' })),
    sources: T.Array(SourceRef, { minItems: 1 }),
  },
  { additionalProperties: false },
);
export type Entity = Static<typeof Entity>;

/** A document of observed service behaviour (../shared/facts), read beside the pages. */
export const FactSource = T.Object(
  {
    id: T.String({ pattern: '^[a-z0-9][a-z0-9.-]*$' }),
    path: T.String(),
    sha256: T.String({ pattern: '^[0-9a-f]{64}$' }),
    title: T.Optional(T.String()),
  },
  { additionalProperties: false },
);
export type FactSource = Static<typeof FactSource>;

export const Spec = T.Object(
  {
    specVersion: T.Literal(1),
    title: T.String(),
    generator: T.String(),
    sources: T.Array(Source),
    facts: T.Optional(T.Array(FactSource, { description: 'observed-behaviour documents the protocol requirements cite' })),
    operations: T.Array(Operation),
    limits: T.Array(Limit),
    methods: T.Array(MethodRule),
    sizeVariants: T.Optional(SizeVariants),
    entities: T.Optional(T.Array(Entity)),
    behaviours: T.Array(Behaviour),
    requirements: T.Array(Requirement),
    conflicts: T.Array(Conflict),
    schemas: T.Record(T.String(), T.Unknown(), {
      description: 'JSON Schemas (draft 2020-12 subset ajv compiles) derived from example payloads',
    }),
  },
  { additionalProperties: false, $id: 'https://photo-conformance.local/spec.schema.json' },
);
export type Spec = Static<typeof Spec>;

/** The schema as written to spec/spec.schema.json. */
export function specJsonSchema(): TSchema & Record<string, unknown> {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'photo-conformance spec',
    ...JSON.parse(JSON.stringify(Spec)),
  };
}
