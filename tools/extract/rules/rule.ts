/**
 * What a rule is: a pure function over the normalized page (tree in, facts and messages
 * out), made by a factory the way unified makes plugins (`options => transformer`).
 * Rules run in order; later rules see the facts of earlier ones through `context`.
 */
import type { Api, Version } from '../../spec/model.ts';
import type { Detection, Loc, OperationFact, PageFacts, QuoteFact, Scope, Severity } from '../types.ts';
import type { PageView, Sentence } from '../view.ts';

export interface RuleMessage {
  line: number;
  column: number;
  severity: Severity;
  message: string;
}

export type FactLists = Omit<PageFacts, 'detection'>;

export interface RuleOutput {
  facts?: Partial<FactLists>;
  messages?: RuleMessage[];
}

export interface RuleContext {
  view: PageView;
  detection: Detection;
  /** Facts produced by the rules that ran before. */
  facts: FactLists;
}

export interface Rule {
  id: string;
  run(context: RuleContext): RuleOutput;
}

export type RuleFactory<Options = undefined> = (options?: Options) => Rule;

export function emptyFacts(): FactLists {
  return {
    operations: [],
    headers: [],
    bodies: [],
    limits: [],
    methodProse: [],
    permissions: [],
    responses: [],
    schemas: {},
    sizeVariants: [],
    placeholders: [],
    behaviours: [],
    entities: [],
    statements: [],
  };
}

/** The language tag of a sentence: English text on a non-English page is tagged `en`. */
export function sentenceLang(detection: Detection, text: string): string {
  if (detection.locale.startsWith('en')) return detection.locale;
  // Mixed pages carry untranslated English sentences: only ASCII letters, no other script.
  const letters = text.replace(/[^\p{L}]/gu, '');
  if (letters.length > 0 && /^[A-Za-z]+$/.test(letters) && !isLatinLocale(detection.locale)) return 'en';
  return detection.locale;
}

function isLatinLocale(locale: string): boolean {
  return /^(de|fr|es|pt|it|nl|pl|sv|da|nb|fi|cs|tr|hu|ro|id|vi)\b/i.test(locale);
}

export function quoteOf(detection: Detection, sentence: { text: string; en?: string }): QuoteFact {
  const lang = sentenceLang(detection, sentence.text);
  const en = sentence.en ?? (lang === 'en' || lang.startsWith('en') ? sentence.text : undefined);
  return { text: sentence.text, lang, ...(en !== undefined && en !== '' ? { en } : {}) };
}

export function locOf(detection: Detection, sentence: Sentence): Loc {
  return { line: sentence.line, column: sentence.column, quote: quoteOf(detection, sentence) };
}

/** The English reading of a sentence where the page has one, else its own text. */
export function englishOf(sentence: { text: string; en?: string }): string {
  return sentence.en && sentence.en.trim() ? sentence.en : sentence.text;
}

/** Both readings, for rules that match language-independent tokens (numbers, names, URLs). */
export function bothOf(sentence: { text: string; en?: string }): string {
  return sentence.en && sentence.en !== sentence.text ? `${sentence.text}\n${sentence.en}` : sentence.text;
}

export function pageScope(api: Api, versions: Version[]): Scope {
  return { api, versions: [...versions], methods: [], targets: [], resources: [] };
}

/** The versions a block belongs to: its `Start ... content` region, else the page's. */
export function versionsAt(detection: Detection, blockVersions: Version[]): Version[] {
  return blockVersions.length ? [...blockVersions] : [...detection.versions];
}

/** Operations of the page in a given section, for facts that apply only where they are stated. */
export function operationsInSection(facts: FactLists, section: number): OperationFact[] {
  return facts.operations.filter((op) => op.section === section);
}

/**
 * Which operations a fact stated in a block applies to: the operations listed in the same
 * section when the section lists any (Outlook states scopes beside each endpoint group),
 * else every operation of the page in the block's version region.
 */
export function scopeForBlock(context: RuleContext, blockIndex: number): Scope {
  const block = context.view.blocks[blockIndex];
  const regionVersions = block?.versions ?? [];
  const inSection = block ? operationsInSection(context.facts, block.section) : [];
  const relevant = inSection.filter((op) => !regionVersions.length || regionVersions.includes(op.version));
  if (relevant.length) {
    return {
      api: context.detection.api,
      versions: [...new Set(relevant.map((op) => op.version))],
      methods: [...new Set(relevant.map((op) => op.method))],
      targets: [...new Set(relevant.flatMap((op) => (op.target ? [op.target] : [])))],
      resources: [],
    };
  }
  return pageScope(context.detection.api, versionsAt(context.detection, regionVersions));
}

export function blockOf(context: RuleContext, sentence: Sentence) {
  return context.view.blocks[sentence.block];
}
