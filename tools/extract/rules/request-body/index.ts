/**
 * request-body: a sentence in the request-body section (or beside the endpoints of a
 * section that writes the photo) saying the body is the photo's binary data. The content
 * types come from the Content-Type headers the page states for the same operations.
 */
import type { BodyFact } from '../../types.ts';
import { mentions } from '../lexicon.ts';
import type { RuleFactory } from '../rule.ts';
import { blockOf, locOf, operationsInSection, scopeForBlock } from '../rule.ts';

export const REQUEST_BODY_RULE_ID = 'request-body';

const WRITES = new Set(['PUT', 'PATCH', 'POST']);

export const requestBodyRule: RuleFactory = () => ({
  id: REQUEST_BODY_RULE_ID,
  run(context) {
    const bodies: BodyFact[] = [];
    const writes = context.facts.operations.filter((op) => WRITES.has(op.method));
    if (!writes.length) return {};
    const seen = new Set<string>();
    for (const sentence of context.view.sentences) {
      if (!mentions('binary', sentence.text, sentence.en)) continue;
      const block = blockOf(context, sentence);
      if (!block) continue;
      const sectionWrites = operationsInSection(context.facts, block.section).filter((op) => WRITES.has(op.method));
      if (!block.sectionKey.startsWith('request-body') && !sectionWrites.length) continue;
      const scope = scopeForBlock(context, block.index);
      scope.methods = scope.methods.length ? scope.methods.filter((m) => WRITES.has(m)) : [...new Set(writes.map((op) => op.method))];
      const key = `${scope.versions.join()}|${scope.methods.join()}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const contentTypes = [
        ...new Set(
          context.facts.headers
            .filter((h) => h.name === 'Content-Type' && h.value && h.scope.versions.some((v) => scope.versions.includes(v)))
            .filter((h) => !h.scope.methods.length || h.scope.methods.some((m) => WRITES.has(m)))
            .map((h) => h.value as string),
        ),
      ].sort();
      bodies.push({ kind: 'binary', contentTypes, scope, at: locOf(context.detection, sentence) });
    }
    if (!bodies.length) {
      return { messages: [{ line: 1, column: 1, severity: 'warning', message: 'the page writes a photo but no sentence states the request body' }] };
    }
    return { facts: { bodies } };
  },
});
