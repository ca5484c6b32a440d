/**
 * responses: success statuses stated in prose (`200 OK`, "HTTP 200"), and response
 * examples: blocks annotated `"blockType": "response"`, blocks starting with a status line,
 * and bare JSON payloads with an `@odata.context` (the Outlook page's samples). Payloads
 * become JSON Schemas keyed by API and entity type (`outlook.profilePhoto`); a 1x1 sample
 * is also the documented placeholder for a user without a photo. A resource page's JSON
 * representation is not an example: the resource rule reads it as the entity's shape.
 */
import type { Api, Method, Target, Version } from '../../../spec/model.ts';
import type { PlaceholderFact, ResponseFact, Scope } from '../../types.ts';
import type { CodeBlock } from '../../view.ts';
import { mentions } from '../lexicon.ts';
import { openingRequest } from '../operations/path-template.ts';
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
    const responses: ResponseFact[] = [];
    const placeholders: PlaceholderFact[] = [];
    const messages: RuleMessage[] = [];
    const schemas: Record<string, JsonSchema> = {};
    const { detection, view } = context;

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
      const request = precedingRequest(context, code);
      const fromContext = versionOfContext(example);
      const targets = targetsOfContext(example) ?? (request?.target ? [request.target] : base.targets);
      const scope: Scope = {
        ...base,
        api: fromContext.api ?? base.api,
        versions: fromContext.version ? [fromContext.version] : request?.version ? [request.version] : base.versions,
        methods: targetsOfContext(example) ? ['GET'] : request ? [request.method] : base.methods,
        targets,
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
    const writesOrReads = context.facts.operations.some((op) => op.resource);
    if (writesOrReads && !responses.length) messages.push({ line: 1, column: 1, severity: 'warning', message: 'no response status stated' });
    return { facts: { responses, placeholders, schemas }, messages };
  },
});
