/**
 * behaviours: restrictions stated only in prose. Each is recognized by what does not get
 * translated (a link target, a product name) plus a lexicon word:
 *  - mailboxFallback: "first attempts ... mailbox / Microsoft 365, then Azure Active Directory";
 *  - workOrSchoolOnly: "supports only work or school mailboxes, not personal mailboxes";
 *  - groupApplicationKnownIssue: the link to known-issues#groups;
 *  - adminAnyUser: the link to the app-only auth article, or "tenant administrator ... any user".
 */
import type { Resource } from '../../../spec/model.ts';
import type { BehaviourFact, BehaviourKind } from '../../types.ts';
import { mentions } from '../lexicon.ts';
import type { RuleFactory } from '../rule.ts';
import { blockOf, bothOf, locOf, versionsAt } from '../rule.ts';

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
      if (sentence.container !== 'listItem' && mentions('directory', text) && mentions('first', sameBlockBefore, text) && !mentions('anyDimension', text)) {
        kinds.push('mailboxFallback');
      }
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
        const at = kind === 'mailboxFallback' && previous && previous.block === sentence.block ? locOf(context.detection, { ...previous, text: `${previous.text} ${sentence.text}`, ...(previous.en || sentence.en ? { en: `${previous.en ?? previous.text} ${sentence.en ?? sentence.text}` } : {}) }) : locOf(context.detection, sentence);
        behaviours.push({ kind, api: context.detection.api, versions, resources: RESOURCES[kind], at });
      }
    });
    return { facts: { behaviours } };
  },
});
