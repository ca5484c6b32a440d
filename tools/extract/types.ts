/**
 * The extractor's internal contract. A page is extracted on its own (`extractPage`, pure,
 * possibly in a worker thread, possibly from a cache), so everything here is plain JSON:
 * no classes, no Maps, no functions, no undefined-vs-missing distinctions that JSON loses.
 * `SpecBuilder` (merge.ts) turns a stream of `PageResult`s into the spec.
 */
import type {
  Api,
  Area,
  Assertion,
  BEHAVIOUR_KINDS,
  Level,
  Method,
  PermissionType,
  Resource,
  Target,
  TRANSLATIONS,
  Version,
} from '../spec/model.ts';

export type Severity = 'error' | 'warning' | 'info';

/** vfile-style message: printed as `file:line:column severity message rule-id`. */
export interface Diagnostic {
  file: string;
  line: number;
  column: number;
  severity: Severity;
  message: string;
  ruleId: string;
}

export type Translation = (typeof TRANSLATIONS)[number];
export type BehaviourKind = (typeof BEHAVIOUR_KINDS)[number];

/** What `spec/sources.yaml` may pin for a page where detection cannot work. */
export interface SourcePins {
  id?: string;
  locale?: string;
  api?: Api;
  versions?: Version[];
  /** YYYY-MM-DD */
  date?: string;
  translation?: Translation;
}

export interface PageInput {
  /** As the user named it; relative to the repository root where possible. */
  path: string;
  text: string;
  pins?: SourcePins;
}

/** A sentence as the page states it (the model's Quote). */
export interface QuoteFact {
  text: string;
  lang: string;
  en?: string;
}

/** A position in the page, 1-based, with the sentence it came from. */
export interface Loc {
  line: number;
  column: number;
  quote?: QuoteFact;
}

export interface Detection {
  /** Stable source id (slug of the file name unless pinned). */
  id: string;
  locale: string;
  api: Api;
  versions: Version[];
  translation: Translation;
  bilingual: boolean;
  date?: string;
  dateFrom?: string;
  title?: string;
  anchor?: string;
  /** Fields taken from the pins rather than detected. */
  pinned: string[];
}

export interface PathParameterFact {
  name: string;
  kinds: string[];
  original: string;
}

export interface OperationFact {
  api: Api;
  version: Version;
  method: Method;
  /** Normalized template relative to the version root, e.g. /users/{id}/photo/$value. */
  path: string;
  originalPath: string;
  parameters: PathParameterFact[];
  /** Absent for paths outside the profile photo API (the scale corpus): counted, not put in the spec. */
  resource?: Resource;
  target?: Target;
  /** For contact photos: whose contacts (me or a user by id). */
  owner?: 'me' | 'user';
  /** The collection the path goes through when it is not the resource's own (a team's photo through `/groups/{teamId}`): part of the id. */
  route?: 'groups';
  /**
   * A syntax-block path whose collection the page's examples spell otherwise (`/team/{id}`
   * against `/teams/172b...`): `path` is the examples' form; this keeps the syntax block's.
   */
  pathConflict?: {
    /** The syntax block's path, normalized (`/team/{teamId}/photo`). */
    syntaxPath: string;
    /** The example's path as written. */
    examplePath: string;
    exampleAt: Loc;
  };
  /** endpoint: an endpoint listing (the `ignored` block, Outlook's no-highlight lists); example: a request example. */
  from: 'endpoint' | 'example';
  /** Index of the page section (between anchors / thematic breaks) the block sits in. */
  section: number;
  at: Loc;
}

/** Which operations of the page a fact applies to. Empty arrays mean "all on the page". */
export interface Scope {
  api: Api;
  versions: Version[];
  methods: Method[];
  targets: Target[];
  resources: Resource[];
}

export interface HeaderFact {
  name: string;
  required: boolean;
  value?: string;
  scope: Scope;
  at: Loc;
}

export interface BodyFact {
  kind: 'binary' | 'none';
  contentTypes: string[];
  scope: Scope;
  at: Loc;
}

export interface LimitFact {
  api: Api;
  version: Version;
  /** What the figure limits: the whole request, or the photo itself. */
  subject: 'request' | 'photo';
  /** The stated maximum in bytes, of what `subject` names. */
  maxRequestBytes: number;
  at: Loc;
}

/** Methods the prose allows ("use only PUT in beta"); `garbled` when the sentence names none. */
export interface MethodProseFact {
  api: Api;
  version: Version;
  methods: Method[];
  only: boolean;
  garbled: boolean;
  at: Loc;
}

export interface PermissionFact {
  type: PermissionType;
  resources: Resource[];
  supported: boolean;
  permissions: string[];
  /**
   * Entries of `permissions` written without their dots by a translation (`TeamReadBasicAll`),
   * as written: the merge recovers each from a name another page of the run states, or drops it.
   */
  damaged?: string[];
  scope: Scope;
  at: Loc;
}

export interface ResponseFact {
  status: number;
  contentType?: string;
  example?: unknown;
  /** Key into PageFacts.schemas. */
  schema?: string;
  truncated?: boolean;
  odataType?: string;
  scope: Scope;
  at: Loc;
}

export interface PlaceholderFact {
  api: Api;
  versions: Version[];
  id: string;
  width: number;
  height: number;
  contentType: string;
  etag: string;
  at: Loc;
}

export interface SizeVariantsFact {
  api: Api;
  versions: Version[];
  predefined: string[];
  atOrBelowUpload: boolean;
  directoryAnyDimension: boolean;
  at: Loc;
}

export interface BehaviourFact {
  kind: BehaviourKind;
  api: Api;
  versions: Version[];
  resources: Resource[];
  at: Loc;
}

/** One property of a resource page's properties table (or list). */
export interface EntityPropertyFact {
  name: string;
  /** As the page writes it: string, int32, Int64, String collection, ... */
  type: string;
  readOnly: boolean;
  at: Loc;
}

/** One row of a resource page's methods table: the method page it links to. */
export interface EntityMethodFact {
  /** The link as written, e.g. ../api/profilephoto-get.md */
  page: string;
  returns?: string;
  at: Loc;
}

/** What a resource page states of an entity type (rules/resource). */
export interface EntityFact {
  /** Qualified where the page says so (microsoft.graph.profilePhoto), else the short name. */
  name: string;
  api: Api;
  versions: Version[];
  baseType?: string;
  keyProperty?: string;
  mediaEntity?: boolean;
  properties: EntityPropertyFact[];
  /** Properties the JSON representation shows, less its optionalProperties; absent without a representation. */
  required?: string[];
  methods: EntityMethodFact[];
  /** The page's title (or heading). */
  at: Loc;
  /** The JSON representation's annotation, where the page has one. */
  annotationAt?: Loc;
}

/**
 * A sentence (or example line) stating something checkable about the operations in `scope`
 * (rules/statements). The merge makes it the requirement `<api>.<version>/<key>` (or
 * `<operation id>/<key>` when `perOperation`), or adds it to that requirement where other
 * facts already make it (sizes/predefined, sizes/placeholder, response/content-type).
 */
export interface StatementFact {
  key: string;
  area: Area;
  level: Level;
  description: string;
  /** Absent for a statement that only supports a requirement made from other facts. */
  assert?: Assertion;
  perOperation?: boolean;
  scope: Scope;
  /** A link to the resource page the statement names (`returns a [profilePhoto](../resources/profilephoto.md) object`). */
  entityPage?: string;
  at: Loc;
}

export interface PageFacts {
  detection: Detection;
  operations: OperationFact[];
  headers: HeaderFact[];
  bodies: BodyFact[];
  limits: LimitFact[];
  methodProse: MethodProseFact[];
  permissions: PermissionFact[];
  responses: ResponseFact[];
  /** JSON Schemas derived from example payloads, keyed e.g. outlook.profilePhoto. */
  schemas: Record<string, unknown>;
  sizeVariants: SizeVariantsFact[];
  placeholders: PlaceholderFact[];
  behaviours: BehaviourFact[];
  entities: EntityFact[];
  statements: StatementFact[];
}

export interface PageResult {
  path: string;
  sha256: string;
  facts: PageFacts;
  messages: Diagnostic[];
  stats: { httpRequestBlocks: number; operations: number };
}
