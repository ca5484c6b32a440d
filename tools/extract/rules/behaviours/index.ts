/**
 * behaviours: restrictions stated only in prose. Each is recognized by what does not get
 * translated (a link target, a product name) plus a lexicon word:
 *  - mailboxFallback: "first attempts ... mailbox / Microsoft 365, then Azure Active Directory";
 *  - workOrSchoolOnly: "supports only work or school mailboxes, not personal mailboxes";
 *  - groupApplicationKnownIssue: the link to known-issues#groups;
 *  - adminAnyUser: the link to the app-only auth article, or "tenant administrator ... any user";
 *  - readFallback: the same "first ... then Azure AD" note on a page (or section) whose
 *    operations only read: which of the two it is comes from the operations, not the words;
 *  - exchangeOnlySizes: "photos can be of any dimension when stored in Azure AD": the size
 *    variants are Exchange's, Azure AD keeps one photo;
 *  - b2cUnsupported: "not supported" (lexicon) in a sentence naming Azure AD B2C.
 */
import type { Resource } from '../../../spec/model.ts';
import type { BehaviourFact, BehaviourKind, Loc, OperationFact } from '../../types.ts';
import { mentions } from '../lexicon.ts';
import type { RuleContext, RuleFactory } from '../rule.ts';
import { blockOf, bothOf, locOf, operationsInSection, versionsAt } from '../rule.ts';

export const BEHAVIOURS_RULE_ID = 'behaviours';

const RESOURCES: Record<BehaviourKind, Resource[]> = {
  mailboxFallback: ['me', 'user'],
  workOrSchoolOnly: ['me', 'user'],
  groupApplicationKnownIssue: ['group'],
  adminAnyUser: ['user'],
  readFallback: ['me', 'user'],
  exchangeOnlySizes: ['me', 'user', 'group', 'team'],
  b2cUnsupported: ['me', 'user'],
};

/**
 * Whether a "first the mailbox, then Azure AD" note is about reading: the photo operations
 * of its section, else of its page, are all reads. A page with no operation, or with writes,
 * keeps the update's mailboxFallback.
 */
function aboutReading(context: RuleContext, section: number): boolean {
  const photo = (ops: OperationFact[]) => ops.filter((op) => op.resource);
  const inSection = photo(operationsInSection(context.facts, section));
  const ops = inSection.length ? inSection : photo(context.facts.operations);
  return ops.length > 0 && ops.every((op) => op.method === 'GET');
}

const ALERT = /^\[!(?:NOTE|TIP|IMPORTANT|CAUTION|WARNING)\]\s*/i;

/** A docfx note starts `[!NOTE]` on its own line, in the same paragraph as its sentence: not part of the quote. */
export function withoutAlertMarker(at: Loc): Loc {
  const quote = at.quote;
  if (!quote || !ALERT.test(quote.text)) return at;
  const marker = ALERT.exec(quote.text)?.[0] ?? '';
  const lines = marker.split('\n').length - 1;
  return {
    line: at.line + lines,
    // The next line of a blockquote paragraph starts where its first did (after "> ").
    column: lines ? at.column : at.column + marker.length,
    quote: { ...quote, text: quote.text.slice(marker.length), ...(quote.en !== undefined ? { en: quote.en.replace(ALERT, '') } : {}) },
  };
}

export const behavioursRule: RuleFactory = () => ({
  id: BEHAVIOURS_RULE_ID,
  run(context) {
    const behaviours: BehaviourFact[] = [];
    const seen = new Set<string>();
    const sentences = context.view.sentences;
    // A note's link often sits in its last sentence ("To learn more, see ..."). Collected once
    // per block: a reference page has hundreds of sentences.
    const linksByBlock = new Map<number, string[]>();
    for (const s of sentences) {
      const links = linksByBlock.get(s.block);
      if (links) links.push(...s.links);
      else linksByBlock.set(s.block, [...s.links]);
    }
    sentences.forEach((sentence, i) => {
      const text = bothOf(sentence);
      const kinds: BehaviourKind[] = [];
      const blockLinks = linksByBlock.get(sentence.block) ?? [];
      const previous = sentences[i - 1];
      const sameBlockBefore = previous && previous.block === sentence.block ? bothOf(previous) : '';
      const directory = mentions('directory', text);
      const anyDimension = directory && mentions('anyDimension', text);
      if (sentence.container !== 'listItem' && directory && mentions('first', sameBlockBefore, text) && !anyDimension) {
        kinds.push(aboutReading(context, blockOf(context, sentence)?.section ?? -1) ? 'readFallback' : 'mailboxFallback');
      }
      if (anyDimension) kinds.push('exchangeOnlySizes');
      if (text.includes('B2C') && mentions('notSupported', sentence.text, sentence.en)) kinds.push('b2cUnsupported');
      if (mentions('personalMailbox', sentence.text, sentence.en)) kinds.push('workOrSchoolOnly');
      if (sentence.links.some((l) => /known-issues#group/i.test(l)) && mentions('application', sentence.text, sentence.en)) kinds.push('groupApplicationKnownIssue');
      if (
        (blockLinks.some((l) => /auth[-_]v2[-_]service/i.test(l)) && /User\.ReadWrite\.All/i.test(text)) ||
        /tenant administrator to let an app/i.test(text)
      ) {
        kinds.push('adminAnyUser');
      }
      const block = blockOf(context, sentence);
      for (const kind of kinds) {
        const versions = versionsAt(context.detection, block?.versions ?? []);
        const key = `${kind}|${versions.join()}`;
        if (seen.has(key)) continue;
        seen.add(key);
        // The fallback spans two sentences: quote from the first.
        const at = (kind === 'mailboxFallback' || kind === 'readFallback') && previous && previous.block === sentence.block ? locOf(context.detection, { ...previous, text: `${previous.text} ${sentence.text}`, ...(previous.en || sentence.en ? { en: `${previous.en ?? previous.text} ${sentence.en ?? sentence.text}` } : {}) }) : locOf(context.detection, sentence);
        behaviours.push({ kind, api: context.detection.api, versions, resources: RESOURCES[kind], at: withoutAlertMarker(at) });
      }
    });
    return { facts: { behaviours } };
  },
});
