/**
 * size-variants: the predefined photo sizes ('48x48', ... '648x648'), the rule that only
 * sizes at or below the uploaded photo exist, and that photos kept in Azure AD may have
 * any dimension. Sizes are language-free tokens; the two rules are read from the same
 * description (a table cell or paragraph) through the lexicon.
 */
import type { SizeVariantsFact } from '../../types.ts';
import { mentions } from '../lexicon.ts';
import type { RuleFactory } from '../rule.ts';
import { blockOf, bothOf, locOf, versionsAt } from '../rule.ts';

export const SIZE_VARIANTS_RULE_ID = 'size-variants';

const SIZE = /\b(\d{1,4})\s*[xX×]\s*(\d{1,4})\b/g;

export function sizesIn(text: string): string[] {
  return [...new Set([...text.matchAll(SIZE)].filter((m) => m[1] === m[2]).map((m) => `${m[1]}x${m[2]}`))];
}

export const sizeVariantsRule: RuleFactory = () => ({
  id: SIZE_VARIANTS_RULE_ID,
  run(context) {
    const sizeVariants: SizeVariantsFact[] = [];
    const sentences = context.view.sentences;
    for (const sentence of sentences) {
      const predefined = sizesIn(bothOf(sentence)).filter((s) => s !== '1x1');
      if (predefined.length < 3) continue;
      // The rules about availability sit in the same cell or paragraph as the list.
      const siblings = sentences.filter((s) => s.block === sentence.block && s.line >= sentence.line && s.line <= sentence.line + 2);
      const near = siblings.length ? siblings : [sentence];
      const atOrBelowUpload = near.some((s) => mentions('smallerSizes', s.text, s.en));
      const directoryAnyDimension = near.some((s) => mentions('anyDimension', s.text, s.en));
      const block = blockOf(context, sentence);
      sizeVariants.push({
        api: context.detection.api,
        versions: versionsAt(context.detection, block?.versions ?? []),
        predefined: predefined.sort((a, b) => Number(a.split('x')[0]) - Number(b.split('x')[0])),
        atOrBelowUpload,
        directoryAnyDimension,
        at: locOf(context.detection, sentence),
      });
    }
    return { facts: { sizeVariants } };
  },
});
