/**
 * The data a generated test hands to the harness: everything it needs from the spec,
 * inlined by the generator as literals. The harness holds no fact of the spec; it knows
 * only how to perform a kind of check with the facts it is given.
 */
import type { Api, Level, Method, PermissionType, Resource, Target, Version } from '../../tools/spec/model.ts';

export interface OperationFacts {
  id: string;
  api: Api;
  version: Version;
  method: Method;
  path: string;
  resource: Resource;
  target: Target;
  /** what each path parameter may be, by the name in `path` (id, userPrincipalName, size...) */
  parameterKinds: Record<string, string[]>;
  /** documented request body media types (body.contentTypes, else the Content-Type header value) */
  requestContentTypes: string[];
  /** documented success status, if the pages give one (the first the pages list) */
  successStatus?: number;
  /** every success status the pages allow ("200 OK, or 204 No Content for a team"), when more than one */
  successStatuses?: number[];
  permissions: { type: PermissionType; supported: boolean; permissions: string[] }[];
  /** the photo's property names as the spec's schemas spell them in this API (Graph `width`, Outlook `Width`) */
  metadataNames?: { id: string; width: string; height: string };
  /** for paths with a size parameter: a predefined size to address (the smallest) */
  sampleSize?: string;
}

export interface RequirementFacts {
  id: string;
  level: Level;
  area: string;
}

export interface Placeholder {
  id: string;
  width: number;
  height: number;
  contentType: string;
  etag: string;
}

/** A user address form for `users/{x}`: by object id or by user principal name. */
export type AddressForm = 'id' | 'userPrincipalName';

export type Size = { width: number; height: number };

export type TokenProblem = 'none' | 'malformed' | 'badSignature' | 'algNone' | 'expired';

export type CheckCase =
  | {
      check: 'status';
      status: number;
      addressForm?: AddressForm;
      /** a documented form of the path other than the operation's own (an OData key segment: `/Users('{user_id}')/photo`) */
      pathForm?: string;
    }
  | { check: 'response-content-type'; contentType: string }
  | { check: 'request-content-type'; contentType: string; variant: 'documented' | 'missing' | 'wrong' }
  | { check: 'response-schema'; schemaName: string; schema: unknown }
  | { check: 'auth'; problem: TokenProblem }
  | { check: 'method-allowed'; method: Method }
  | { check: 'method-refused'; method: Method; allowed: Method[] }
  | { check: 'size-limit'; maxRequestBytes: number; variant: 'under' | 'over' | 'over-early'; subject?: 'request' | 'photo' }
  | {
      check: 'size-variants';
      sizes: string[];
      upload: { width: number; height: number };
      /** the documented write of the same resource, absent when the spec has none */
      write?: OperationFacts;
    }
  | { check: 'unavailable-size'; sizes: string[]; write?: OperationFacts; placeholder?: Placeholder }
  | { check: 'placeholder'; placeholder: Placeholder }
  | { check: 'permission-least'; type: PermissionType; permission: string }
  | { check: 'permission-lacking'; type: PermissionType; permissions: string[] }
  | { check: 'permission-unsupported'; type: PermissionType }
  | {
      check: 'round-trip';
      upload: Size;
      reads: Partial<Record<Target, OperationFacts>>;
      /** the predefined sizes: every one at or below the upload is read back too */
      sizes?: string[];
    }
  | { check: 'mailbox-fallback'; upload: { width: number; height: number }; reads: Partial<Record<Target, OperationFacts>> }
  | { check: 'no-photo'; status: number; code?: string }
  | {
      check: 'response-header';
      header: string;
      value?: string;
      /** the whole value matches this regular expression */
      pattern?: string;
      /** the value is the one the request carried in the header of the same name */
      echo?: boolean;
      reads: Partial<Record<Target, OperationFacts>>;
    }
  | {
      check: 'error-body';
      situation: 'unauthenticated' | 'forbidden' | 'not-an-image';
      /** absent: any 4xx */
      status?: number;
      code?: string;
      /** Graph: members of error.innerError */
      innerError?: string[];
    }
  | { check: 'etag-consistency'; reads: Partial<Record<Target, OperationFacts>> }
  | { check: 'throttling'; header: string; burst: number }
  | { check: 'padded-variants'; sizes: string[]; upload: Size; write?: OperationFacts }
  | { check: 'media-entity'; reads: Partial<Record<Target, OperationFacts>> }
  | { check: 'read-fallback'; upload: Size; write?: OperationFacts }
  | { check: 'directory-single-photo'; upload: Size; write?: OperationFacts; sizes: string[] }
  | { check: 'b2c-unsupported' }
  | { check: 'work-or-school-only' }
  | { check: 'group-application-known-issue'; permission: string }
  | { check: 'admin-any-user'; permission: string };

export type TestCase = CheckCase & {
  requirement: RequirementFacts;
  operation: OperationFacts;
};

/**
 * One check as a generated file lists it: a Playwright test runs a group of these, one step
 * each (see fixtures.ts). Its title is what results.json, the baseline and `--grep` name.
 */
export interface GroupedCheck {
  /** starts with the requirement id, then a space */
  title: string;
  tags: string[];
  /** the page the requirement comes from */
  source: string;
  case: TestCase;
}

/** The attachment name of a check's outcome (JSON, a `CheckOutcome`), attached to its step. */
export const CHECK_OUTCOME_ATTACHMENT = 'check';
/** The attachment (JSON, a list of titles) naming the checks of a group the run selected, attached before the first runs. */
export const CHECKS_SELECTED_ATTACHMENT = 'selected checks';
/** The annotation type that lists a group's checks by title, in order, on its Playwright test. */
export const CHECK_ANNOTATION = 'check';

/** What the harness reports of one check; the conformance reporter makes a result of each. */
export interface CheckOutcome {
  title: string;
  requirement: RequirementFacts;
  operation: string;
  api: Api;
  version: Version;
  source: string;
  status: 'PASS' | 'FAIL' | 'SKIP' | 'TIMEOUT';
  /** FAIL for a known deviation of the baseline */
  expected: 'PASS' | 'FAIL';
  message: string | null;
  /** ms */
  duration: number;
  exchanges: unknown[];
}
