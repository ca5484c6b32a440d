/**
 * The merge's side of the limits rule: every stated figure of the run, per api, version and
 * subject (the request, or the photo itself), reconciled by the rule that holds for every
 * fact here: for the same api and version the newest dated page wins (a tie goes to the
 * larger figure, so a test never refuses what a page allows), every value kept in a
 * conflict with its sources. Pure; the merge calls it once every page is in.
 */
import type { Api, Conflict, Limit, SourceRef, Version } from '../../../spec/model.ts';
import { MEGABYTE } from './index.ts';

export type LimitSubject = 'request' | 'photo';

export interface LimitEntry {
  api: Api;
  version: Version;
  subject: LimitSubject;
  value: number;
  ref: SourceRef;
  date?: string;
  /** Source id of the page. */
  source: string;
}

/** The conflict and requirement key of a subject: `graph.v1.0/limits/request-size`. */
export const limitKey = (subject: LimitSubject) => `limits/${subject}-size`;

const compareRefs = (a: SourceRef, b: SourceRef) => (a.source === b.source ? a.line - b.line || a.column - b.column : a.source < b.source ? -1 : 1);

const megabytes = (bytes: number) => `${Math.round((bytes / MEGABYTE) * 100) / 100} MB`;

export interface Reconciled {
  /** Sorted by api, version, then the request before the photo; a request limit carries no subject (absent means request). */
  limits: Limit[];
  conflicts: Conflict[];
  /** Where a page's figures do not fit together (a photo limit above the request limit). */
  notes: { ref: SourceRef; message: string }[];
}

export function reconcileLimits(entries: readonly LimitEntry[]): Reconciled {
  const limits: Limit[] = [];
  const conflicts: Conflict[] = [];
  const notes: Reconciled['notes'] = [];
  const order: Record<LimitSubject, number> = { request: 0, photo: 1 };
  const keys = [...new Set(entries.map((e) => `${e.api}|${e.version}|${e.subject}`))].sort((a, b) => {
    const [aa, av, as] = a.split('|') as [Api, Version, LimitSubject];
    const [ba, bv, bs] = b.split('|') as [Api, Version, LimitSubject];
    return aa.localeCompare(ba) || av.localeCompare(bv) || order[as] - order[bs];
  });
  for (const key of keys) {
    const [api, version, subject] = key.split('|') as [Api, Version, LimitSubject];
    const mine = entries.filter((e) => e.api === api && e.version === version && e.subject === subject);
    const values = [...new Set(mine.map((e) => e.value))].sort((a, b) => a - b);
    const newest = [...mine].sort((a, b) => (b.date ?? '').localeCompare(a.date ?? '') || b.value - a.value)[0] as LimitEntry;
    const refsOf = (value: number) => {
      const refs: SourceRef[] = [];
      for (const e of mine) if (e.value === value && !refs.some((r) => r.ref === e.ref.ref)) refs.push(e.ref);
      return refs.sort(compareRefs);
    };
    if (values.length > 1) {
      conflicts.push({
        id: `${api}.${version}/${limitKey(subject)}`,
        subject: `${subject} size limit ${api} ${version}`,
        values: values.map((value) => ({ value, sources: refsOf(value) })),
        resolution: { rule: 'newest-page', value: newest.value, note: `the newest page (${newest.date ?? 'undated'}, ${newest.source}) wins for the same API version` },
      });
    }
    limits.push({ api, version, ...(subject === 'photo' ? { subject } : {}), maxRequestBytes: newest.value, sources: refsOf(newest.value) });
  }
  for (const photo of limits.filter((l) => l.subject === 'photo')) {
    const request = limits.find((l) => l.api === photo.api && l.version === photo.version && !l.subject);
    const at = photo.sources[0];
    if (request && at && photo.maxRequestBytes > request.maxRequestBytes) {
      notes.push({
        ref: at,
        message: `${photo.api} ${photo.version}: the photo limit (${megabytes(photo.maxRequestBytes)}) is above the request limit (${megabytes(request.maxRequestBytes)}); a photo travels in one request, so above ${megabytes(request.maxRequestBytes)} only the refusal can be checked`,
      });
    }
  }
  return { limits, conflicts, notes };
}
