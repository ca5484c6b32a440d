/**
 * Merging pages into the spec. `SpecBuilder.add` folds one PageResult in and keeps only
 * what the spec needs (so the runner can stream thousands of pages); `build` resolves
 * conflicts and derives requirements. Order of `add` calls does not matter: everything is
 * sorted by stable keys before output.
 */
import type { Operation, Source, SourceRef, Spec } from '../spec/model.ts';
import { operationId } from './rules/operations/path-template.ts';
import type { Diagnostic, Loc, PageResult } from './types.ts';

export const GENERATOR = 'photo-conformance extract';

export function toSourceRef(source: string, file: string, loc: Loc): SourceRef {
  return {
    source,
    ref: `${file}:${loc.line}:${loc.column}`,
    line: loc.line,
    column: loc.column,
    ...(loc.quote ? { quote: { ...loc.quote } } : {}),
  };
}

export class SpecBuilder {
  private readonly sources = new Map<string, Source>();
  private readonly operations = new Map<string, Operation>();
  private readonly messages: Diagnostic[] = [];

  add(result: PageResult): void {
    const d = result.facts.detection;
    let id = d.id;
    for (let n = 2; this.sources.has(id) && this.sources.get(id)?.path !== result.path; n++) id = `${d.id}-${n}`;
    this.sources.set(id, {
      id,
      path: result.path,
      sha256: result.sha256,
      locale: d.locale,
      api: d.api,
      versions: [...d.versions],
      translation: d.translation,
      bilingual: d.bilingual,
      ...(d.date ? { date: d.date } : {}),
      ...(d.dateFrom ? { dateFrom: d.dateFrom } : {}),
      ...(d.title ? { title: d.title } : {}),
      ...(d.anchor ? { anchor: d.anchor } : {}),
      ...(d.pinned.length ? { pinned: [...d.pinned] } : {}),
    });
    for (const fact of result.facts.operations) {
      if (!fact.resource || !fact.target) continue;
      const opId = operationId({ ...fact, resource: fact.resource, target: fact.target });
      const ref = toSourceRef(id, result.path, fact.at);
      const existing = this.operations.get(opId);
      if (existing) {
        if (!existing.originalPaths.includes(fact.originalPath)) existing.originalPaths.push(fact.originalPath);
        existing.sources.push(ref);
        continue;
      }
      this.operations.set(opId, {
        id: opId,
        api: fact.api,
        version: fact.version,
        method: fact.method,
        path: fact.path,
        originalPaths: [fact.originalPath],
        parameters: fact.parameters.map((p) => ({ ...p, kinds: [...p.kinds] })),
        resource: fact.resource,
        target: fact.target,
        headers: [],
        responses: [],
        permissions: [],
        sources: [ref],
      });
    }
  }

  build(): { spec: Spec; messages: Diagnostic[] } {
    const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    const spec: Spec = {
      specVersion: 1,
      title: 'Microsoft Graph and Outlook REST profile photo API',
      generator: GENERATOR,
      sources: [...this.sources.values()].sort(byId),
      operations: [...this.operations.values()].sort(byId),
      limits: [],
      methods: [],
      behaviours: [],
      requirements: [],
      conflicts: [],
      schemas: {},
    };
    return { spec, messages: [...this.messages] };
  }
}
