/**
 * size-variants: the predefined photo sizes ('48x48', ... '648x648'), the rule that only
 * sizes at or below the uploaded photo exist, and that photos kept in Azure AD may have
 * any dimension. Sizes are language-free tokens; the two rules are read from the same
 * description (a table cell or paragraph) through the lexicon.
 *
 * The sizes are a set, not a sequence: translations scramble the list (`240x240``120x120`,
 * empty slots "、、") and may leave one size behind the sentence's full stop ("... and
 * `648x648`. `64x64`"). A sentence of the same paragraph or cell that holds nothing but
 * sizes belongs to the list; the set is sorted by side.
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

/** A sentence of sizes and nothing else: the stray end of a list a translation broke. */
function onlySizes(sentence: { text: string }): boolean {
  return SIZE_ONLY.test(sentence.text) && !/\p{L}/u.test(sentence.text.replace(SIZE, ''));
}
const SIZE_ONLY = /\d\s*[xX×]\s*\d/;

export const sizeVariantsRule: RuleFactory = () => ({
  id: SIZE_VARIANTS_RULE_ID,
  run(context) {
    const sizeVariants: SizeVariantsFact[] = [];
    const sentences = context.view.sentences;
    for (const sentence of sentences) {
      const listed = sizesIn(bothOf(sentence)).filter((s) => s !== '1x1');
      if (listed.length < 3) continue;
      const sameBlock = sentences.filter((s) => s.block === sentence.block && s !== sentence);
      const stray = sameBlock.filter(onlySizes).flatMap((s) => sizesIn(bothOf(s))).filter((s) => s !== '1x1');
      const predefined = [...new Set([...listed, ...stray])];
      // The rules about availability sit in the same cell or paragraph as the list.
      const siblings = sameBlock.concat(sentence).filter((s) => s.line >= sentence.line && s.line <= sentence.line + 2);
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
