/**
 * Where a promise of the export comes from, as vendor extensions: `x-provenance` lists the
 * sentences behind a fact (file relative to the repository root, line, column, the quote in
 * the page's language and in English), and every document-level fact is placed in the
 * documents of the API and version it speaks of. Pure: the spec in, plain objects out.
 */
import { API_NAMES, VERSIONS, type Api, type SourceRef, type Spec, type Version } from '../spec/model.ts';

export interface ProvenanceEntry {
  file: string;
  line: number;
  column: number;
  source: string;
  quote?: string;
  lang?: string;
  en?: string;
}

/** One entry per source reference, in the spec's order; `ref` is `file:line:column`. */
export function provenance(refs: readonly SourceRef[]): ProvenanceEntry[] {
  return refs.map((ref) => {
    const entry: ProvenanceEntry = { file: ref.ref.replace(/:\d+:\d+$/, ''), line: ref.line, column: ref.column, source: ref.source };
    if (ref.quote) {
      entry.quote = ref.quote.text;
      entry.lang = ref.quote.lang;
      // The English sentence only where it says something the quote does not.
      if (ref.quote.en !== undefined && ref.quote.en !== ref.quote.text) entry.en = ref.quote.en;
    }
    return entry;
  });
}

/** One exported document: one API in one version. */
export interface DocumentKey {
  api: Api;
  version: Version;
}

export const documentName = (key: DocumentKey) => `${key.api}-${key.version}`;
export const sameDocument = (a: DocumentKey, b: DocumentKey) => a.api === b.api && a.version === b.version;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Stable ids begin with the API and often its version: `graph.beta/limits/...`, `graph/behaviours/...`, an operation id. */
const ID_PREFIX = new RegExp(`^(${API_NAMES.map(escapeRegExp).join('|')})(?:\\.(${VERSIONS.map(escapeRegExp).join('|')}))?(?=[./]|$)`);

/**
 * The documents a fact belongs in. Its stable id names the API and version when it can; else
 * the pages it cites do (a facts document cites no API); a fact that names neither goes in every
 * document, so that none is lost.
 */
export function placement(spec: Spec, documents: readonly DocumentKey[], id: string, refs: readonly SourceRef[]): DocumentKey[] {
  const match = ID_PREFIX.exec(id);
  if (match) {
    const [, api, version] = match;
    const placed = documents.filter((d) => d.api === api && (version === undefined || d.version === version));
    if (placed.length) return placed;
  }
  const sources = new Map(spec.sources.map((s) => [s.id, s]));
  const cited = refs.flatMap((ref) => {
    const source = sources.get(ref.source);
    return source ? source.versions.map((version) => ({ api: source.api, version })) : [];
  });
  const placed = documents.filter((d) => cited.some((c) => sameDocument(c, d)));
  return placed.length ? placed : [...documents];
}
