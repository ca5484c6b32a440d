/**
 * An operation's responses: the statuses its pages document (with their media types, schemas
 * and examples) and those its requirements promise (a refusal's status and error body, the
 * 404 of a missing photo, the 429 of throttling, the headers a read carries). Every response,
 * media type and header names the requirements behind it in `x-requirements`; a response
 * the pages document keeps their sentences in `x-provenance`.
 */
import { STATUS_CODES } from 'node:http';
import type { Operation, Requirement, SourceRef } from '../spec/model.ts';
import { provenance } from './provenance.ts';

/** The document's components, registered as operations use them. */
export interface Components {
  /** `$ref` to the spec's schema under `key` */
  schema(key: string): { $ref: string };
  /** `$ref` to the protocol's error body, `{error: {code, message, innerError?}}` */
  errorBody(innerError: readonly string[]): { $ref: string };
  /** `$ref` to the photos collection in the dialect of `op`'s API, when the spec has its metadata schema */
  photoCollection(op: Operation): { $ref: string; derivedFrom: string } | undefined;
}

/** Descriptions as one text: each a sentence of its own. */
export const sentences = (texts: readonly string[]) => texts.map((t) => t.trim()).map((t) => (/[.!?]$/.test(t) ? t : `${t}.`)).join(' ');

export const requirementRefs = (requirements: readonly Requirement[]) =>
  requirements.map((r) => ({ id: r.id, level: r.level, area: r.area }));

const BINARY = { type: 'string', format: 'binary' } as const;
const isBinaryMedia = (mediaType: string) => /^(image|video|audio)\//i.test(mediaType) || mediaType === 'application/octet-stream';
const isJsonMedia = (mediaType: string) => /^application\/(.+\+)?json\b/i.test(mediaType);

interface MediaDraft {
  schemas: unknown[];
  examples: { name: string; summary: string; value: unknown; truncated?: boolean }[];
  requirements: Requirement[];
  derivedFrom?: string;
}

interface HeaderDraft {
  requirements: Requirement[];
  patterns: string[];
  values: string[];
  echo: boolean;
}

interface ResponseDraft {
  descriptions: string[];
  media: Map<string, MediaDraft>;
  headers: Map<string, HeaderDraft>;
  requirements: Requirement[];
  refs: SourceRef[];
  extensions: Record<string, unknown>;
  errorCodes: string[];
  innerError: string[];
  errorBody: boolean;
}

/** `4XX` after the 4xx codes it covers; numeric order otherwise. */
export function statusOrder(a: string, b: string): number {
  const rank = (s: string) => [Number(s[0]), s.includes('X') ? 1 : 0, Number(s.replace(/X/g, '9'))] as const;
  const [x, y] = [rank(a), rank(b)];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** Adds what the list does not hold yet; equal is equal in value (two `$ref`s to one schema are one). */
const pushUnique = <T>(list: T[], ...items: T[]) => {
  for (const item of items) if (!list.some((held) => JSON.stringify(held) === JSON.stringify(item))) list.push(item);
};

export function operationResponses(op: Operation, requirements: readonly Requirement[], components: Components): Record<string, unknown> {
  const drafts = new Map<string, ResponseDraft>();
  const draft = (status: string) => {
    let found = drafts.get(status);
    if (!found) {
      found = { descriptions: [], media: new Map(), headers: new Map(), requirements: [], refs: [], extensions: {}, errorCodes: [], innerError: [], errorBody: false };
      drafts.set(status, found);
    }
    return found;
  };
  const media = (d: ResponseDraft, mediaType: string) => {
    let found = d.media.get(mediaType);
    if (!found) {
      found = { schemas: [], examples: [], requirements: [] };
      d.media.set(mediaType, found);
    }
    return found;
  };
  const header = (d: ResponseDraft, name: string) => {
    let found = d.headers.get(name);
    if (!found) {
      found = { requirements: [], patterns: [], values: [], echo: false };
      d.headers.set(name, found);
    }
    return found;
  };

  // What the pages document.
  for (const response of op.responses) {
    const d = draft(String(response.status));
    if (response.description) pushUnique(d.descriptions, response.description);
    d.refs.push(...response.sources);
    if (response.truncated) d.extensions['x-truncated-example'] = true;
    if (response.odataType) d.extensions['x-odata-type'] = response.odataType;
    if (response.contentType) {
      const m = media(d, response.contentType);
      if (response.schema) pushUnique(m.schemas, components.schema(response.schema));
      if (response.example !== undefined) {
        m.examples.push({ name: `page-${m.examples.length + 1}`, summary: 'The example the pages show', value: response.example, ...(response.truncated ? { truncated: true } : {}) });
      }
    }
  }

  // The success statuses a response-level promise (content type, schema, header) attaches to.
  const successes = [
    ...new Set([
      ...op.responses.map((r) => r.status),
      ...requirements.flatMap((r) => (r.assert.kind === 'status' ? [r.assert.status] : [])),
    ]),
  ]
    .filter((s) => s >= 200 && s < 300)
    .sort((a, b) => a - b)
    .map(String);
  const reads = op.method === 'GET';

  for (const requirement of requirements) {
    const a = requirement.assert;
    switch (a.kind) {
      case 'status':
        draft(String(a.status)).requirements.push(requirement);
        break;
      case 'content-type':
        // A write's content type is its request's (see the request body).
        if (!reads) break;
        for (const status of successes) media(draft(status), a.contentType).requirements.push(requirement);
        break;
      case 'response-schema':
        if (!reads) break;
        for (const status of successes) {
          const d = draft(status);
          const json = [...d.media.keys()].find(isJsonMedia) ?? 'application/json';
          const m = media(d, json);
          pushUnique(m.schemas, components.schema(a.schema));
          m.requirements.push(requirement);
        }
        break;
      case 'response-header':
        for (const status of successes) {
          const h = header(draft(status), a.header);
          h.requirements.push(requirement);
          if (a.pattern) pushUnique(h.patterns, a.pattern);
          if (a.value) pushUnique(h.values, a.value);
          if (a.echo) h.echo = true;
        }
        break;
      case 'error-body': {
        const d = draft(a.status !== undefined ? String(a.status) : '4XX');
        pushUnique(d.descriptions, requirement.description);
        d.requirements.push(requirement);
        d.errorBody = true;
        if (a.code) pushUnique(d.errorCodes, a.code);
        if (a.innerError) pushUnique(d.innerError, ...a.innerError);
        break;
      }
      case 'no-photo': {
        const d = draft(String(a.status));
        pushUnique(d.descriptions, requirement.description);
        d.requirements.push(requirement);
        // A code is the protocol's error body; a bare status promises no body.
        if (a.code) {
          d.errorBody = true;
          pushUnique(d.errorCodes, a.code);
        }
        break;
      }
      case 'throttling': {
        // The model's throttling assertion: a throttled request is answered 429 with the header.
        const d = draft('429');
        pushUnique(d.descriptions, requirement.description);
        d.requirements.push(requirement);
        header(d, a.header).requirements.push(requirement);
        break;
      }
      case 'placeholder':
      case 'media-entity':
      case 'size-variants':
      case 'padded-variants':
        // What a successful read answers in a situation (no photo yet, a size, the media): the success response's promise.
        if (reads) for (const status of successes) draft(status).requirements.push(requirement);
        break;
      default:
        // Request headers, permissions, limits, methods, behaviours, entity tags across an
        // update: properties of the operation, kept in its own extensions.
        break;
    }
  }

  // The photos collection: no page shows its payload; its entries are the API's photo metadata.
  if (reads && op.target === 'photos') {
    for (const status of successes) {
      const d = draft(status);
      if (d.media.size) continue;
      const collection = components.photoCollection(op);
      if (!collection) continue;
      const m = media(d, 'application/json');
      m.schemas.push({ $ref: collection.$ref });
      m.derivedFrom = collection.derivedFrom;
    }
  }

  const out: Record<string, unknown> = {};
  const statuses = [...drafts.keys()].sort(statusOrder);
  for (const status of statuses) {
    const d = drafts.get(status)!;
    const response: Record<string, unknown> = {
      description: sentences(d.descriptions) || (status === '4XX' ? 'Client error' : (STATUS_CODES[Number(status)] ?? status)),
    };
    if (d.headers.size) {
      response.headers = Object.fromEntries(
        [...d.headers].sort(([a], [b]) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)).map(([name, h]) => [name, renderHeader(h)]),
      );
    }
    // The error body is the JSON a refusal answers with, beside whatever else the pages show there.
    if (d.errorBody) media(d, [...d.media.keys()].find(isJsonMedia) ?? 'application/json').schemas.unshift(errorSchemaOf(d, components));
    const content: Record<string, unknown> = {};
    for (const [mediaType, m] of [...d.media].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      content[mediaType] = renderMedia(mediaType, m);
    }
    if (Object.keys(content).length) response.content = content;
    if (d.requirements.length) response['x-requirements'] = requirementRefs(uniqueRequirements(d.requirements));
    Object.assign(response, d.extensions);
    if (d.refs.length) response['x-provenance'] = provenance(d.refs);
    out[status] = response;
  }
  // Any other answer (an unknown user, a path the service does not have, a request it cannot
  // read): no page lists those, but every refusal the spec knows has the protocol's error body.
  out.default = {
    description: 'Any other status: a refusal no page lists for this operation (an unknown user, group or contact; a malformed request), answered with the protocol\'s error body.',
    content: { 'application/json': { schema: components.errorBody([]) } },
    'x-derived-from': 'the error body of the refusals the spec states (its error-body requirements and the facts behind them); promised by no page for this status',
  };
  return out;
}

function uniqueRequirements(requirements: readonly Requirement[]): Requirement[] {
  const seen = new Set<string>();
  return requirements.filter((r) => !seen.has(r.id) && seen.add(r.id)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function errorSchemaOf(d: ResponseDraft, components: Components): unknown {
  const base = components.errorBody(d.innerError);
  const error: Record<string, unknown> = {};
  const properties: Record<string, unknown> = {};
  if (d.errorCodes.length === 1) properties.code = { const: d.errorCodes[0] };
  else if (d.errorCodes.length > 1) properties.code = { enum: [...d.errorCodes] };
  if (d.innerError.length) {
    properties.innerError = { type: 'object', required: [...d.innerError], properties: Object.fromEntries(d.innerError.map((m) => [m, { type: 'string' }])) };
    error.required = ['innerError'];
  }
  if (!Object.keys(properties).length) return base;
  error.properties = properties;
  return { allOf: [base, { properties: { error } }] };
}

function renderMedia(mediaType: string, m: MediaDraft): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (m.schemas.length === 1) out.schema = m.schemas[0];
  else if (m.schemas.length > 1) out.schema = { allOf: [...m.schemas] };
  else if (isBinaryMedia(mediaType)) out.schema = { ...BINARY };
  if (m.examples.length) {
    out.examples = Object.fromEntries(
      m.examples.map((e) => [e.name, { summary: e.summary, value: e.value, ...(e.truncated ? { 'x-truncated': true } : {}) }]),
    );
  }
  if (m.derivedFrom) out['x-derived-from'] = m.derivedFrom;
  if (m.requirements.length) out['x-requirements'] = requirementRefs(uniqueRequirements(m.requirements));
  return out;
}

function renderHeader(h: HeaderDraft): Record<string, unknown> {
  const requirements = uniqueRequirements(h.requirements);
  const schema: Record<string, unknown> = { type: 'string' };
  if (h.patterns.length === 1) schema.pattern = h.patterns[0];
  else if (h.patterns.length > 1) schema.allOf = h.patterns.map((pattern) => ({ pattern }));
  if (h.values.length === 1) schema.const = h.values[0];
  else if (h.values.length > 1) schema.enum = [...h.values];
  return {
    description: sentences(requirements.map((r) => r.description)),
    // A header a MUST promises is required; one only a SHOULD or MAY promises is not.
    required: requirements.some((r) => r.level === 'MUST'),
    schema,
    ...(h.echo ? { 'x-echoes-request-header': true } : {}),
    'x-requirements': requirementRefs(requirements),
  };
}
