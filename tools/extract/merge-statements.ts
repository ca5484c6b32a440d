/**
 * Statements (rules/statements) into requirements. A statement names the requirement it
 * states, `<api>.<version>/<key>` (or `<operation id>/<key>`):
 *  - where other facts already make that requirement (sizes/predefined from the size list,
 *    sizes/placeholder from the 1x1 example, an operation's response/content-type), the
 *    statement adds its sentence to the sources; a plain statement ("is returned") outranks
 *    what only an example shows, so it raises the level and becomes the quote;
 *  - otherwise a statement with a typed assert makes the requirement itself (no-photo, ETag);
 *  - a statement that only supports a requirement nothing else makes is reported, not lost.
 * Statements that name an entity page (`entity/...`) are the entity merge's.
 */
import type { Api, Operation, Requirement, SourceRef, Spec, Version } from '../spec/model.ts';
import { addRefs, bestQuote, compareRefs, higherLevel, inScope, isHigher } from './merge-refs.ts';
import type { Diagnostic, Loc, StatementFact } from './types.ts';

const RULE_ID = 'merge';

export interface StatementEntry {
  fact: StatementFact;
  ref: SourceRef;
  file: string;
}


export class StatementMerge {
  private readonly entries: StatementEntry[] = [];

  add(facts: readonly StatementFact[] | undefined, ref: (loc: Loc) => SourceRef, file: string): void {
    for (const fact of facts ?? []) this.entries.push({ fact, ref: ref(fact.at), file });
  }

  /** The statements that name an entity's page ("returns a profilePhoto object"). */
  forEntities(): StatementEntry[] {
    return this.entries.filter((e) => e.fact.entityPage);
  }

  /** Adds to `requirements` (in place) and returns them sorted by id. */
  apply(spec: Spec, requirements: Requirement[], messages: Diagnostic[]): Requirement[] {
    const groups = new Map<string, { entries: StatementEntry[]; operations: Set<string>; api: Api; version?: Version }>();
    for (const entry of this.entries) {
      const { fact } = entry;
      if (fact.entityPage) continue;
      const ops = spec.operations.filter((op) => inScope(fact.scope, op));
      const ids: { id: string; ops: Operation[]; version?: Version }[] = fact.perOperation
        ? ops.map((op) => ({ id: `${op.id}/${fact.key}`, ops: [op], version: op.version }))
        : fact.scope.versions.map((version) => ({ id: `${fact.scope.api}.${version}/${fact.key}`, ops: ops.filter((op) => op.version === version), version }));
      if (!ids.length) {
        messages.push({ file: entry.file, line: entry.ref.line, column: entry.ref.column, severity: 'info', message: `statement '${fact.key}' applies to no operation of this run`, ruleId: RULE_ID });
      }
      for (const { id, ops: covered, version } of ids) {
        const group = groups.get(id) ?? { entries: [], operations: new Set<string>(), api: fact.scope.api, ...(version ? { version } : {}) };
        group.entries.push(entry);
        for (const op of covered) group.operations.add(op.id);
        groups.set(id, group);
      }
    }
    const byId = new Map(requirements.map((r) => [r.id, r]));
    for (const [rawId, group] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
      const id = rawId.toLowerCase();
      const refs = group.entries.map((e) => e.ref).sort(compareRefs);
      const level = group.entries.map((e) => e.fact.level).reduce(higherLevel);
      // The strongest statements give the quote: a MUST sentence before an example line.
      const quoteRefs = group.entries.filter((e) => e.fact.level === level).map((e) => e.ref);
      const existing = byId.get(id);
      if (existing) {
        // A sentence that states the fact outranks the line that shows it: a stronger one
        // raises the level; one as strong becomes the quote where an example line was.
        const sentences = quoteRefs.filter((r) => r.quote && !/^\s*["{[]/.test(r.quote.text));
        if (isHigher(level, existing.level)) {
          existing.level = level;
          existing.quote = bestQuote(quoteRefs, existing.description);
        } else if (level === existing.level && sentences.length) {
          existing.quote = bestQuote(sentences, existing.description);
        }
        addRefs(existing.sources, refs);
        continue;
      }
      const first = group.entries[0] as StatementEntry;
      const assert = group.entries.find((e) => e.fact.assert)?.fact.assert;
      if (!assert) {
        messages.push({
          file: first.file,
          line: first.ref.line,
          column: first.ref.column,
          severity: 'info',
          message: `statement supports ${id}, which no other fact of this run makes; nothing to check`,
          ruleId: RULE_ID,
        });
        continue;
      }
      const requirement: Requirement = {
        id,
        level,
        area: first.fact.area,
        description: `${group.api}${group.version ? ` ${group.version}` : ''}: ${first.fact.description}`,
        quote: bestQuote(quoteRefs, first.fact.description),
        operations: [...group.operations].sort(),
        assert,
        sources: refs,
      };
      requirements.push(requirement);
      byId.set(id, requirement);
    }
    return requirements.sort((a, b) => a.id.localeCompare(b.id));
  }
}
