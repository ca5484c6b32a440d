/**
 * limits: the size limits a write page states, each with what it limits:
 *  - the request: "a limit of 4MB on the total size of each REST request" (such a sentence
 *    goes on to say the photo is limited alike: it is the request's limit that it states);
 *  - the photo itself: "the photo must be under 8 MB".
 * One page may state both with different figures (a photo under 8 MB, a request of at most
 * 4 MB): each is kept as what it limits, and the merge reconciles them per api and version.
 * What a sentence limits is read from the language-independent `REST`, else the lexicon's
 * words for a request, then for a photo; a sentence naming neither is read as the request's.
 * A megabyte here is binary: 4 MB = 4 * 1024 * 1024 bytes. Exchange and Graph size their
 * request limits in binary units (the 4 MB limit is enforced at 4,194,304 bytes), and
 * choosing the larger reading means a test never rejects a body the service accepts.
 */
import type { LimitFact } from '../../types.ts';
import { mentions } from '../lexicon.ts';
import type { RuleFactory, RuleMessage } from '../rule.ts';
import { blockOf, bothOf, locOf, versionsAt } from '../rule.ts';

export const LIMITS_RULE_ID = 'limits';

export const MEGABYTE = 1024 * 1024;

const SIZE = /(\d+(?:[.,]\d+)?)\s*(MB|MiB|Mo|Mb|МБ|Мбайт|メガバイト|兆字节|메가바이트)(?![A-Za-z])/g;

export function megabytesIn(text: string): number[] {
  return [...text.matchAll(SIZE)].map((m) => Number((m[1] ?? '0').replace(',', '.')));
}

/** What a size sentence limits: the whole request wins where both are named ("each REST request ..., so the photo ..."). */
export function limitSubject(sentence: { text: string; en?: string }): { subject: 'request' | 'photo'; stated: boolean } {
  if (mentions('request', sentence.text, sentence.en)) return { subject: 'request', stated: true };
  if (mentions('photo', sentence.text, sentence.en)) return { subject: 'photo', stated: true };
  return { subject: 'request', stated: false };
}

export const limitsRule: RuleFactory = () => ({
  id: LIMITS_RULE_ID,
  run(context) {
    const limits: LimitFact[] = [];
    const messages: RuleMessage[] = [];
    // Only pages that write something state a request size limit that matters here.
    if (!context.facts.operations.some((op) => op.method !== 'GET' && op.method !== 'DELETE')) return {};
    for (const sentence of context.view.sentences) {
      if (sentence.container === 'heading') continue;
      const values = [...new Set(megabytesIn(bothOf(sentence)))];
      if (!values.length) continue;
      if (values.length > 1) {
        messages.push({ line: sentence.line, column: sentence.column, severity: 'warning', message: `one sentence states several sizes (${values.join(', ')} MB); the largest is taken` });
      }
      const megabytes = Math.max(...values);
      const { subject, stated } = limitSubject(sentence);
      if (!stated) {
        messages.push({ line: sentence.line, column: sentence.column, severity: 'info', message: `the sentence names neither the request nor the photo; ${megabytes} MB read as the request's limit` });
      }
      const block = blockOf(context, sentence);
      for (const version of versionsAt(context.detection, block?.versions ?? [])) {
        limits.push({ api: context.detection.api, version, subject, maxRequestBytes: Math.round(megabytes * MEGABYTE), at: locOf(context.detection, sentence) });
      }
    }
    if (!limits.length) messages.push({ line: 1, column: 1, severity: 'warning', message: 'no request size limit stated' });
    return { facts: { limits }, messages };
  },
});
