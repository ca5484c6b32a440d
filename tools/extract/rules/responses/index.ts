/**
 * responses: success statuses stated in prose (`200 OK`, "HTTP 200"), and response
 * examples: blocks annotated `"blockType": "response"`, blocks starting with a status line,
 * and bare JSON payloads with an `@odata.context` (the Outlook page's samples). Payloads
 * become JSON Schemas keyed by API and entity type (`outlook.profilePhoto`); a 1x1 sample
 * is also the documented placeholder for a user without a photo. A resource page's JSON
 * representation is not an example: the resource rule reads it as the entity's shape.
 *
 * An example answers the request of its own example: a response block after a block that
 * holds one request line applies to the resource that request addresses (a team's update
 * answers `204`, the signed-in user's `200`), not to every operation of the page; what its
 * body shows (media type, schema) is the entity's, and also goes to the resources without an
 * example of their own that the prose gives the same status (`payloadsForOthers`). A prose
 * paragraph that states several statuses ("`200 OK`, or `204 No Content` for a team") is
 * narrowed per resource where the page's examples show which status each resource answers
 * (`narrowByExamples`).
 */
import type { Api, Method, Resource, Target, Version } from '../../../spec/model.ts';
import type { OperationFact, PlaceholderFact, ResponseFact, Scope } from '../../types.ts';
import { bitextOf, type CodeBlock } from '../../view.ts';
import { mentions, type Concept } from '../lexicon.ts';
import { openingRequest, requestLinesIn } from '../operations/path-template.ts';
import type { RuleContext, RuleFactory, RuleMessage } from '../rule.ts';
import { blockOf, bothOf, locOf, scopeForBlock } from '../rule.ts';
import { mergeSchemas, schemaOf, type JsonSchema } from './json-schema.ts';

export const RESPONSES_RULE_ID = 'responses';

const STATUS_CODE = /`([1-5]\d\d)(?:\s+[A-Za-z][A-Za-z -]*)?`|HTTP[^\d\n]{0,30}?([1-5]\d\d)\b/g;

export function statusesIn(text: string): number[] {
  return [...new Set([...text.matchAll(STATUS_CODE)].map((m) => Number(m[1] ?? m[2])))];
}

/** Lenient JSON: docs elide with `...` and leave trailing commas in truncated samples. */
export function parseExampleJson(text: string): { value?: unknown; error?: string } {
  const attempts = [text, text.replace(/^\s*(\.\.\.|…)\s*,?\s*$/gm, '').replace(/,(\s*[}\]])/g, '$1')];
  let error = '';
  for (const attempt of attempts) {
    try {
      return { value: JSON.parse(attempt) };
    } catch (e) {
      error ||= (e as Error).message;
    }
  }
  return { error };
}

function typeNameOf(odataType: string | undefined, body: unknown): string | undefined {
  const fromAnnotation = odataType ?? (body && typeof body === 'object' ? (body as Record<string, unknown>)['@odata.type'] : undefined);
  if (typeof fromAnnotation === 'string' && fromAnnotation) return fromAnnotation.replace(/^#/, '').split('.').pop();
  const context = body && typeof body === 'object' ? (body as Record<string, unknown>)['@odata.context'] : undefined;
  if (typeof context === 'string') {
    const entity = /#(?:.*\/)?([A-Za-z]+)(?:\('[^']*'\))?(?:\/\$entity)?$/.exec(context);
    const name = entity?.[1];
    // The photo navigation property and the photos collection both hold profilePhoto entities.
    if (name && /^photos?$/i.test(name)) return 'profilePhoto';
    if (name) return name;
  }
  return undefined;
}

function targetsOfContext(body: unknown): Target[] | undefined {
  const context = body && typeof body === 'object' ? (body as Record<string, unknown>)['@odata.context'] : undefined;
  if (typeof context !== 'string') return undefined;
  if (/\/photo\/\$entity$/i.test(context)) return ['metadata', 'photoSize'];
  if (/\/photos(\([^)]*\))?\/\$entity$/i.test(context)) return ['photoSize'];
  if (/\/photos$/i.test(context)) return ['photos'];
  return undefined;
}

function versionOfContext(body: unknown): { api?: Api; version?: Version } {
  const context = body && typeof body === 'object' ? (body as Record<string, unknown>)['@odata.context'] : undefined;
  if (typeof context !== 'string') return {};
  const outlook = /\/api\/(v1\.0|v2\.0|beta)\//i.exec(context);
  if (outlook) return { api: 'outlook', version: outlook[1]?.toLowerCase() as Version };
  const graph = /graph\.microsoft\.com\/(v1\.0|beta)\//i.exec(context);
  if (graph) return { api: 'graph', version: graph[1]?.toLowerCase() as Version };
  return {};
}

/** The nearest request example before a response example: the response answers it. */
export function precedingRequest(context: RuleContext, code: CodeBlock): { method: Method; target?: Target; version?: Version } | undefined {
  const index = context.view.codeBlocks.indexOf(code);
  for (let i = index - 1; i >= 0 && i >= index - 4; i--) {
    const previous = context.view.codeBlocks[i];
    if (!previous) continue;
    const request = openingRequest(previous.node)?.request;
    if (request) return { method: request.method, ...(request.target ? { target: request.target } : {}), ...(request.version ? { version: request.version } : {}) };
  }
  return undefined;
}

// "Example 2: ..." as the pages' languages write it, for a heading without an anchor to say so.
const EXAMPLE_HEADING = /^\s*(?:examples?|exemples?|beispiele?|ejemplos?|exemplos?|esempi[oi]?|voorbeeld|przykład|пример|例|示例|範例|예제)(?![\p{L}-])/iu;

/** Whether a heading between two blocks starts another example (`### Example 2: ...`). */
function startsExample(context: RuleContext, from: number, to: number): boolean {
  const { blocks } = context.view;
  for (let b = from + 1; b < to; b++) {
    const block = blocks[b];
    const node = block?.node;
    if (!block || node?.type !== 'heading' || node.depth > 3) continue;
    // The heading's own key: its anchor, else the slug it made the section key (a tab heading makes none).
    const key = block.anchors[0] ?? (block.sectionKey !== blocks[b - 1]?.sectionKey ? block.sectionKey : '');
    if (key.startsWith('example')) return true;
    if (!key) {
      const { text, en } = bitextOf(node.children);
      if (EXAMPLE_HEADING.test(text) || (en !== undefined && EXAMPLE_HEADING.test(en))) return true;
    }
  }
  return false;
}

/**
 * The request a response example answers: the nearest request block before it, in the same
 * example (a heading that starts another example ends the search: the response then answers
 * no request of the page). A block of one request line is the example's own request, and
 * `operations` are those the operations rule made of that line; a block of several lines is
 * a syntax listing, and says only the method and target of its first line.
 */
function answeredRequest(
  context: RuleContext,
  code: CodeBlock,
  byLine: () => Map<number, OperationFact[]>,
): { operations: OperationFact[] } | { listing: { method: Method; target?: Target; version?: Version } } | undefined {
  const { codeBlocks } = context.view;
  const index = codeBlocks.indexOf(code);
  for (let i = index - 1; i >= 0 && i >= index - 4; i--) {
    const previous = codeBlocks[i];
    if (!previous) continue;
    const opening = openingRequest(previous.node);
    if (!opening) continue;
    if (startsExample(context, previous.block, code.block)) return undefined;
    const { request } = opening;
    if (requestLinesIn(previous.node).length === 1) {
      const line = (previous.node.position?.start.line ?? 1) + 1 + opening.offset;
      const operations = (byLine().get(line) ?? []).filter((op) => op.resource && op.target);
      if (operations.length) return { operations };
    }
    return { listing: { method: request.method, ...(request.target ? { target: request.target } : {}), ...(request.version ? { version: request.version } : {}) } };
  }
  return undefined;
}

/**
 * The sentence that introduces an example ("when no photo has been uploaded, the response
 * is:"): the nearest paragraph before the block, past the "may be shortened" note (a
 * blockquote) and the annotation comment, not past a heading or another code block.
 */
function placeholderLoc(context: RuleContext, block: number) {
  const { blocks, sentences } = context.view;
  for (let b = block - 1; b >= 0 && b >= block - 4; b--) {
    const node = blocks[b]?.node;
    if (!node || node.type === 'heading' || node.type === 'code') break;
    if (node.type !== 'paragraph') continue;
    const sentence = sentences.find((s) => s.block === b && s.container === 'paragraph');
    if (sentence) return locOf(context.detection, sentence);
  }
  // No paragraph: the note or whatever text sits just before, as before.
  const before = sentences.filter((s) => s.block < block && s.block >= block - 2 && s.container !== 'heading');
  const sentence = before.find((s) => s.block === before[before.length - 1]?.block);
  return sentence ? locOf(context.detection, sentence) : undefined;
}

/** A paragraph's statuses stated in prose, with the indexes of the facts they made (one per status) and the text. */
interface StatedStatuses {
  facts: number[];
  text: string;
  en?: string;
}

/** Whose photo, as prose names it: the signed-in user is a user, a contact in a folder a contact. */
type Family = Extract<Concept, 'user' | 'group' | 'team' | 'contact'>;
const FAMILIES: readonly Family[] = ['user', 'group', 'team', 'contact'];
const FAMILY: Record<Resource, Family> = { me: 'user', user: 'user', group: 'group', team: 'team', contact: 'contact', contactInFolder: 'contact' };
/** Every resource, in the model's order (FAMILY names each one). */
const RESOURCE_ORDER = Object.keys(FAMILY) as readonly Resource[];

function covers(scope: Scope, op: OperationFact): boolean {
  return (
    scope.api === op.api &&
    (!scope.versions.length || scope.versions.includes(op.version)) &&
    (!scope.methods.length || scope.methods.includes(op.method)) &&
    (!scope.targets.length || (op.target !== undefined && scope.targets.includes(op.target))) &&
    (!scope.resources.length || (op.resource !== undefined && scope.resources.includes(op.resource)))
  );
}

/**
 * "`200 OK`, or `204 No Content` for a team": which status is whose, where the page's
 * examples show it. Per resource (a family: me and users, groups, teams, contacts) among the
 * operations the paragraph applies to:
 * - whose own examples show one or more of the stated statuses: those only (the examples decide);
 * - without an example, named by the paragraph ("for a team"): the stated statuses less those
 *   that only examples of resources it does not name show (those are the general case);
 * - without an example, not named: the statuses examples of unnamed resources show (the general
 *   case), else the stated statuses less those only named resources' examples show.
 * Where nothing would remain, the paragraph stands as stated; so does one that no example of
 * a known resource bears on. Word order is never read: translations move the qualifier
 * ("returns `200 OK` for the team's photo, or `204 No Content`"). Narrowing sets the facts'
 * `resources` (their `at` stays: the sentence is the source of what remains); a status left
 * to no resource drops its fact.
 */
function narrowByExamples(context: RuleContext, responses: ResponseFact[], stated: readonly StatedStatuses[], examples: readonly ResponseFact[]): RuleMessage[] {
  const messages: RuleMessage[] = [];
  const placed = examples.filter((r) => r.scope.resources.length && r.status < 300);
  if (!stated.length || !placed.length) return messages;
  const dropped = new Set<number>();
  for (const paragraph of stated) {
    const facts = paragraph.facts.flatMap((i) => (responses[i] ? [{ i, fact: responses[i] }] : []));
    const scope = facts[0]?.fact.scope;
    if (!scope) continue;
    const ops = context.facts.operations.filter((op) => op.resource && op.target && covers(scope, op));
    const statuses = facts.map(({ fact }) => fact.status);
    const shown = new Map<Family, Set<number>>();
    for (const example of placed) {
      if (!statuses.includes(example.status)) continue;
      for (const op of ops) {
        if (!op.resource || !covers(example.scope, op)) continue;
        const family = FAMILY[op.resource];
        shown.set(family, (shown.get(family) ?? new Set()).add(example.status));
      }
    }
    if (!shown.size) continue;
    const named = new Set(FAMILIES.filter((f) => mentions(f, paragraph.text, paragraph.en)));
    const general = new Set<number>();
    const qualified = new Set<number>();
    for (const [family, set] of shown) for (const status of set) (named.has(family) ? qualified : general).add(status);
    const allowedFor = new Map<Family, Set<number>>();
    const allowed = (family: Family): Set<number> => {
      let set = allowedFor.get(family);
      if (set) return set;
      const own = shown.get(family);
      let pick: number[];
      if (own?.size) pick = [...own];
      else if (named.has(family)) pick = statuses.filter((s) => qualified.has(s) || !general.has(s));
      else {
        pick = statuses.filter((s) => general.has(s));
        if (!pick.length) pick = statuses.filter((s) => !qualified.has(s));
      }
      set = new Set(pick.length ? pick : statuses);
      allowedFor.set(family, set);
      return set;
    };
    const present = RESOURCE_ORDER.filter((r) => ops.some((op) => op.resource === r));
    const parts = new Set<string>();
    for (const { i, fact } of facts) {
      const resources = present.filter((r) => allowed(FAMILY[r]).has(fact.status));
      if (resources.length === present.length) continue;
      parts.add(`${fact.status} for ${resources.length ? resources.join(', ') : 'none'}`);
      if (resources.length) fact.scope = { ...fact.scope, resources };
      else dropped.add(i);
    }
    if (parts.size) {
      messages.push({
        line: facts[0]?.fact.at.line ?? 1,
        column: facts[0]?.fact.at.column ?? 1,
        severity: 'info',
        message: `stated statuses narrowed by the page's examples (${[...shown].map(([f, set]) => `${f}: ${[...set].join('/')}`).join(', ')}): ${[...parts].join('; ')}`,
      });
    }
  }
  for (const i of [...dropped].sort((a, b) => b - a)) responses.splice(i, 1);
  return messages;
}

/**
 * What an example's body shows is the entity's, whoever's photo it is: the media type and the
 * schema of a `GET /me/photo` example also describe `GET /groups/{id}/photo`. The status is
 * not carried (that is the resource's own answer): an example's payload goes to the other
 * resources of its method and target only where they have no example of their own with that
 * status and a sentence of the page already gives them the same status. The sample goes with it, as the
 * instance its schema was made from.
 */
function payloadsForOthers(context: RuleContext, responses: readonly ResponseFact[], examples: readonly ResponseFact[]): ResponseFact[] {
  const placed = examples.filter((r) => r.scope.resources.length);
  const withBody = placed.filter((r) => r.contentType || r.schema);
  if (!withBody.length) return [];
  const own = new Set(examples);
  const stated = responses.filter((r) => !own.has(r));
  const out: ResponseFact[] = [];
  for (const example of withBody) {
    const resources = new Set<Resource>();
    for (const op of context.facts.operations) {
      if (!op.resource || !op.target || example.scope.resources.includes(op.resource)) continue;
      if (!covers({ ...example.scope, resources: [] }, op) || placed.some((r) => r.status === example.status && covers(r.scope, op))) continue;
      if (stated.some((r) => r.status === example.status && covers(r.scope, op))) resources.add(op.resource);
    }
    if (!resources.size) continue;
    out.push({ ...example, scope: { ...example.scope, resources: RESOURCE_ORDER.filter((r) => resources.has(r)) } });
  }
  return out;
}

export function isResponseBlock(code: CodeBlock): boolean {
  const type = String(code.annotation?.value.blockType ?? '').toLowerCase();
  if (type === 'response') return true;
  if (type && type !== 'ignored') return false;
  const value = code.node.value.trimStart();
  if (/^HTTP\/\d(\.\d)?\s+\d{3}/.test(value)) return true;
  return value.startsWith('{') && /"@odata\.context"/.test(value);
}

export const responsesRule: RuleFactory = () => ({
  id: RESPONSES_RULE_ID,
  run(context) {
    let byLine: Map<number, OperationFact[]> | undefined;
    // The page's operations by the line of the request they come from, made once, when an example needs it.
    const operationsByLine = () => {
      if (!byLine) {
        byLine = new Map();
        for (const op of context.facts.operations) byLine.set(op.at.line, [...(byLine.get(op.at.line) ?? []), op]);
      }
      return byLine;
    };
    const responses: ResponseFact[] = [];
    const placeholders: PlaceholderFact[] = [];
    const messages: RuleMessage[] = [];
    const schemas: Record<string, JsonSchema> = {};
    const { detection, view } = context;
    // The statuses each paragraph states, with the facts they made: narrowed by the examples below.
    const stated = new Map<number, StatedStatuses>();

    for (const sentence of view.sentences) {
      const block = blockOf(context, sentence);
      if (!block || sentence.container === 'heading') continue;
      const text = bothOf(sentence);
      const inResponse = block.sectionKey.startsWith('response');
      if (!inResponse && !/HTTP/.test(text)) continue;
      const statuses = statusesIn(text).filter((s) => s < 300);
      if (!statuses.length) continue;
      const scope = scopeForBlock(context, block.index);
      // "Contains the binary data of the photo. The HTTP response code is 200." states both in one paragraph.
      const binary = view.sentences.some((s) => s.block === sentence.block && mentions('binary', s.text, s.en));
      // A section anchored `response-for-getting-the-metadata...` answers the metadata reads (and the size collection), not $value.
      const metadata = !binary && !scope.targets.length && /metadata/.test(block.sectionKey);
      let paragraph = stated.get(sentence.block);
      if (!paragraph) stated.set(sentence.block, (paragraph = { facts: [], text: '' }));
      paragraph.facts.push(...statuses.map((_, i) => responses.length + i));
      paragraph.text += `${sentence.text}\n`;
      if (sentence.en) paragraph.en = `${paragraph.en ?? ''}${sentence.en}\n`;
      for (const status of statuses) {
        responses.push({
          status,
          ...(binary && (!scope.methods.length || scope.methods.includes('GET')) ? { contentType: 'image/*' } : {}),
          scope: binary && !scope.targets.length
            ? { ...scope, methods: ['GET'], targets: ['value', 'photoSizeValue'] }
            : metadata
              ? { ...scope, methods: ['GET'], targets: ['metadata', 'photoSize', 'photos'] }
              : scope,
          at: locOf(detection, sentence),
        });
      }
    }

    const fromExamples = responses.length;
    for (const code of view.codeBlocks) {
      // A resource page's JSON representation is the resource rule's: the entity's shape, not an example.
      if (String(code.annotation?.value.blockType ?? '').toLowerCase() === 'resource') continue;
      if (!isResponseBlock(code)) continue;
      const annotation = code.annotation?.value ?? {};
      const truncated = annotation.truncated === true;
      const odataType = typeof annotation['@odata.type'] === 'string' ? (annotation['@odata.type'] as string) : undefined;
      const lines = code.node.value.split('\n');
      const line = (code.node.position?.start.line ?? 1) + 1;
      const column = code.node.position?.start.column ?? 1;
      let status: number | undefined;
      let contentType: string | undefined;
      let bodyText = code.node.value;
      const statusLine = /^\s*HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(lines[0] ?? '');
      if (statusLine) {
        status = Number(statusLine[1]);
        let i = 1;
        for (; i < lines.length && (lines[i] ?? '').trim(); i++) {
          const header = /^([A-Za-z-]+)\s*:\s*(.+)$/.exec((lines[i] ?? '').trim());
          if (header && header[1]?.toLowerCase() === 'content-type') contentType = (header[2] ?? '').split(';')[0]?.trim().toLowerCase();
        }
        bodyText = lines.slice(i).join('\n');
      }
      let example: unknown;
      if (bodyText.trim()) {
        const parsed = parseExampleJson(bodyText);
        if (parsed.error !== undefined && parsed.value === undefined) {
          messages.push({ line, column, severity: 'warning', message: `response example is not valid JSON: ${parsed.error}` });
        } else {
          example = parsed.value;
          contentType ??= 'application/json';
        }
      }
      if (status === undefined) {
        // Bare payloads: the status is in the sentence before the block.
        const near = view.sentences.filter((s) => s.block < code.block && s.block >= code.block - 2).flatMap((s) => statusesIn(bothOf(s)));
        status = near[near.length - 1] ?? 200;
        if (!near.length) messages.push({ line, column, severity: 'info', message: 'response example states no status; taken as 200' });
      }
      const base = scopeForBlock(context, code.block);
      const fromContext = versionOfContext(example);
      const answer = answeredRequest(context, code, operationsByLine);
      const answered = answer && 'operations' in answer ? answer.operations : undefined;
      const request = answer && 'listing' in answer ? answer.listing : undefined;
      const distinct = <T>(pick: (op: OperationFact) => T | undefined): T[] => [...new Set((answered ?? []).map(pick))].filter((v): v is T => v !== undefined);
      const targets = targetsOfContext(example) ?? (answered ? distinct((op) => op.target) : request?.target ? [request.target] : base.targets);
      const scope: Scope = {
        ...base,
        api: fromContext.api ?? (answered ? (answered[0]?.api ?? base.api) : base.api),
        versions: fromContext.version ? [fromContext.version] : answered ? distinct((op) => op.version) : request?.version ? [request.version] : base.versions,
        methods: targetsOfContext(example) ? ['GET'] : answered ? distinct((op) => op.method) : request ? [request.method] : base.methods,
        targets,
        // The example's own request says whose photo answers: the resource it addresses.
        resources: answered ? distinct((op) => op.resource) : base.resources,
      };
      const typeName = typeNameOf(odataType, example);
      let schemaKey: string | undefined;
      if (example !== undefined && example !== null && typeof example === 'object' && typeName) {
        schemaKey = `${scope.api}.${typeName}${Array.isArray((example as Record<string, unknown>).value) ? 'Collection' : ''}`;
        const schema = schemaOf(example, truncated);
        const existing = schemas[schemaKey];
        schemas[schemaKey] = existing ? mergeSchemas(existing, schema) : schema;
      }
      responses.push({
        status,
        ...(contentType ? { contentType } : {}),
        ...(example !== undefined ? { example } : {}),
        ...(schemaKey ? { schema: schemaKey } : {}),
        ...(truncated ? { truncated } : {}),
        ...(odataType ? { odataType } : {}),
        scope,
        // A bare payload's first line is "{": quote the sentence that introduces it instead.
        at: statusLine ? { line, column, quote: { text: (lines[0] ?? '').trim(), lang: 'en', en: (lines[0] ?? '').trim() } } : { ...(placeholderLoc(context, code.block) ?? { line, column }), line, column },
      });
      const record = example && typeof example === 'object' && !Array.isArray(example) ? (example as Record<string, unknown>) : undefined;
      const width = record?.Width ?? record?.width;
      const height = record?.Height ?? record?.height;
      if (record && width === 1 && height === 1) {
        placeholders.push({
          api: scope.api,
          versions: [...scope.versions],
          id: String(record.Id ?? record.id ?? '1X1'),
          width: 1,
          height: 1,
          contentType: String(record['@odata.mediaContentType'] ?? ''),
          etag: String(record['@odata.mediaEtag'] ?? ''),
          // The sentence before the sample says what it shows ("when no photo has been uploaded").
          at: placeholderLoc(context, code.block) ?? { line, column, quote: { text: `${String(record.Id ?? record.id ?? '')} ${String(record['@odata.mediaContentType'] ?? '')}`.trim(), lang: 'en' } },
        });
      }
    }
    const examples = responses.slice(fromExamples);
    const several = [...stated.values()].filter((p) => new Set(p.facts.map((i) => responses[i]?.status)).size > 1);
    messages.push(...narrowByExamples(context, responses, several, examples));
    responses.push(...payloadsForOthers(context, responses, examples));
    const writesOrReads = context.facts.operations.some((op) => op.resource);
    if (writesOrReads && !responses.length) messages.push({ line: 1, column: 1, severity: 'warning', message: 'no response status stated' });
    return { facts: { responses, placeholders, schemas }, messages };
  },
});
