/**
 * Merging pages into the spec. `SpecBuilder.add` folds one PageResult in and keeps only
 * the facts the spec needs (pages without a profile photo operation leave nothing but a
 * message, so the runner can stream thousands of pages); `build` resolves conflicts and
 * derives requirements. The order of `add` calls does not matter: every list is sorted by
 * stable keys before output, so the same pages always give the same spec.
 *
 * Conflict resolution, as the issue states it: for the same API and version the newest
 * dated page wins; across versions values stay per version (recorded all the same); where
 * prose and endpoint blocks disagree on methods, the endpoint block decides.
 */
import type {
  Api,
  Area,
  Assertion,
  Behaviour,
  Conflict,
  Header,
  Level,
  LevelBasis,
  Limit,
  Method,
  MethodRule,
  Operation,
  Permission,
  PermissionType,
  Quote,
  Requirement,
  ResponseSpec,
  SizeVariants,
  Source,
  SourceRef,
  Spec,
  Target,
  Version,
} from '../spec/model.ts';
import { operationId } from './rules/operations/path-template.ts';
import { limitKey, reconcileLimits, type LimitEntry } from './rules/limits/reconcile.ts';
import { PermissionNameIndex } from './rules/permissions/recover-names.ts';
import { mergeSchemas, type JsonSchema } from './rules/responses/json-schema.ts';
import { EntityMerge, isPhotoEntity } from './merge-entities.ts';
import { StatementMerge } from './merge-statements.ts';
import { addRefs, compareRefs, inScope, kebab } from './merge-refs.ts';
import type {
  BehaviourFact,
  BehaviourKind,
  Diagnostic,
  Loc,
  MethodProseFact,
  OperationFact,
  PageResult,
  PermissionFact,
  PlaceholderFact,
  SizeVariantsFact,
} from './types.ts';

export const GENERATOR = 'photo-conformance extract';
const MERGE_RULE_ID = 'merge';

export function toSourceRef(source: string, file: string, loc: Loc): SourceRef {
  return {
    source,
    ref: `${file}:${loc.line}:${loc.column}`,
    line: loc.line,
    column: loc.column,
    ...(loc.quote ? { quote: { ...loc.quote } } : {}),
  };
}

const WRITE_METHODS: Method[] = ['PUT', 'PATCH', 'POST'];
const isWrite = (m: Method) => WRITE_METHODS.includes(m);

/** What one page says about one operation's permissions of one type. */
interface PermissionClaim {
  supported: boolean;
  permissions: string[];
  /** Entries of `permissions` written without their dots, each with its row: recovered in build(). */
  damaged?: { name: string; ref: SourceRef }[];
  sources: SourceRef[];
  date?: string;
  source: string;
}

interface Dated<T> {
  value: T;
  ref: SourceRef;
  date?: string;
  source: string;
}

/** Words that make a statement normative, in the page languages; the English source wins where present. */
export function levelOf(quote: { text: string; en?: string } | undefined, fallback: Level): Level {
  if (!quote) return fallback;
  const text = `${quote.en ?? ''} ${quote.text}`;
  if (/\b(must|required|only|cannot|not supported)\b|必須|のみ|必需|必须|仅|только|обязательн|\bnur\b|erforderlich|obligatoire|obligatorio|obrigatório|필수/i.test(text)) return 'MUST';
  if (/\bshould\b|sollte|devrait|debería|deveria|следует|必要があります|应该|해야/i.test(text)) return 'SHOULD';
  if (/\b(may|can)\b|können|peut|puede|pode|можно|できます|可以|수 있/i.test(text)) return fallback === 'MUST' ? 'MUST' : 'MAY';
  return fallback;
}

const NORMATIVE_WORD = /\b(must|required|only|cannot|not supported|should|may|can)\b|必須|のみ|必需|必须|仅|только|обязательн|\bnur\b|erforderlich|obligatoire|obligatorio|obrigatório|필수|sollte|devrait|debería|deveria|следует|必要があります|应该|해야|können|peut|puede|pode|можно|できます|可以|수 있/i;

/** Which rule gave each kind of requirement its level, when no sentence word decided it. */
const LEVEL_RULE_BY_ASSERTION: Partial<Record<Assertion['kind'], { rule: LevelBasis['rule']; note: string }>> = {
  'request-header': { rule: 'caller-duty', note: "the sentence tells the caller what to send; the server's answer to a request without it is not optional" },
};
const BEHAVIOUR_RULE: Partial<Record<BehaviourKind, { rule: LevelBasis['rule']; note: string }>> = {
  groupApplicationKnownIssue: { rule: 'known-issue', note: 'the page warns this may not work: either answer it names is accepted' },
};

/**
 * Records why a requirement has its level (the `levelBasis`): the rule, and how it applies to
 * the quoted sentence. A reader checks it against the quote beside it.
 */
function withLevelBasis(r: Requirement): Requirement {
  if (r.levelBasis) return r;
  const byKind = r.assert.kind === 'behaviour' ? BEHAVIOUR_RULE[r.assert.behaviour as BehaviourKind] : LEVEL_RULE_BY_ASSERTION[r.assert.kind];
  if (byKind) return { ...r, levelBasis: { ...byKind } };
  const text = `${r.quote.en ?? ''} ${r.quote.text}`;
  const word = NORMATIVE_WORD.exec(text)?.[0];
  if (word && levelOf(r.quote, 'MUST') === r.level && r.level !== 'MUST') {
    return { ...r, levelBasis: { rule: 'normative-word', note: `the sentence's "${word}" binds the service at ${r.level}` } };
  }
  return {
    ...r,
    levelBasis: {
      rule: 'service-statement',
      note: word
        ? `the sentence states what the service does ("${word}"): a MUST for a server claiming conformance`
        : 'the page states what the service returns or does (a sentence, an example, a table): a MUST for a server claiming conformance',
    },
  };
}

export class SpecBuilder {
  private readonly sources = new Map<string, Source>();
  private readonly operations = new Map<string, Operation>();
  private readonly permissionClaims = new Map<string, Map<PermissionType, PermissionClaim[]>>();
  private readonly limitEntries: LimitEntry[] = [];
  private readonly endpointMethods: { api: Api; version: Version; target: Target; method: Method; ref: SourceRef }[] = [];
  private readonly prose: { fact: MethodProseFact; ref: SourceRef; file: string }[] = [];
  private readonly sizeFacts: { fact: SizeVariantsFact; ref: SourceRef }[] = [];
  private readonly placeholders: { fact: PlaceholderFact; ref: SourceRef }[] = [];
  private readonly behaviours: { fact: BehaviourFact; ref: SourceRef }[] = [];
  /** Syntax-block paths the examples write otherwise: the normalized forms, each with its line. */
  private readonly pathConflicts: { opId: string; syntaxPath: string; examplePath: string; syntaxRef: SourceRef; exampleRef: SourceRef }[] = [];
  private readonly schemas = new Map<string, JsonSchema>();
  /** Resource pages' entities (merge-entities.ts) and the get pages' statements (merge-statements.ts). */
  private readonly entities = new EntityMerge();
  private readonly statements = new StatementMerge();
  /** Every permission name the run's pages state whole: what a name written without dots is recovered from. */
  private readonly permissionNames = new PermissionNameIndex();
  private readonly messages: Diagnostic[] = [];

  add(result: PageResult): void {
    const facts = result.facts;
    const d = facts.detection;
    const photoOps = facts.operations.filter((op): op is OperationFact & { resource: NonNullable<OperationFact['resource']>; target: NonNullable<OperationFact['target']> } => Boolean(op.resource && op.target));
    // A resource page of the photo entity has no operation, and joins the spec all the same.
    const entityPage = !photoOps.length && (facts.entities ?? []).some(isPhotoEntity);
    if (!photoOps.length && !entityPage) {
      this.messages.push({
        file: result.path,
        line: 1,
        column: 1,
        severity: facts.operations.length ? 'info' : 'warning',
        message: facts.operations.length
          ? `${facts.operations.length} operation(s), none on a profile photo; page left out of the spec`
          : 'no profile photo operation found; page left out of the spec',
        ruleId: MERGE_RULE_ID,
      });
      return;
    }
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
    const ref = (loc: Loc) => toSourceRef(id, result.path, loc);
    const dated = <T>(value: T, loc: Loc): Dated<T> => ({ value, ref: ref(loc), source: id, ...(d.date ? { date: d.date } : {}) });

    // Operations: endpoint listings first; an example adds a source, or the operation when no listing names it.
    const pageOps = new Map<string, Operation>();
    const ordered = [...photoOps].sort((a, b) => (a.from === b.from ? 0 : a.from === 'endpoint' ? -1 : 1));
    for (const fact of ordered) {
      const opId = operationId(fact);
      let op = this.operations.get(opId);
      if (!op) {
        op = {
          id: opId,
          api: fact.api,
          version: fact.version,
          method: fact.method,
          path: fact.path,
          originalPaths: [],
          parameters: fact.parameters.map((p) => ({ ...p, kinds: [...p.kinds] })),
          resource: fact.resource,
          target: fact.target,
          headers: [],
          responses: [],
          permissions: [],
          sources: [],
        };
        this.operations.set(opId, op);
      }
      if (fact.from === 'endpoint') {
        if (!op.originalPaths.includes(fact.originalPath)) op.originalPaths.push(fact.originalPath);
        for (const p of fact.parameters) {
          const known = op.parameters.find((q) => q.name === p.name);
          if (known) for (const k of p.kinds) if (!known.kinds.includes(k)) known.kinds.push(k);
        }
        this.endpointMethods.push({ api: fact.api, version: fact.version, target: fact.target, method: fact.method, ref: ref(fact.at) });
      } else if (!op.originalPaths.length) {
        op.originalPaths.push(fact.originalPath);
      }
      if (fact.pathConflict) {
        // Both forms stay: the syntax block's (above) and the example's the path was taken from.
        if (!op.originalPaths.includes(fact.pathConflict.examplePath)) op.originalPaths.push(fact.pathConflict.examplePath);
        const syntaxRef = ref(fact.at);
        const exampleRef = ref(fact.pathConflict.exampleAt);
        this.pathConflicts.push({ opId, syntaxPath: fact.pathConflict.syntaxPath, examplePath: fact.path, syntaxRef, exampleRef });
        const message = `the syntax block writes ${fact.method} ${fact.originalPath} (${syntaxRef.ref.replace(/:\d+$/, '')}) where the examples write ${fact.pathConflict.exampleAt.quote?.text ?? fact.pathConflict.examplePath} (${exampleRef.ref.replace(/:\d+$/, '')}); the examples' form ${fact.path} is used`;
        if (!this.messages.some((m) => m.file === result.path && m.line === fact.at.line && m.message === message)) {
          this.messages.push({ file: result.path, line: fact.at.line, column: fact.at.column, severity: 'warning', message, ruleId: MERGE_RULE_ID });
        }
      }
      addRefs(op.sources, [ref(fact.at)]);
      pageOps.set(opId, op);
    }

    for (const op of pageOps.values()) {
      for (const h of facts.headers.filter((h) => inScope(h.scope, op))) {
        const existing = op.headers.find((x) => x.name.toLowerCase() === h.name.toLowerCase());
        if (existing) {
          // A value from the headers table (stated as required) outranks one from an example;
          // between equals the smaller wins, so the order pages arrive in does not matter.
          if (h.value && (!existing.value || (h.required && !existing.required) || (h.required === existing.required && h.value < existing.value))) existing.value = h.value;
          existing.required ||= h.required;
          addRefs(existing.sources, [ref(h.at)]);
        } else {
          op.headers.push({ name: h.name, required: h.required, ...(h.value ? { value: h.value } : {}), sources: [ref(h.at)] });
        }
      }
      for (const b of facts.bodies.filter((b) => inScope(b.scope, op))) {
        if (!op.body) op.body = { kind: b.kind, contentTypes: [], sources: [] };
        for (const t of b.contentTypes) if (!op.body.contentTypes.includes(t)) op.body.contentTypes.push(t);
        op.body.contentTypes.sort();
        addRefs(op.body.sources, [ref(b.at)]);
      }
      for (const r of facts.responses.filter((r) => inScope(r.scope, op))) {
        const existing =
          op.responses.find((x) => x.status === r.status && x.contentType === r.contentType && x.schema === r.schema) ??
          op.responses.find((x) => x.status === r.status && (!x.contentType || !r.contentType) && !(x.schema && r.schema && x.schema !== r.schema));
        if (existing) {
          if (r.contentType && !existing.contentType) existing.contentType = r.contentType;
          if (r.schema && !existing.schema) existing.schema = r.schema;
          // Keep the example of a real photo rather than the 1x1 placeholder.
          if (r.example !== undefined && (existing.example === undefined || preferExample(r.example, existing.example))) existing.example = r.example;
          if (r.truncated) existing.truncated = true;
          if (r.odataType && !existing.odataType) existing.odataType = r.odataType;
          addRefs(existing.sources, [ref(r.at)]);
        } else {
          op.responses.push({
            status: r.status,
            ...(r.contentType ? { contentType: r.contentType } : {}),
            ...(r.example !== undefined ? { example: r.example } : {}),
            ...(r.schema ? { schema: r.schema } : {}),
            ...(r.truncated ? { truncated: r.truncated } : {}),
            ...(r.odataType ? { odataType: r.odataType } : {}),
            sources: [ref(r.at)],
          });
        }
        op.responses.sort((a, b) => a.status - b.status || (a.contentType ?? '').localeCompare(b.contentType ?? ''));
      }
      this.claimPermissions(op, facts.permissions.filter((p) => inScope(p.scope, op)), id, d.date, ref);
    }
    for (const f of facts.permissions) {
      for (const name of f.permissions) if (!f.damaged?.includes(name)) this.permissionNames.state(name, ref(f.at));
    }

    for (const limit of facts.limits) {
      const { value, ...entry } = dated(limit.maxRequestBytes, limit.at);
      this.limitEntries.push({ api: limit.api, version: limit.version, subject: limit.subject ?? 'request', value, ...entry });
    }
    for (const fact of facts.methodProse) this.prose.push({ fact, ref: ref(fact.at), file: result.path });
    for (const fact of facts.sizeVariants) this.sizeFacts.push({ fact, ref: ref(fact.at) });
    for (const fact of facts.placeholders) this.placeholders.push({ fact, ref: ref(fact.at) });
    for (const fact of facts.behaviours) this.behaviours.push({ fact, ref: ref(fact.at) });
    this.entities.add(facts.entities, { source: id, file: result.path, ...(d.date ? { date: d.date } : {}) }, ref);
    this.statements.add(facts.statements, ref, result.path);
    for (const [key, schema] of Object.entries(facts.schemas)) {
      const existing = this.schemas.get(key);
      this.schemas.set(key, existing ? mergeSchemas(existing, schema as JsonSchema) : (schema as JsonSchema));
    }
  }

  /** One page's permissions for one operation: lists for the exact resource come first (least privileged). */
  private claimPermissions(op: Operation, facts: PermissionFact[], source: string, date: string | undefined, ref: (loc: Loc) => SourceRef): void {
    const byType = new Map<PermissionType, PermissionFact[]>();
    for (const f of facts) {
      // An empty resource list (a bare "Not supported.") applies to every resource.
      if (f.resources.length && !f.resources.includes(op.resource)) continue;
      byType.set(f.type, [...(byType.get(f.type) ?? []), f]);
    }
    let claims = this.permissionClaims.get(op.id);
    if (!claims) {
      claims = new Map();
      this.permissionClaims.set(op.id, claims);
    }
    for (const [type, list] of byType) {
      const supported = list.some((f) => f.supported);
      const ordered = [...list].filter((f) => f.supported === supported).sort((a, b) => a.resources.length - b.resources.length);
      const permissions: string[] = [];
      for (const f of ordered) for (const p of f.permissions) if (!permissions.includes(p)) permissions.push(p);
      const damaged = ordered.flatMap((f) => (f.damaged ?? []).map((name) => ({ name, ref: ref(f.at) })));
      const claim: PermissionClaim = { supported, permissions, ...(damaged.length ? { damaged } : {}), sources: ordered.map((f) => ref(f.at)).sort(compareRefs), source, ...(date ? { date } : {}) };
      claims.set(type, [...(claims.get(type) ?? []), claim]);
    }
  }

  build(): { spec: Spec; messages: Diagnostic[] } {
    const messages = [...this.messages];
    const conflicts: Conflict[] = [];
    const operations = [...this.operations.values()].sort((a, b) => a.id.localeCompare(b.id));
    for (const op of operations) {
      op.originalPaths.sort();
      op.headers.sort((a, b) => a.name.localeCompare(b.name));
    }
    const sourceDate = (id: string) => this.sources.get(id)?.date ?? '';

    this.recoverPermissionNames(messages);
    // Permissions: equal claims merge; different claims for the same operation are a conflict.
    for (const op of operations) {
      const claims = this.permissionClaims.get(op.id);
      op.permissions = [];
      for (const type of ['delegatedWork', 'delegatedPersonal', 'application'] as PermissionType[]) {
        const list = claims?.get(type);
        if (!list?.length) continue;
        const distinct: PermissionClaim[] = [];
        for (const claim of list) {
          const same = distinct.find((c) => c.supported === claim.supported && c.permissions.join() === claim.permissions.join());
          if (same) {
            addRefs(same.sources, claim.sources);
            if ((claim.date ?? '') > (same.date ?? '')) same.date = claim.date;
          } else distinct.push({ ...claim, sources: [...claim.sources] });
        }
        distinct.sort((a, b) => (b.date ?? '').localeCompare(a.date ?? '') || a.permissions.join().localeCompare(b.permissions.join()));
        const winner = distinct[0] as PermissionClaim;
        if (distinct.length > 1) {
          conflicts.push({
            id: `${op.id}/permissions/${kebab(type)}`,
            subject: `permissions ${type} for ${op.id}`,
            values: distinct.map((c) => ({ value: c.supported ? c.permissions : 'not supported', sources: c.sources })),
            resolution: { rule: 'newest-page', value: winner.supported ? winner.permissions : 'not supported', note: `the newest page (${winner.date ?? 'undated'}) wins for the same API version` },
          });
        }
        op.permissions.push({ type, supported: winner.supported, permissions: winner.permissions, sources: winner.sources });
      }
    }

    this.buildPathConflicts(conflicts);

    // Limits per api, version and subject (the request, the photo itself).
    const reconciled = reconcileLimits(this.limitEntries);
    const limits: Limit[] = reconciled.limits;
    conflicts.push(...reconciled.conflicts);
    for (const note of reconciled.notes) {
      messages.push({ file: note.ref.ref.replace(/:\d+:\d+$/, ''), line: note.ref.line, column: note.ref.column, severity: 'info', message: note.message, ruleId: MERGE_RULE_ID });
    }
    for (const subject of ['request', 'photo'] as const) {
      this.crossVersionConflicts(
        conflicts,
        limitKey(subject),
        `${subject} size limit`,
        limits.filter((l) => (l.subject ?? 'request') === subject).map((l) => ({ api: l.api, version: l.version, value: l.maxRequestBytes, sources: l.sources })),
      );
    }
    for (const op of operations.filter((o) => isWrite(o.method))) {
      const ofOp = limits.filter((l) => l.api === op.api && l.version === op.version);
      const request = ofOp.find((l) => !l.subject || l.subject === 'request');
      const photo = ofOp.find((l) => l.subject === 'photo');
      if (request) op.maxRequestBytes = request.maxRequestBytes;
      if (photo) op.maxPhotoBytes = photo.maxRequestBytes;
    }

    const methods = this.buildMethods(conflicts, messages);
    this.crossVersionConflicts(
      conflicts,
      'methods',
      'methods that update the photo',
      methods.map((m) => ({ api: m.api, version: m.version, value: m.allowed, sources: m.sources, target: m.target })),
    );

    const sizeVariants = this.buildSizeVariants(conflicts);
    const behaviours = this.buildBehaviours();
    const entities = this.entities.build({ operations, sources: this.sources, exampleSchemas: this.schemas, statements: this.statements.forEntities(), conflicts, messages });
    const allSchemas = new Map([...this.schemas, ...Object.entries(entities.schemas)]);
    const schemas: Record<string, unknown> = {};
    for (const key of [...allSchemas.keys()].sort()) schemas[key] = { $schema: 'http://json-schema.org/draft-07/schema#', title: key, ...allSchemas.get(key) };

    const spec: Spec = {
      specVersion: 1,
      title: 'Microsoft Graph and Outlook REST profile photo API',
      generator: GENERATOR,
      sources: [...this.sources.values()].sort((a, b) => a.id.localeCompare(b.id)),
      operations,
      limits,
      methods,
      ...(sizeVariants ? { sizeVariants } : {}),
      ...(entities.entities.length ? { entities: entities.entities } : {}),
      behaviours,
      requirements: [],
      conflicts: conflicts.sort((a, b) => a.id.localeCompare(b.id)),
      schemas,
    };
    spec.requirements = deriveRequirements(spec, this.sizeFacts.map((s) => ({ ...s.fact, ref: s.ref })), this.placeholders.map((p) => ({ ...p.fact, ref: p.ref })));
    spec.requirements = this.statements.apply(spec, this.entities.requirements(spec, spec.requirements), messages).map(withLevelBasis);
    for (const op of operations) {
      for (const missing of [
        op.permissions.length ? undefined : 'permissions',
        op.responses.length ? undefined : 'response status',
        op.headers.some((h) => h.name === 'Authorization') ? undefined : 'Authorization header',
      ]) {
        if (!missing) continue;
        const first = op.sources[0];
        messages.push({ file: first ? first.ref.replace(/:\d+:\d+$/, '') : '<spec>', line: first?.line ?? 1, column: first?.column ?? 1, severity: 'warning', message: `${op.id}: no ${missing} stated by any page`, ruleId: MERGE_RULE_ID });
      }
    }
    return { spec, messages };
  }

  /**
   * Names a translation wrote without their dots become the name another page states
   * (the row's quote keeps them as written); a name no page states is left out. Either way
   * a warning names the row, once however many operations the row governs.
   */
  private recoverPermissionNames(messages: Diagnostic[]): void {
    const said = new Set<string>();
    const say = (ref: SourceRef, message: string) => {
      if (said.has(`${ref.ref}|${message}`)) return;
      said.add(`${ref.ref}|${message}`);
      messages.push({ file: ref.ref.replace(/:\d+:\d+$/, ''), line: ref.line, column: ref.column, severity: 'warning', message, ruleId: MERGE_RULE_ID });
    };
    for (const claims of this.permissionClaims.values()) {
      for (const [type, list] of claims) {
        const kept: PermissionClaim[] = [];
        for (const claim of list) {
          if (!claim.damaged) {
            kept.push(claim);
            continue;
          }
          const permissions: string[] = [];
          for (const name of claim.permissions) {
            const row = claim.damaged.find((d) => d.name === name);
            const recovered = row ? this.permissionNames.recover(name) : undefined;
            if (row && recovered) {
              say(row.ref, `recovered '${name}' as '${recovered.name}' (stated at ${recovered.statedAt.ref.replace(/:\d+$/, '')})`);
            } else if (row) {
              say(row.ref, `no permission name in '${name}': no page of the run states a name that matches it without dots; left out`);
              continue;
            }
            const resolved = recovered?.name ?? name;
            if (!permissions.includes(resolved)) permissions.push(resolved);
          }
          const { damaged: _, ...rest } = claim;
          if (!claim.supported || permissions.length) kept.push({ ...rest, permissions });
        }
        claims.set(type, kept);
      }
    }
  }

  /** A syntax block against the examples on a path: the examples' form is the one the service answers. */
  private buildPathConflicts(conflicts: Conflict[]): void {
    const byOp = new Map<string, typeof this.pathConflicts>();
    for (const c of this.pathConflicts) byOp.set(c.opId, [...(byOp.get(c.opId) ?? []), c]);
    for (const [opId, list] of [...byOp].sort(([a], [b]) => a.localeCompare(b))) {
      const values = new Map<string, SourceRef[]>();
      const add = (value: string, r: SourceRef) => {
        const refs = values.get(value) ?? [];
        addRefs(refs, [r]);
        values.set(value, refs);
      };
      for (const c of list) {
        add(c.syntaxPath, c.syntaxRef);
        add(c.examplePath, c.exampleRef);
      }
      const resolved = list[0]?.examplePath ?? '';
      conflicts.push({
        id: `${opId}/path`,
        subject: `path of ${opId}: syntax block against examples`,
        values: [...values].sort(([a], [b]) => (a === resolved ? 1 : b === resolved ? -1 : a.localeCompare(b))).map(([value, sources]) => ({ value, sources })),
        resolution: {
          rule: 'examples-over-syntax-block',
          value: resolved,
          note: "the examples write the collection as the service answers it; the syntax block's form is kept in originalPaths",
        },
      });
    }
  }

  private buildMethods(conflicts: Conflict[], messages: Diagnostic[]): MethodRule[] {
    const rules: MethodRule[] = [];
    const keys = [...new Set(this.endpointMethods.filter((e) => isWrite(e.method)).map((e) => `${e.api}|${e.version}|${e.target}`))].sort();
    for (const key of keys) {
      const [api, version, target] = key.split('|') as [Api, Version, Target];
      const blocks = this.endpointMethods.filter((e) => e.api === api && e.version === version && e.target === target && isWrite(e.method));
      const fromEndpointBlocks = [...new Set(blocks.map((e) => e.method))].sort();
      const prose = this.prose.filter((p) => p.fact.api === api && p.fact.version === version);
      const clear = prose.filter((p) => !p.fact.garbled);
      const fromProse = [...new Set(clear.flatMap((p) => p.fact.methods))].sort();
      const sources: SourceRef[] = [];
      addRefs(sources, [...clear.map((p) => p.ref), ...blocks.map((b) => b.ref).sort(compareRefs).slice(0, 1)]);
      rules.push({ api, version, target, allowed: fromEndpointBlocks, fromEndpointBlocks, ...(fromProse.length ? { fromProse } : {}), sources });
      const garbled = prose.filter((p) => p.fact.garbled);
      if (garbled.length) {
        conflicts.push({
          id: `${api}.${version}/methods/${kebab(target)}/garbled-prose`,
          subject: `methods for ${api} ${version} ${target}: a garbled sentence against the endpoint blocks`,
          values: [
            { value: 'a methods sentence that names no method', sources: garbled.map((p) => p.ref).sort(compareRefs) },
            { value: fromEndpointBlocks, sources: blocks.map((b) => b.ref).sort(compareRefs) },
          ],
          resolution: { rule: 'endpoint-block-over-prose', value: fromEndpointBlocks, note: 'machine translation dropped the method names; the endpoint block decides' },
        });
      }
      for (const g of garbled) {
        messages.push({
          file: g.file,
          line: g.ref.line,
          column: g.ref.column,
          severity: 'warning',
          message: `${api} ${version}: the methods sentence names no method (garbled translation); the endpoint blocks decide: ${fromEndpointBlocks.join(', ')}`,
          ruleId: MERGE_RULE_ID,
        });
      }
      if (fromProse.length && fromProse.join() !== fromEndpointBlocks.join()) {
        conflicts.push({
          id: `${api}.${version}/methods/${kebab(target)}`,
          subject: `methods for ${api} ${version} ${target}: prose against endpoint blocks`,
          values: [
            { value: fromProse, sources: clear.map((p) => p.ref).sort(compareRefs) },
            { value: fromEndpointBlocks, sources: blocks.map((b) => b.ref).sort(compareRefs) },
          ],
          resolution: { rule: 'endpoint-block-over-prose', value: fromEndpointBlocks, note: 'the endpoint block decides where prose and blocks disagree' },
        });
        const at = clear[0];
        if (at) {
          messages.push({ file: at.file, line: at.ref.line, column: at.ref.column, severity: 'warning', message: `${api} ${version}: prose allows ${fromProse.join(', ')} but the endpoint blocks list ${fromEndpointBlocks.join(', ')}; the endpoint blocks decide`, ruleId: MERGE_RULE_ID });
        }
      }
    }
    return rules;
  }

  private crossVersionConflicts(conflicts: Conflict[], key: string, subject: string, entries: { api: Api; version: Version; value: unknown; sources: SourceRef[]; target?: Target }[]): void {
    const groups = new Map<string, typeof entries>();
    for (const e of entries) groups.set(`${e.api}|${e.target ?? ''}`, [...(groups.get(`${e.api}|${e.target ?? ''}`) ?? []), e]);
    for (const [group, list] of groups) {
      const distinct = new Set(list.map((e) => JSON.stringify(e.value)));
      if (list.length < 2 || distinct.size < 2) continue;
      const [api, target] = group.split('|');
      conflicts.push({
        id: `${api}/${key}${target ? `/${kebab(target)}` : ''}`,
        subject: `${subject} (${api}${target ? ` ${target}` : ''}) differs between versions`,
        values: list.map((e) => ({ value: { version: e.version, value: e.value }, sources: e.sources })),
        resolution: { rule: 'per-version', value: Object.fromEntries(list.map((e) => [e.version, e.value])), note: 'different API versions: each keeps its own value' },
      });
    }
  }

  private buildSizeVariants(conflicts: Conflict[]): SizeVariants | undefined {
    if (!this.sizeFacts.length && !this.placeholders.length) return undefined;
    const predefined = [...new Set(this.sizeFacts.flatMap((s) => s.fact.predefined))].sort((a, b) => Number(a.split('x')[0]) - Number(b.split('x')[0]));
    const sources: SourceRef[] = [];
    addRefs(sources, this.sizeFacts.map((s) => s.ref));
    const placeholderValues = new Map<string, { fact: PlaceholderFact; refs: SourceRef[] }>();
    for (const p of this.placeholders) {
      const key = JSON.stringify([p.fact.id.toLowerCase(), p.fact.contentType, p.fact.etag]);
      const entry = placeholderValues.get(key) ?? { fact: p.fact, refs: [] };
      addRefs(entry.refs, [p.ref]);
      placeholderValues.set(key, entry);
    }
    const candidates = [...placeholderValues.values()].sort((a, b) => compareRefs(a.refs[0] as SourceRef, b.refs[0] as SourceRef));
    if (candidates.length > 1) {
      conflicts.push({
        id: 'sizes/placeholder',
        subject: 'the placeholder returned when there is no photo',
        values: candidates.map((c) => ({ value: { id: c.fact.id, contentType: c.fact.contentType, etag: c.fact.etag }, sources: c.refs })),
        resolution: { rule: 'unresolved', value: candidates[0]?.fact.id, note: 'the first documented placeholder is kept' },
      });
    }
    const first = candidates[0];
    return {
      predefined,
      availability: 'atOrBelowUpload',
      ...(first
        ? { placeholder: { id: first.fact.id, width: first.fact.width, height: first.fact.height, contentType: first.fact.contentType, etag: first.fact.etag, sources: first.refs } }
        : {}),
      directoryAnyDimension: this.sizeFacts.some((s) => s.fact.directoryAnyDimension),
      sources,
    };
  }

  private buildBehaviours(): Behaviour[] {
    const groups = new Map<string, Behaviour>();
    for (const { fact, ref } of this.behaviours) {
      const id = `${fact.api}.${kebab(fact.kind)}`;
      const existing = groups.get(id);
      if (existing) {
        for (const v of fact.versions) if (!existing.versions.includes(v)) existing.versions.push(v);
        existing.versions.sort();
        addRefs(existing.sources, [ref]);
      } else {
        groups.set(id, { id, kind: fact.kind, api: fact.api, versions: [...fact.versions].sort(), resources: [...fact.resources], sources: [ref] });
      }
    }
    return [...groups.values()].sort((a, b) => a.id.localeCompare(b.id));
  }
}

/** The example of a real photo beats the 1x1 placeholder; otherwise a stable order decides. */
function preferExample(candidate: unknown, current: unknown): boolean {
  const a = isPlaceholderExample(candidate);
  const b = isPlaceholderExample(current);
  if (a !== b) return b;
  return JSON.stringify(candidate) < JSON.stringify(current);
}

function isPlaceholderExample(example: unknown): boolean {
  const r = example && typeof example === 'object' ? (example as Record<string, unknown>) : {};
  return (r.Width ?? r.width) === 1 && (r.Height ?? r.height) === 1;
}

// ---------------------------------------------------------------------------------------
// Requirements: one per checkable statement, each with an `assert` the generator can turn
// into a test without knowing any fact itself. Ids come from the operation id and the
// stable section anchor the statement sits under (response, request-headers, permissions),
// never from a heading's wording or a position.

function quoteFrom(sources: SourceRef[], fallback: string): Quote {
  // A sentence beats a request line or a sample's first line; English kept beside it beats none.
  const prose = sources.filter((s) => s.quote && !/^(GET|PUT|PATCH|POST|DELETE)\s|^HTTP\/|^[{[]$/.test(s.quote.text));
  const withQuote = prose.find((s) => s.quote?.en) ?? prose[0] ?? sources.find((s) => s.quote?.en) ?? sources.find((s) => s.quote);
  return withQuote?.quote ? { ...withQuote.quote } : { text: fallback, lang: 'en', en: fallback };
}

function requirement(
  id: string,
  area: Area,
  level: Level,
  description: string,
  assert: Assertion,
  operations: string[],
  sources: SourceRef[],
): Requirement | undefined {
  if (!sources.length) return undefined;
  const sorted = [...sources].sort(compareRefs);
  return { id: id.toLowerCase(), level, area, description, quote: quoteFrom(sorted, description), operations: [...operations].sort(), assert, sources: sorted };
}

function deriveRequirements(
  spec: Spec,
  sizeFacts: (SizeVariantsFact & { ref: SourceRef })[],
  placeholders: (PlaceholderFact & { ref: SourceRef })[],
): Requirement[] {
  const out: Requirement[] = [];
  const push = (r: Requirement | undefined) => {
    if (r && !out.some((x) => x.id === r.id)) out.push(r);
  };
  const label = (op: Operation) => `${op.method} ${op.path} (${op.api} ${op.version})`;

  for (const op of spec.operations) {
    const success = op.responses.filter((r) => r.status >= 200 && r.status < 300).sort((a, b) => a.status - b.status);
    const status = success[0];
    if (status) {
      const sources = success.filter((r) => r.status === status.status).flatMap((r) => r.sources);
      push(requirement(`${op.id}/response/status`, 'status', 'MUST', `${label(op)} succeeds with ${status.status}`, { kind: 'status', status: status.status }, [op.id], sources));
    }
    const typed = success.find((r) => r.contentType);
    if (typed?.contentType && op.method === 'GET') {
      push(requirement(`${op.id}/response/content-type`, 'content-type', 'MUST', `${label(op)} answers with Content-Type ${typed.contentType}`, { kind: 'content-type', contentType: typed.contentType }, [op.id], typed.sources));
    }
    const schemaResponse = success.find((r) => r.schema);
    if (schemaResponse?.schema) {
      push(
        requirement(`${op.id}/response/schema`, 'metadata', 'MUST', `${label(op)} returns a body matching ${schemaResponse.schema}`, { kind: 'response-schema', schema: schemaResponse.schema }, [op.id], schemaResponse.sources),
      );
    }
    for (const header of op.headers.filter((h: Header) => h.required)) {
      push(
        requirement(
          `${op.id}/request-headers/${header.name.toLowerCase()}`,
          header.name === 'Authorization' ? 'auth' : 'headers',
          // "You should include a valid token" binds the caller, not the server (caller-duty).
          'MUST',
          `${label(op)} requires the ${header.name} header${header.value ? ` (${header.value})` : ''}`,
          { kind: 'request-header', header: header.name, ...(header.value ? { value: header.value } : {}) },
          [op.id],
          header.sources,
        ),
      );
    }
    for (const permission of op.permissions as Permission[]) {
      push(
        requirement(
          `${op.id}/permissions/${kebab(permission.type)}`,
          'permissions',
          'MUST',
          permission.supported
            ? `${label(op)} with ${permission.type} permissions needs one of ${permission.permissions.join(', ')}`
            : `${label(op)} is not supported with ${permission.type} permissions`,
          { kind: 'permission', type: permission.type, supported: permission.supported, permissions: permission.permissions },
          [op.id],
          permission.sources,
        ),
      );
    }
  }

  for (const rule of spec.methods) {
    const ops = spec.operations.filter((op) => op.api === rule.api && op.version === rule.version && op.target === rule.target && isWrite(op.method));
    const proseQuote = rule.sources.find((s) => s.quote && !/^(GET|PUT|PATCH|POST|DELETE)\s/.test(s.quote.text));
    push(
      requirement(
        `${rule.api}.${rule.version}/methods/${kebab(rule.target)}`,
        'methods',
        levelOf(proseQuote?.quote, 'MUST'),
        `${rule.api} ${rule.version} updates the photo with ${rule.allowed.join(' or ')}${rule.allowed.length === 1 ? ' only' : ''}`,
        { kind: 'methods', allowed: rule.allowed },
        ops.map((op) => op.id),
        rule.sources,
      ),
    );
  }

  for (const limit of spec.limits) {
    const ops = spec.operations.filter((op) => op.api === limit.api && op.version === limit.version && isWrite(op.method));
    const subject = limit.subject ?? 'request';
    const size = `${limit.maxRequestBytes} bytes (${limit.maxRequestBytes / (1024 * 1024)} MB)`;
    push(
      requirement(
        `${limit.api}.${limit.version}/${limitKey(subject)}`,
        'limits',
        'MUST',
        subject === 'photo' ? `${limit.api} ${limit.version} accepts a photo of up to ${size}` : `${limit.api} ${limit.version} accepts photo upload requests of up to ${size}`,
        { kind: 'size-limit', maxRequestBytes: limit.maxRequestBytes, subject },
        ops.map((op) => op.id),
        limit.sources,
      ),
    );
  }

  if (spec.sizeVariants) {
    const sv = spec.sizeVariants;
    const apiVersions = [...new Set(sizeFacts.flatMap((f) => f.versions.map((v) => `${f.api}|${v}`)))].sort();
    for (const key of apiVersions) {
      const [api, version] = key.split('|') as [Api, Version];
      const facts = sizeFacts.filter((f) => f.api === api && f.versions.includes(version));
      const ops = spec.operations.filter((op) => op.api === api && op.version === version && op.method === 'GET' && ['photos', 'photoSize', 'photoSizeValue'].includes(op.target));
      push(
        requirement(
          `${api}.${version}/sizes/predefined`,
          'sizes',
          'MUST',
          `${api} ${version} serves the predefined sizes ${sv.predefined.join(', ')}, only those at or below the uploaded photo`,
          { kind: 'size-variants', sizes: sv.predefined, availability: sv.availability },
          ops.map((op) => op.id),
          facts.map((f) => f.ref),
        ),
      );
    }
    if (sv.placeholder) {
      const ph = sv.placeholder;
      const keys = [...new Set(placeholders.flatMap((p) => p.versions.map((v) => `${p.api}|${v}`)))].sort();
      for (const key of keys) {
        const [api, version] = key.split('|') as [Api, Version];
        const ops = spec.operations.filter((op) => op.api === api && op.version === version && op.method === 'GET' && ['metadata', 'photoSize'].includes(op.target));
        const refs = placeholders.filter((p) => p.api === api && p.versions.includes(version)).map((p) => p.ref);
        push(
          requirement(
            `${api}.${version}/sizes/placeholder`,
            'sizes',
            'MUST',
            `${api} ${version} describes a missing photo as a ${ph.width}x${ph.height} ${ph.contentType} placeholder with an empty ETag`,
            { kind: 'placeholder', id: ph.id, contentType: ph.contentType, etag: ph.etag },
            ops.map((op) => op.id),
            refs,
          ),
        );
      }
    }
  }

  const behaviourOps: Record<BehaviourKind, (op: Operation) => boolean> = {
    mailboxFallback: (op) => isWrite(op.method) && (op.resource === 'me' || op.resource === 'user'),
    workOrSchoolOnly: (op) => isWrite(op.method) && (op.resource === 'me' || op.resource === 'user'),
    groupApplicationKnownIssue: (op) => op.resource === 'group',
    adminAnyUser: (op) => op.resource === 'user',
    readFallback: (op) => op.method === 'GET' && (op.resource === 'me' || op.resource === 'user'),
    exchangeOnlySizes: (op) => op.method === 'GET' && (op.target === 'photos' || op.target === 'photoSize' || op.target === 'photoSizeValue'),
    b2cUnsupported: (op) => op.resource === 'me' || op.resource === 'user',
  };
  const behaviourLevel: Record<BehaviourKind, Level> = {
    mailboxFallback: 'MUST',
    workOrSchoolOnly: 'MUST',
    groupApplicationKnownIssue: 'MAY',
    adminAnyUser: 'MUST',
    readFallback: 'MUST',
    exchangeOnlySizes: 'MUST',
    b2cUnsupported: 'MUST',
  };
  const behaviourText: Record<BehaviourKind, string> = {
    mailboxFallback: 'updating a user photo tries the mailbox first, then Azure AD when the user has no mailbox',
    workOrSchoolOnly: 'the photo of work or school mailboxes only, not personal mailboxes, can be updated',
    groupApplicationKnownIssue: 'group photos with application permissions are a known issue',
    adminAnyUser: "an app with tenant-wide permission can reach any user's photo",
    readFallback: 'reading a user photo tries the mailbox (Microsoft 365) first, then Azure AD',
    exchangeOnlySizes: 'the photos collection and size variants come from Exchange; Azure AD stores one photo',
    b2cUnsupported: 'photos of users in Azure AD B2C tenants cannot be managed through Graph',
  };
  // The area says which part of the contract a behaviour is: the mailbox-then-Azure-AD
  // fallback, on writes (mailboxFallback), on reads (readFallback) and in what Azure AD keeps
  // (one photo, no sizes: exchangeOnlySizes); who may act (permissions); which accounts and
  // tenants the API serves at all (auth).
  const BEHAVIOUR_AREA: Record<BehaviourKind, Requirement['area']> = {
    mailboxFallback: 'fallback',
    readFallback: 'fallback',
    exchangeOnlySizes: 'fallback',
    groupApplicationKnownIssue: 'permissions',
    adminAnyUser: 'permissions',
    workOrSchoolOnly: 'auth',
    b2cUnsupported: 'auth',
  };
  for (const b of spec.behaviours) {
    const ops = spec.operations.filter((op) => op.api === b.api && b.versions.includes(op.version) && behaviourOps[b.kind](op));
    const quote = quoteFrom(b.sources, behaviourText[b.kind]);
    push(
      requirement(
        `${b.api}/behaviours/${kebab(b.kind)}`,
        BEHAVIOUR_AREA[b.kind],
        // A known issue, and a note about tenants the suite cannot reach (B2C), stay informative in every language.
        b.kind === 'groupApplicationKnownIssue' ? 'MAY' : levelOf(quote, behaviourLevel[b.kind]),
        `${b.api} ${b.versions.join(', ')}: ${behaviourText[b.kind]}`,
        { kind: 'behaviour', behaviour: b.kind },
        ops.map((op) => op.id),
        b.sources,
      ),
    );
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

export type { ResponseSpec };
