/**
 * Small helpers merge.ts and its modules (merge-entities.ts, merge-statements.ts) share:
 * source references in a stable order, ids, levels, which operations a fact's scope covers.
 */
import type { Level, Operation, Quote, SourceRef } from '../spec/model.ts';
import type { Scope } from './types.ts';

export const compareRefs = (a: SourceRef, b: SourceRef): number =>
  a.source === b.source ? a.line - b.line || a.column - b.column : a.source < b.source ? -1 : 1;

/** Whether a fact stated for a scope (api, versions, methods, targets, resources) covers an operation. */
export function inScope(scope: Scope, op: Operation): boolean {
  return (
    scope.api === op.api &&
    (!scope.versions.length || scope.versions.includes(op.version)) &&
    (!scope.methods.length || scope.methods.includes(op.method)) &&
    (!scope.targets.length || scope.targets.includes(op.target)) &&
    (!scope.resources.length || scope.resources.includes(op.resource))
  );
}

export function addRefs(into: SourceRef[], refs: readonly SourceRef[]): void {
  for (const ref of refs) if (!into.some((r) => r.ref === ref.ref)) into.push(ref);
  into.sort(compareRefs);
}

export const kebab = (v: string): string => v.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

const RANK: Record<Level, number> = { MUST: 3, SHOULD: 2, MAY: 1 };

export function higherLevel(a: Level, b: Level): Level {
  return RANK[a] >= RANK[b] ? a : b;
}

export function isHigher(a: Level, b: Level): boolean {
  return RANK[a] > RANK[b];
}

/** The quote of the first source that keeps the English beside it, else of the first source. */
export function bestQuote(sources: readonly SourceRef[], fallback: string): Quote {
  const sorted = [...sources].sort(compareRefs);
  const chosen = sorted.find((s) => s.quote?.en) ?? sorted.find((s) => s.quote);
  return chosen?.quote ? { ...chosen.quote } : { text: fallback, lang: 'en', en: fallback };
}

/** `a/b/../c.md` -> `a/c.md`: a link resolved against the page that holds it, as the run names pages. */
export function resolveLink(fromFile: string, link: string): string {
  const target = link.replace(/[#?].*$/, '');
  const parts = fromFile.split(/[\\/]/).slice(0, -1);
  for (const segment of target.split('/')) {
    if (segment === '..') {
      if (parts.length && parts[parts.length - 1] !== '..' && parts[parts.length - 1] !== '') parts.pop();
      else parts.push('..');
    } else if (segment !== '.' && segment !== '') parts.push(segment);
  }
  return parts.join('/');
}
