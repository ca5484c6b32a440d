/**
 * Permission names a translation wrote without their dots (`TeamReadBasicAll` for
 * `Team.ReadBasic.All`) cannot be read on their page; the run's other pages usually state
 * them whole. The merge feeds this index every name the pages state, then asks it for each
 * damaged one: a name matches when it is the same ignoring dots and case. It needs the whole
 * run, so it is asked only once every page is in; the answer does not depend on their order.
 */
import type { SourceRef } from '../../../spec/model.ts';

/** Dots, white space and case do not count: `Team.ReadBasic.All` and `TeamReadBasicAll` are one key. */
export function nameKey(name: string): string {
  return name.replace(/[.\s]+/g, '').toLowerCase();
}

const compareRefs = (a: SourceRef, b: SourceRef) => (a.source === b.source ? a.line - b.line || a.column - b.column : a.source < b.source ? -1 : 1);

export interface RecoveredName {
  name: string;
  /** The first place (in source and line order) the run states it. */
  statedAt: SourceRef;
}

export class PermissionNameIndex {
  private readonly byKey = new Map<string, Map<string, SourceRef[]>>();

  /** A name a page states whole, and where. */
  state(name: string, ref: SourceRef): void {
    const key = nameKey(name);
    const names = this.byKey.get(key) ?? new Map<string, SourceRef[]>();
    const refs = names.get(name) ?? [];
    if (!refs.some((r) => r.ref === ref.ref)) refs.push(ref);
    names.set(name, refs);
    this.byKey.set(key, names);
  }

  /** The stated name a damaged one stands for, or undefined when the run states none that matches. */
  recover(written: string): RecoveredName | undefined {
    const names = this.byKey.get(nameKey(written));
    if (!names?.size) return undefined;
    // Two spellings of one key (rare): the one stated most often, then the first by name.
    const [name, refs] = [...names].sort(([a, ra], [b, rb]) => rb.length - ra.length || a.localeCompare(b))[0] as [string, SourceRef[]];
    return { name, statedAt: [...refs].sort(compareRefs)[0] as SourceRef };
  }
}
