/**
 * methods: what the prose says about which methods update the photo ("Use only PUT for
 * this operation in the beta version", "PATCH or PUT in version 1.0"). Method names are
 * never translated, so a sentence that has the shape of this statement (a version, an
 * "only") but names no method has been garbled by machine translation: it is recorded as
 * garbled so the merge lets the endpoint block decide.
 */
import type { Method, Version } from '../../../spec/model.ts';
import type { MethodProseFact } from '../../types.ts';
import { mentions } from '../lexicon.ts';
import type { RuleFactory, RuleMessage } from '../rule.ts';
import { blockOf, bothOf, englishOf, locOf, versionsAt } from '../rule.ts';

export const METHODS_RULE_ID = 'methods';

const METHOD_WORD = /\b(PUT|PATCH|POST)\b/g;

export function versionsMentioned(text: string): Version[] {
  const found = new Set<Version>();
  if (/\bbeta\b|beta-|бета|ベータ|测试版|베타/i.test(text)) found.add('beta');
  if (/(^|[^\d.])v?1\.0\b/i.test(text)) found.add('v1.0');
  if (/(^|[^\d.])v?2\.0\b/i.test(text)) found.add('v2.0');
  return [...found];
}

export const methodsRule: RuleFactory = () => ({
  id: METHODS_RULE_ID,
  run(context) {
    const methodProse: MethodProseFact[] = [];
    const messages: RuleMessage[] = [];
    const writes = context.facts.operations.filter((op) => op.method !== 'GET' && op.method !== 'DELETE');
    if (!writes.length) return {};
    for (const sentence of context.view.sentences) {
      if (sentence.container === 'heading' || sentence.container === 'tableCell') continue;
      const text = englishOf(sentence);
      const both = bothOf(sentence);
      const methods = [...new Set([...both.matchAll(METHOD_WORD)].map((m) => m[1] as Method))];
      const mentioned = versionsMentioned(both);
      const only = mentions('only', sentence.text, sentence.en);
      const block = blockOf(context, sentence);
      const versions = mentioned.length ? mentioned : versionsAt(context.detection, block?.versions ?? []);
      if (methods.length) {
        // A statement about methods names a version or says "only"/"either"; other sentences just mention a method.
        if (!mentioned.length && !only && !/\b(either|or)\b|或|または|или|oder|\bou\b|\bo\b/i.test(both)) continue;
        if (text.length > 240) continue;
        for (const version of versions) {
          methodProse.push({ api: context.detection.api, version, methods, only: only || methods.length === 1, garbled: false, at: locOf(context.detection, sentence) });
        }
      } else if (only && mentioned.length && text.length < 160 && !/\d\s*MB|\d+x\d+/i.test(both)) {
        const isWholeParagraph = context.view.sentences.filter((s) => s.block === sentence.block).length === 1;
        if (!isWholeParagraph || sentence.container !== 'paragraph') continue;
        for (const version of versions) {
          methodProse.push({ api: context.detection.api, version, methods: [], only: true, garbled: true, at: locOf(context.detection, sentence) });
        }
        messages.push({
          line: sentence.line,
          column: sentence.column,
          severity: 'warning',
          message: `sentence about the methods for ${versions.join(', ')} names no HTTP method (garbled translation?); the endpoint block decides`,
        });
      }
    }
    return { facts: { methodProse }, messages };
  },
});
