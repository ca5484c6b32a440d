/**
 * statements: what a read page states about its answers, each a checkable statement with a
 * level, its sentence (or example line) and the reads it covers:
 *  - a read of a photo that does not exist: "returns `404 Not Found`" (status tokens are
 *    language-free);
 *  - the 1x1 placeholder when the requested size is not there ("size 1x1 is returned");
 *  - which sizes a caller may ask for: the size list and "a smaller size the user uploaded"
 *    (lexicon), which support the size-variants requirement;
 *  - what `$value` carries: the metadata example's `@odata.mediaEtag` (an ETag) and
 *    `@odata.mediaContentType`, and `ETag:` lines of response examples;
 *  - "returns a [profilePhoto](../resources/profilephoto.md) object": the resource page's
 *    schema applies to those reads (the merge joins it to the entity).
 * Which reads a sentence covers comes from where it sits: a paragraph about the binary data
 * covers `$value`, a section anchored `...metadata...` the metadata reads. Levels: a plain
 * statement of what the service returns is MUST, one in a note (blockquote) SHOULD, what
 * only an example shows SHOULD.
 * Only pages with profile photo reads are read, so the scale corpus costs one filter a page.
 */
import type { Level, Target } from '../../../spec/model.ts';
import type { Loc, ResponseFact, Scope, StatementFact } from '../../types.ts';
import type { Block, Sentence } from '../../view.ts';
import { withoutAlertMarker } from '../behaviours/index.ts';
import { mentions } from '../lexicon.ts';
import { isResponseBlock, precedingRequest, statusesIn } from '../responses/index.ts';
import type { RuleContext, RuleFactory } from '../rule.ts';
import { bothOf, locOf, scopeForBlock } from '../rule.ts';
import { sizesIn } from '../size-variants/index.ts';

export const STATEMENTS_RULE_ID = 'statements';

const VALUE_TARGETS: Target[] = ['value', 'photoSizeValue'];
const METADATA_TARGETS: Target[] = ['metadata', 'photoSize'];
const SIZE_TARGETS: Target[] = ['photos', 'photoSize', 'photoSizeValue'];
const NOT_FOUND = /\b404\b/;
const ERROR_CODE = /`([A-Z][A-Za-z]*NotFound)`|\b((?:Image|Item|Resource|ErrorItem)NotFound)\b/;
const RESOURCE_LINK = /(^|\/)resources\/[^/]+\.md(?:$|#)/i;

type Group = 'value' | 'metadata';

function levelOfSentence(sentence: Sentence): Level {
  return sentence.container === 'blockquote' ? 'SHOULD' : 'MUST';
}

/** Which reads a sentence covers: its paragraph speaks of the binary data, or its section of metadata. */
function groupOf(context: RuleContext, sentence: Sentence, block: Block | undefined): Group | undefined {
  if (context.view.sentences.some((s) => s.block === sentence.block && mentions('binary', s.text, s.en))) return 'value';
  if (block && /metadata/.test(block.sectionKey)) return 'metadata';
  return undefined;
}

function readScope(context: RuleContext, block: Block | undefined, targets: Target[]): Scope {
  const base = block ? scopeForBlock(context, block.index) : { api: context.detection.api, versions: [...context.detection.versions], methods: [], targets: [], resources: [] };
  return { api: base.api, versions: base.versions, methods: ['GET'], targets: [...targets], resources: [] };
}

/** The line of a JSON member in a code block, as a Loc quoting that line. */
function memberLine(codeStart: number, value: string, member: string): Loc | undefined {
  const lines = value.split('\n');
  const index = lines.findIndex((l) => l.includes(`"${member}"`));
  if (index < 0) return undefined;
  const raw = lines[index] ?? '';
  const at = raw.indexOf(`"${member}"`);
  // The member as written, also where the sample is a one-line object.
  const text = /^"[^"]+"\s*:\s*(?:"(?:[^"\\]|\\.)*"|[^,}\s]+)/.exec(raw.slice(at))?.[0] ?? raw.trim();
  return { line: codeStart + 1 + index, column: at + 1, quote: { text, lang: 'en', en: text } };
}

function exampleStatements(context: RuleContext, out: StatementFact[]): void {
  const { view } = context;
  const byLine = new Map<number, (typeof view.codeBlocks)[number]>();
  for (const code of view.codeBlocks) byLine.set((code.node.position?.start.line ?? 0) + 1, code);
  const seen = new Set<string>();
  const push = (fact: StatementFact) => {
    const key = `${fact.key}|${fact.at.line}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(fact);
    }
  };
  // The metadata examples: what the media ($value) of the entity carries.
  for (const response of context.facts.responses as ResponseFact[]) {
    const example = response.example;
    if (!example || typeof example !== 'object' || Array.isArray(example)) continue;
    const record = example as Record<string, unknown>;
    const code = byLine.get(response.at.line);
    if (!code) continue;
    const start = code.node.position?.start.line ?? 1;
    const scope: Scope = { api: response.scope.api, versions: [...response.scope.versions], methods: ['GET'], targets: [...VALUE_TARGETS], resources: [] };
    const etag = record['@odata.mediaEtag'];
    if (typeof etag === 'string' && etag !== '') {
      const at = memberLine(start, code.node.value, '@odata.mediaEtag');
      if (at) {
        push({
          key: 'reads/value/etag',
          area: 'headers',
          // An example shows what the service returns: a MUST (levelBasis service-statement).
          level: 'MUST',
          description: 'a photo read through $value carries the ETag that its metadata names (@odata.mediaEtag)',
          assert: { kind: 'response-header', header: 'ETag' },
          scope,
          at,
        });
      }
    }
    const mediaType = record['@odata.mediaContentType'];
    const placeholder = (record.width ?? record.Width) === 1 && (record.height ?? record.Height) === 1;
    if (typeof mediaType === 'string' && mediaType && !placeholder) {
      const at = memberLine(start, code.node.value, '@odata.mediaContentType');
      if (at) {
        push({
          key: 'response/content-type',
          area: 'content-type',
          level: 'MUST',
          description: 'a photo read through $value answers with the media type its metadata names (@odata.mediaContentType)',
          perOperation: true,
          scope,
          at,
        });
      }
    }
  }
  // Response examples that show an ETag header.
  for (const code of view.codeBlocks) {
    const value = code.node.value;
    if (!/^\s*HTTP\/\d/.test(value) || !/^etag\s*:/im.test(value) || !isResponseBlock(code)) continue;
    const lines = value.split('\n');
    const index = lines.findIndex((l) => /^\s*etag\s*:/i.test(l));
    const request = precedingRequest(context, code);
    const group: Group = request?.target && METADATA_TARGETS.includes(request.target) ? 'metadata' : 'value';
    const base = scopeForBlock(context, code.block);
    const text = (lines[index] ?? '').trim();
    push({
      key: `reads/${group}/etag`,
      area: 'headers',
      level: 'MUST',
      description: `a photo read (${group === 'value' ? '$value' : 'metadata'}) carries an ETag header`,
      assert: { kind: 'response-header', header: 'ETag' },
      scope: { api: base.api, versions: request?.version ? [request.version] : base.versions, methods: ['GET'], targets: group === 'value' ? [...VALUE_TARGETS] : [...METADATA_TARGETS], resources: [] },
      at: { line: (code.node.position?.start.line ?? 1) + 1 + index, column: 1, quote: { text, lang: 'en', en: text } },
    });
  }
}

export const statementsRule: RuleFactory = () => ({
  id: STATEMENTS_RULE_ID,
  run(context) {
    const reads = context.facts.operations.filter((op) => op.resource && op.method === 'GET');
    if (!reads.length) return {};
    const { view, detection } = context;
    const statements: StatementFact[] = [];
    const readsMetadata = reads.some((op) => op.target === 'metadata' || op.target === 'photoSize');
    const readsSizes = reads.some((op) => op.target && SIZE_TARGETS.includes(op.target));

    // The example after "you can get a smaller size" ("a 504x504 upload makes every size but 648x648 available").
    let sizesBlock = -1;
    for (const sentence of view.sentences) {
      if (sentence.container === 'heading') continue;
      const block = view.blocks[sentence.block];
      const text = bothOf(sentence);
      const level = levelOfSentence(sentence);

      // A read of a photo that does not exist.
      if (text.includes('404') && NOT_FOUND.test(text)) {
        const group = groupOf(context, sentence, block);
        const code = ERROR_CODE.exec(text);
        const errorCode = code?.[1] ?? code?.[2];
        statements.push({
          key: `reads/${group ?? 'all'}/no-photo`,
          area: 'status',
          level,
          description: `a ${group === 'value' ? '$value ' : group === 'metadata' ? 'metadata ' : ''}read of a photo that does not exist answers 404${errorCode ? ` ${errorCode}` : ''}`,
          assert: { kind: 'no-photo', status: 404, ...(errorCode ? { code: errorCode } : {}) },
          scope: readScope(context, block, group === 'value' ? VALUE_TARGETS : group === 'metadata' ? METADATA_TARGETS : [...VALUE_TARGETS, ...METADATA_TARGETS]),
          at: withoutAlertMarker(locOf(detection, sentence)),
        });
      }

      const hasSize = /\d\s*[xX×]\s*\d/.test(text);
      const sizes = hasSize ? sizesIn(text) : [];
      // The 1x1 placeholder when the requested size is not there.
      if (readsMetadata && sizes.includes('1x1') && sizes.length < 3) {
        statements.push({
          key: 'sizes/placeholder',
          area: 'sizes',
          level,
          description: 'a metadata read of a size that is not there describes the 1x1 placeholder',
          scope: readScope(context, block, METADATA_TARGETS),
          at: withoutAlertMarker(locOf(detection, sentence)),
        });
        continue;
      }
      // Which sizes a caller may ask for.
      const example = sentence.block === sizesBlock && sizes.length >= 2;
      if (readsSizes && (example || sizes.filter((s) => s !== '1x1').length >= 3 || mentions('smallerSizes', sentence.text, sentence.en))) {
        sizesBlock = sentence.block;
        statements.push({
          key: 'sizes/predefined',
          area: 'sizes',
          level,
          description: 'the predefined sizes, only those at or below the uploaded photo',
          scope: readScope(context, block, SIZE_TARGETS),
          at: withoutAlertMarker(locOf(detection, sentence)),
        });
        continue;
      }

      // "returns a [profilePhoto](../resources/profilephoto.md) object": the entity's schema.
      const entityPage = sentence.links.find((l) => RESOURCE_LINK.test(l));
      if (entityPage && readsMetadata && block && /^response/.test(block.sectionKey) && statusesIn(text).some((s) => s >= 200 && s < 300)) {
        const group = groupOf(context, sentence, block);
        if (group !== 'value') {
          statements.push({
            key: 'entity/response-schema',
            area: 'metadata',
            level,
            description: 'a metadata read answers with the entity the resource page describes',
            scope: readScope(context, block, METADATA_TARGETS),
            entityPage,
            at: withoutAlertMarker(locOf(detection, sentence)),
          });
        }
      }
    }
    exampleStatements(context, statements);
    return { facts: { statements } };
  },
});
