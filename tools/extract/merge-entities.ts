/**
 * Entities (rules/resource) into the spec: one entity per API, version and type, merged over
 * the resource pages that state it, with
 *  - its properties and the JSON Schema they make (`graph.v1.0.profilePhoto`): int32 is an
 *    integer within int32's range, read-only is kept as `readOnly`, what the representation
 *    shows is required, and other properties are allowed (OData annotations are legitimate);
 *  - its methods, each with the operation ids the linked page yields in this run (pages are
 *    matched by their path in the run); a link to a page outside the run, and an operation
 *    no listed page yields, are warnings;
 *  - beside the schema the examples make (rules/responses): where they disagree on a property
 *    (its type, its presence) a conflict `resource-page-over-examples`, and the resource page's
 *    schema is the one the reads are validated against;
 *  - requirements: the metadata and photoSize reads answer with that schema (MUST: "returns a
 *    profilePhoto object"), and the metadata read of a media entity names its media.
 */
import type { Api, Conflict, Entity, EntityProperty, Operation, Requirement, Source, SourceRef, Spec, Target, Version } from '../spec/model.ts';
import { addRefs, bestQuote, compareRefs, kebab, resolveLink } from './merge-refs.ts';
import type { StatementEntry } from './merge-statements.ts';
import type { JsonSchema } from './rules/responses/json-schema.ts';
import type { Diagnostic, EntityFact, Loc } from './types.ts';

const RULE_ID = 'merge';
const METADATA_TARGETS: Target[] = ['metadata', 'photoSize'];
const INT32 = { minimum: -2147483648, maximum: 2147483647 };

/**
 * Whether a resource page's entity belongs to the profile photo API: the type is a photo
 * (`profilePhoto`), or its methods table links photo pages. Other resource pages are left out,
 * as pages without a photo operation are.
 */
export function isPhotoEntity(entity: EntityFact): boolean {
  return /photo$/i.test(entity.name.split('.').pop() ?? '') || entity.methods.some((m) => /photo/i.test(m.page.split('/').pop() ?? ''));
}

/** The JSON Schema of a property type as the page writes it (EDM names, collections, other types). */
export function schemaOfType(type: string): JsonSchema {
  const written = type.trim();
  const collection = /^Collection\((.+)\)$/i.exec(written)?.[1] ?? /^(.+?)\s+collection$/i.exec(written)?.[1];
  if (collection) return { type: 'array', items: schemaOfType(collection) };
  const name = written.replace(/^Edm\./i, '').toLowerCase();
  switch (name) {
    case 'string':
    case 'guid':
    case 'binary':
    case 'stream':
    case 'date':
    case 'datetime':
    case 'datetimeoffset':
    case 'timeofday':
    case 'duration':
      return { type: 'string' };
    case 'int32':
      return { type: 'integer', ...INT32 };
    case 'int16':
      return { type: 'integer', minimum: -32768, maximum: 32767 };
    case 'byte':
      return { type: 'integer', minimum: 0, maximum: 255 };
    case 'sbyte':
      return { type: 'integer', minimum: -128, maximum: 127 };
    case 'int64':
    case 'integer':
      return { type: 'integer' };
    case 'boolean':
    case 'bool':
      return { type: 'boolean' };
    case 'double':
    case 'single':
    case 'float':
    case 'decimal':
      return { type: 'number' };
    default:
      // A complex or entity type (a link to its page): an object.
      return { type: 'object' };
  }
}

function typesOf(schema: JsonSchema | undefined): string[] {
  const t = schema?.type;
  return Array.isArray(t) ? (t as string[]) : typeof t === 'string' ? [t] : [];
}

/** Whether an example's type fits the stated one: integer is a number, and a stated integer takes integer examples only. */
function sameType(stated: JsonSchema, example: JsonSchema | undefined): boolean {
  const a = typesOf(stated);
  const b = typesOf(example);
  if (!a.length || !b.length) return true;
  return b.every((t) => a.includes(t) || (t === 'integer' && a.includes('number')));
}

interface PageEntity {
  fact: EntityFact;
  source: string;
  file: string;
  date?: string;
  ref: (loc: Loc) => SourceRef;
}

interface Built {
  entities: Entity[];
  schemas: Record<string, JsonSchema>;
}

export class EntityMerge {
  private readonly pages: PageEntity[] = [];
  private built: (Built & { keys: Map<string, { entity: Entity; statements: SourceRef[]; annotation: SourceRef[] }>; overridden: Map<string, string> }) | undefined;

  add(facts: readonly EntityFact[] | undefined, page: { source: string; file: string; date?: string }, ref: (loc: Loc) => SourceRef): void {
    for (const fact of facts ?? []) if (isPhotoEntity(fact)) this.pages.push({ fact, ...page, ref });
  }

  /** Entities and their schemas; records conflicts and warnings. Call once, before `requirements`. */
  build(input: { operations: Operation[]; sources: ReadonlyMap<string, Source>; exampleSchemas: ReadonlyMap<string, JsonSchema>; statements: StatementEntry[]; conflicts: Conflict[]; messages: Diagnostic[] }): Built {
    const { operations, sources, conflicts, messages } = input;
    const groups = new Map<string, PageEntity[]>();
    for (const page of this.pages) {
      const short = page.fact.name.split('.').pop() as string;
      for (const version of page.fact.versions) {
        const key = `${page.fact.api}|${version}|${short}`;
        groups.set(key, [...(groups.get(key) ?? []), page]);
      }
    }
    const pathOf = new Map([...sources.values()].map((s) => [s.path, s.id]));
    const opsOfSource = (source: string, api: Api, version: Version) => operations.filter((op) => op.api === api && op.version === version && op.sources.some((r) => r.source === source)).map((op) => op.id);
    const entities: Entity[] = [];
    const schemas: Record<string, JsonSchema> = {};
    const keys = new Map<string, { entity: Entity; statements: SourceRef[]; annotation: SourceRef[] }>();
    const overridden = new Map<string, string>();

    for (const [groupKey, list] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
      const [api, version, short] = groupKey.split('|') as [Api, Version, string];
      // Newest page first, then a stable order: its values win where pages disagree.
      const pages = [...list].sort((a, b) => (b.date ?? '').localeCompare(a.date ?? '') || a.source.localeCompare(b.source));
      const newest = pages[0] as PageEntity;
      const name = pages.find((p) => p.fact.name.includes('.'))?.fact.name ?? newest.fact.name;
      const schemaKey = `${api}.${version}.${short}`;
      const id = `${api}.${version}/entities/${kebab(short)}`;

      // Properties: one per name; a type two pages state differently is a conflict the newest page resolves.
      const properties = new Map<string, EntityProperty & { claims: { type: string; refs: SourceRef[] }[] }>();
      for (const page of pages) {
        for (const p of page.fact.properties) {
          const ref = page.ref(p.at);
          const existing = properties.get(p.name);
          if (!existing) {
            properties.set(p.name, { name: p.name, type: p.type, readOnly: p.readOnly, sources: [ref], claims: [{ type: p.type, refs: [ref] }] });
            continue;
          }
          existing.readOnly ||= p.readOnly;
          addRefs(existing.sources, [ref]);
          const claim = existing.claims.find((c) => c.type.toLowerCase() === p.type.toLowerCase());
          if (claim) addRefs(claim.refs, [ref]);
          else existing.claims.push({ type: p.type, refs: [ref] });
        }
      }
      for (const p of properties.values()) {
        if (p.claims.length < 2) continue;
        conflicts.push({
          id: `${id}/properties/${p.name.toLowerCase()}`,
          subject: `the type of ${short}.${p.name} (${api} ${version}) differs between resource pages`,
          values: p.claims.map((c) => ({ value: c.type, sources: c.refs })),
          resolution: { rule: 'newest-page', value: p.type, note: `the newest resource page (${newest.date ?? 'undated'}) wins for the same API version` },
        });
      }
      // Required: what every representation shows (a page without one says nothing).
      const shown = pages.filter((p) => p.fact.required).map((p) => new Set(p.fact.required));
      const required = [...properties.keys()].filter((k) => shown.length > 0 && shown.every((s) => s.has(k))).sort();
      const schema: JsonSchema = {
        type: 'object',
        properties: Object.fromEntries(
          [...properties.values()].sort((a, b) => a.name.localeCompare(b.name)).map((p) => [p.name, { ...schemaOfType(p.type), ...(p.readOnly ? { readOnly: true } : {}) }]),
        ),
        required,
        additionalProperties: true,
      };

      const firstDefined = <K extends 'baseType' | 'keyProperty' | 'mediaEntity'>(field: K) => pages.map((p) => p.fact[field]).find((v) => v !== undefined) as EntityFact[K] | undefined;
      for (const field of ['baseType', 'keyProperty', 'mediaEntity'] as const) {
        const stated = pages.filter((p) => p.fact[field] !== undefined);
        const values = [...new Set(stated.map((p) => JSON.stringify(p.fact[field])))];
        if (values.length > 1) {
          conflicts.push({
            id: `${id}/${kebab(field)}`,
            subject: `${field} of ${short} (${api} ${version}) differs between resource pages`,
            values: values.map((v) => ({ value: JSON.parse(v) as unknown, sources: stated.filter((p) => JSON.stringify(p.fact[field]) === v).map((p) => p.ref(p.fact.annotationAt ?? p.fact.at)) })),
            resolution: { rule: 'newest-page', value: firstDefined(field), note: 'the newest resource page that states it wins' },
          });
        }
      }

      // Methods: each link resolved against the page that holds it, matched to the run's pages by path.
      const methods = new Map<string, Entity['methods'][number]>();
      const listed = new Set<string>();
      for (const page of pages) {
        for (const m of page.fact.methods) {
          const target = resolveLink(page.file, m.page);
          const linked = pathOf.get(target);
          const entry = methods.get(m.page) ?? { page: m.page, ...(m.returns ? { returns: m.returns } : {}), operations: [], sources: [] };
          addRefs(entry.sources, [page.ref(m.at)]);
          if (linked) {
            listed.add(linked);
            for (const op of opsOfSource(linked, api, version)) if (!entry.operations.includes(op)) entry.operations.push(op);
            entry.operations.sort();
          } else {
            messages.push({ file: page.file, line: m.at.line, column: m.at.column, severity: 'warning', message: `${short} (${api} ${version}): the methods table links ${m.page} (${target}), which is not among the pages of this run`, ruleId: RULE_ID });
          }
          methods.set(m.page, entry);
        }
      }
      if (methods.size) {
        // Pages of the run that yield operations of this API version none of the listed pages yields.
        const covered = new Set([...methods.values()].flatMap((m) => m.operations));
        const unlisted = new Map<string, string[]>();
        for (const op of operations.filter((o) => o.api === api && o.version === version && !covered.has(o.id))) {
          for (const source of new Set(op.sources.map((r) => r.source))) unlisted.set(source, [...(unlisted.get(source) ?? []), op.id]);
        }
        for (const [source, ids] of [...unlisted].sort(([a], [b]) => a.localeCompare(b))) {
          const first = operations.find((o) => o.id === ids[0])?.sources.find((r) => r.source === source);
          messages.push({
            file: sources.get(source)?.path ?? source,
            line: first?.line ?? 1,
            column: first?.column ?? 1,
            severity: 'warning',
            message: `${ids.length} operation(s) of ${api} ${version} (${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', ...' : ''}) come from a page the methods table of ${short} does not list`,
            ruleId: RULE_ID,
          });
        }
      }

      const entitySources: SourceRef[] = [];
      addRefs(entitySources, pages.map((p) => p.ref(p.fact.at)));
      const annotation: SourceRef[] = [];
      addRefs(annotation, pages.filter((p) => p.fact.annotationAt && p.fact.mediaEntity).map((p) => p.ref(p.fact.annotationAt as Loc)));
      const baseType = firstDefined('baseType');
      const keyProperty = firstDefined('keyProperty');
      const mediaEntity = firstDefined('mediaEntity');
      const entity: Entity = {
        name,
        api,
        versions: [version],
        ...(baseType ? { baseType } : {}),
        ...(keyProperty ? { keyProperty } : {}),
        ...(mediaEntity !== undefined ? { mediaEntity } : {}),
        properties: [...properties.values()].sort((a, b) => a.name.localeCompare(b.name)).map(({ claims: _claims, ...p }) => ({ ...p, sources: [...p.sources].sort(compareRefs) })),
        methods: [...methods.values()].sort((a, b) => a.page.localeCompare(b.page)),
        ...(properties.size ? { schema: schemaKey } : {}),
        sources: entitySources,
      };
      entities.push(entity);
      if (properties.size) schemas[schemaKey] = schema;

      // The statements that say a read returns this entity: their link names one of its pages.
      const entityFiles = new Set(pages.map((p) => p.file));
      const entityBase = new Set(pages.map((p) => p.file.split(/[\\/]/).pop()?.toLowerCase()));
      const statements = input.statements
        .filter((s) => s.fact.scope.api === api && s.fact.scope.versions.includes(version))
        .filter((s) => {
          const target = resolveLink(s.file, s.fact.entityPage as string);
          return entityFiles.has(target) || entityBase.has(target.split('/').pop()?.toLowerCase());
        })
        .map((s) => s.ref);
      keys.set(schemaKey, { entity, statements, annotation });

      // Against the examples' schemas of the same reads.
      if (!properties.size) continue;
      const reads = operations.filter((op) => op.api === api && op.version === version && op.method === 'GET' && METADATA_TARGETS.includes(op.target));
      const exampleKeys = [...new Set(reads.flatMap((op) => op.responses.flatMap((r) => (r.schema && r.example !== undefined ? [r.schema] : []))))].sort();
      for (const exampleKey of exampleKeys) {
        const example = input.exampleSchemas.get(exampleKey);
        if (!example) continue;
        const exampleProps = (example.properties ?? {}) as Record<string, JsonSchema>;
        const exampleRequired = new Set((example.required ?? []) as string[]);
        const stated: Record<string, string> = {};
        const shownBy: Record<string, string> = {};
        for (const p of properties.values()) {
          const ex = exampleProps[p.name];
          if (!ex) {
            stated[p.name] = p.type;
            shownBy[p.name] = 'missing';
          } else if (!sameType(schemaOfType(p.type), ex)) {
            stated[p.name] = p.type;
            shownBy[p.name] = typesOf(ex).join(' or ');
          } else if (required.includes(p.name) && !exampleRequired.has(p.name)) {
            stated[p.name] = p.type;
            shownBy[p.name] = `${typesOf(ex).join(' or ')}, missing from some examples`;
          }
        }
        for (const [k, ex] of Object.entries(exampleProps)) {
          if (k.startsWith('@') || properties.has(k)) continue;
          stated[k] = 'missing';
          shownBy[k] = typesOf(ex).join(' or ');
        }
        if (!Object.keys(stated).length) continue;
        const exampleRefs: SourceRef[] = [];
        addRefs(exampleRefs, reads.flatMap((op) => op.responses.filter((r) => r.schema === exampleKey && r.example !== undefined).flatMap((r) => r.sources)));
        const propertyRefs: SourceRef[] = [];
        addRefs(propertyRefs, [...properties.values()].filter((p) => p.name in stated).flatMap((p) => p.sources));
        conflicts.push({
          id: `${id}/schema/${exampleKey.toLowerCase()}`,
          subject: `the ${short} schema (${api} ${version}): the resource page against the examples (${exampleKey})`,
          values: [
            { value: { schema: schemaKey, properties: stated }, sources: propertyRefs.length ? propertyRefs : entitySources },
            { value: { schema: exampleKey, properties: shownBy }, sources: exampleRefs },
          ],
          resolution: { rule: 'resource-page-over-examples', value: schemaKey, note: `the resource page states the type; the ${api} ${version} reads are validated against ${schemaKey}, not ${exampleKey}` },
        });
        for (const op of reads) overridden.set(op.id, exampleKey);
        const at = exampleRefs[0];
        messages.push({
          file: at ? (sources.get(at.source)?.path ?? at.source) : (newest.file),
          line: at?.line ?? 1,
          column: at?.column ?? 1,
          severity: 'warning',
          message: `${api} ${version}: the examples (${exampleKey}) disagree with the resource page on ${Object.entries(shownBy).map(([k, v]) => `${k} (${stated[k]} against ${v})`).join(', ')}; reads are validated against ${schemaKey}`,
          ruleId: RULE_ID,
        });
      }
    }
    entities.sort((a, b) => a.name.localeCompare(b.name) || a.api.localeCompare(b.api) || (a.versions[0] ?? '').localeCompare(b.versions[0] ?? ''));
    this.built = { entities, schemas, keys, overridden };
    return { entities, schemas };
  }

  /**
   * The entity requirements, added to `requirements` (in place): the reads answer with the
   * resource page's schema, and a media entity's metadata names its media. Where the examples
   * disagree with the resource page, their schema requirement on those reads is dropped.
   */
  requirements(spec: Spec, requirements: Requirement[]): Requirement[] {
    const built = this.built;
    if (!built) return requirements;
    const out = requirements.filter((r) => !(r.assert.kind === 'response-schema' && r.operations.length === 1 && built.overridden.get(r.operations[0] as string) === r.assert.schema));
    const label = (e: Entity) => `${e.api} ${e.versions.join(', ')}`;
    for (const [schemaKey, { entity, statements, annotation }] of built.keys) {
      const version = entity.versions[0] as Version;
      const short = entity.name.split('.').pop() as string;
      const id = `${entity.api}.${version}/entities/${kebab(short)}`.toLowerCase();
      const opsOf = (targets: Target[]) => spec.operations.filter((op) => op.api === entity.api && op.version === version && op.method === 'GET' && targets.includes(op.target)).map((op) => op.id).sort();
      if (entity.schema) {
        const sources: SourceRef[] = [];
        addRefs(sources, [...statements, ...entity.properties.flatMap((p) => p.sources)]);
        out.push({
          id: `${id}/response-schema`,
          level: 'MUST',
          area: 'metadata',
          description: `${label(entity)}: the metadata and size reads answer with a ${short} as the resource page describes it (${schemaKey})`,
          // "returns a profilePhoto object" says it; the properties table only describes it.
          quote: bestQuote(statements.length ? statements : sources, `${short} (${schemaKey})`),
          operations: opsOf(METADATA_TARGETS),
          assert: { kind: 'response-schema', schema: schemaKey },
          sources,
        });
      }
      if (entity.mediaEntity && annotation.length) {
        out.push({
          id: `${id}/media-entity`,
          level: 'MUST',
          area: 'metadata',
          description: `${label(entity)}: ${short} is a media entity: its metadata names the media type and ETag of the $value it serves`,
          quote: bestQuote(annotation, 'isMediaEntity: true'),
          operations: opsOf(['metadata']),
          assert: { kind: 'media-entity' },
          sources: [...annotation],
        });
      }
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }
}
