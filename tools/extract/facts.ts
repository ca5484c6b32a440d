/**
 * The facts document (../shared/facts/live-behaviour.md): how the live service answers where
 * the pages are silent. Its tables have three columns: the case, what the service returns,
 * and the public source. The protocol requirements the pages never state (the error body,
 * the codes of a refusal, request ids, the entity tag's form, throttling, padding of a
 * non-square photo) come from here, each citing its row, and graded by the `observed` rule:
 * a promise no page makes is a SHOULD.
 *
 * Rows are recognised by what their case column says, the way page rules recognise a
 * section by its anchor; a row nothing recognises is left for the mock's live profile.
 */
import type { Root, TableRow } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { visit } from 'unist-util-visit';
import type { Api, Assertion, FactSource, Operation, Requirement, SourceRef, Spec, Version } from '../spec/model.ts';
import { parseMarkdown, prepareText } from './markdown.ts';
import { sha256 } from './page.ts';

export interface FactRow {
  line: number;
  column: number;
  case: string;
  returns: string;
  source: string;
}

/** Every body row of every table with at least three columns. */
export function readFactRows(text: string): FactRow[] {
  const tree: Root = parseMarkdown(prepareText(text).text);
  const rows: FactRow[] = [];
  visit(tree, 'table', (table) => {
    table.children.slice(1).forEach((row: TableRow) => {
      const cells = row.children.map((cell) => toString(cell).trim());
      if (cells.length < 3) return;
      rows.push({
        line: row.position?.start.line ?? 1,
        column: row.position?.start.column ?? 1,
        case: cells[0]!,
        returns: cells[1]!,
        source: cells[2]!,
      });
    });
  });
  return rows;
}

/** What a row states, in a form requirements are made of. */
export type ProtocolFact =
  | { kind: 'error-code'; situation: 'unauthenticated' | 'forbidden'; status: number; code: string; row: FactRow }
  | { kind: 'inner-error'; members: string[]; row: FactRow }
  | { kind: 'headers'; headers: { name: string; pattern?: string; echo?: boolean }[]; row: FactRow }
  | { kind: 'not-an-image'; row: FactRow }
  | { kind: 'throttling'; header: string; row: FactRow }
  | { kind: 'padded'; row: FactRow };

const STATUS_AND_CODE = /\b([45]\d\d)\s+`?([A-Z][A-Za-z]+)`?/;

/** `ETag: "89C63EA8"` and "(8 hex digits in quotes, no W/)": the form, as a pattern. */
function etagPattern(returns: string): string | undefined {
  const example = /ETag:\s*"([0-9A-Fa-f]+)"/.exec(returns)?.[1];
  if (!example) return undefined;
  const weakAllowed = !/no `?W\//.test(returns);
  return `^${weakAllowed ? '(W/)?' : ''}"[0-9A-Fa-f]{${example.length}}"$`;
}

export function protocolFacts(rows: readonly FactRow[]): ProtocolFact[] {
  const out: ProtocolFact[] = [];
  for (const row of rows) {
    const what = row.case.toLowerCase();
    const statusCode = STATUS_AND_CODE.exec(row.returns);
    if (/token/.test(what) && /missing|malformed|expired/.test(what) && statusCode) {
      out.push({ kind: 'error-code', situation: 'unauthenticated', status: Number(statusCode[1]), code: statusCode[2]!, row });
    } else if (/without the needed permission/.test(what) && statusCode) {
      out.push({ kind: 'error-code', situation: 'forbidden', status: Number(statusCode[1]), code: statusCode[2]!, row });
    }
    const inner = /"innerError"\s*:\s*\{([^}]*)\}/.exec(row.returns);
    if (inner) {
      const members = [...inner[1]!.matchAll(/"([\w-]+)"\s*:/g)].map((m) => m[1]!);
      if (members.length) out.push({ kind: 'inner-error', members, row });
    }
    if (/headers/.test(what) && /successful/.test(what)) {
      const headers: { name: string; pattern?: string; echo?: boolean }[] = [];
      const pattern = etagPattern(row.returns);
      if (pattern) headers.push({ name: 'ETag', pattern });
      // `client-request-id` is the caller's own id, answered back (Graph's request tracing).
      for (const name of ['request-id', 'client-request-id']) {
        if (new RegExp(`(^|[\\s,(])${name}([\\s,)]|$)`).test(row.returns)) headers.push({ name, ...(name === 'client-request-id' ? { echo: true } : {}) });
      }
      if (headers.length) out.push({ kind: 'headers', headers, row });
    }
    if (/not an image/.test(what)) out.push({ kind: 'not-an-image', row });
    const throttled = /429 with `?([\w-]+)`?/.exec(row.returns);
    if (/throttl/.test(what) && throttled) out.push({ kind: 'throttling', header: throttled[1]!, row });
    if (/size variants/.test(what) && /padded, not cropped/.test(row.returns)) out.push({ kind: 'padded', row });
  }
  return out;
}

const isWrite = (op: Operation) => op.method !== 'GET';
const versionsOf = (spec: Spec): [Api, Version][] =>
  [...new Set(spec.operations.map((op) => `${op.api}|${op.version}`))].sort().map((k) => k.split('|') as [Api, Version]);

/**
 * The protocol requirements the facts give for the API versions the pages document.
 * Graph's error body carries innerError and its responses request ids (the rows' sources are
 * Graph's); both protocols answer refusals with `{error: {code, message}}`.
 */
export function factRequirements(spec: Spec, source: FactSource, facts: readonly ProtocolFact[]): Requirement[] {
  const out: Requirement[] = [];
  const ref = (row: FactRow): SourceRef => ({
    source: source.id,
    ref: `${source.path}:${row.line}:${row.column}`,
    line: row.line,
    column: row.column,
    quote: { text: `${row.case}: ${row.returns}`, lang: 'en' },
  });
  const observed = { rule: 'observed' as const, note: 'no page promises it; the live service is observed to answer so (facts row), which a faithful server should match' };
  const push = (id: string, description: string, assert: Assertion, operations: Operation[], rows: FactRow[]) => {
    if (!operations.length || !rows.length) return;
    const sources = rows.map(ref);
    out.push({
      id,
      level: 'SHOULD',
      levelBasis: observed,
      area: 'protocol',
      description,
      quote: sources[0]!.quote!,
      operations: operations.map((op) => op.id).sort(),
      assert,
      sources,
    });
  };
  const inner = facts.find((f): f is Extract<ProtocolFact, { kind: 'inner-error' }> => f.kind === 'inner-error');
  for (const [api, version] of versionsOf(spec)) {
    const ops = spec.operations.filter((op) => op.api === api && op.version === version);
    const reads = ops.filter((op) => !isWrite(op));
    const valueReads = reads.filter((op) => op.target === 'value' || op.target === 'photoSizeValue');
    const valueWrites = ops.filter((op) => isWrite(op) && op.target === 'value');
    const key = `${api}.${version}/protocol`;
    for (const f of facts) {
      switch (f.kind) {
        case 'error-code': {
          const members = api === 'graph' && inner ? inner.members : undefined;
          push(
            `${key}/error-${f.situation}`,
            `${api} ${version} refuses ${f.situation === 'unauthenticated' ? 'a missing or bad token' : 'a token without the permission'} with ${f.status} and the error body {error: {code: ${f.code}, message${members ? ', innerError' : ''}}}`,
            { kind: 'error-body', situation: f.situation, status: f.status, code: f.code, ...(members ? { innerError: members } : {}) },
            reads,
            members && inner ? [f.row, inner.row] : [f.row],
          );
          break;
        }
        case 'headers':
          for (const h of f.headers) {
            // The rows' sources are Graph's: request ids and the 8-digit tag are Graph's answers.
            if (api !== 'graph') continue;
            push(
              `${key}/${h.name.toLowerCase()}`,
              h.echo ? `${api} ${version} answers the caller's ${h.name} back` : `${api} ${version} answers $value with ${h.name}${h.pattern ? ` matching ${h.pattern}` : ''}`,
              { kind: 'response-header', header: h.name, ...(h.pattern ? { pattern: h.pattern } : {}), ...(h.echo ? { echo: true } : {}) },
              valueReads,
              [f.row],
            );
          }
          if (f.headers.some((h) => h.name === 'ETag' && h.pattern && !h.pattern.includes('W/'))) {
            push(`${key}/etag-names-one-photo`, `${api} ${version}: a strong ETag names one photo, even while an update is under way`, { kind: 'etag-consistency' }, valueWrites, [f.row]);
          }
          break;
        case 'not-an-image':
          push(`${key}/not-an-image`, `${api} ${version} refuses bytes that are not an image`, { kind: 'error-body', situation: 'not-an-image' }, valueWrites, [f.row]);
          break;
        case 'throttling':
          push(`${key}/throttling`, `${api} ${version} answers a throttled request 429 with ${f.header}`, { kind: 'throttling', header: f.header }, reads.filter((op) => op.target === 'metadata'), [f.row]);
          break;
        case 'padded':
          push(
            `${key}/padded-variants`,
            `${api} ${version} pads a non-square photo into each square size, never crops it`,
            { kind: 'padded-variants' },
            reads.filter((op) => op.target === 'photoSizeValue'),
            [f.row],
          );
          break;
        case 'inner-error':
          break;
      }
    }
  }
  return out;
}

export interface FactsInput {
  /** as shown in the spec (relative to the repository root) */
  path: string;
  text: string;
}

/** Adds the facts' sources and requirements to a built spec (a new object; the input is untouched). */
export function withFacts(spec: Spec, inputs: readonly FactsInput[]): Spec {
  if (!inputs.length) return spec;
  const facts: FactSource[] = [];
  const requirements = [...spec.requirements];
  for (const input of inputs) {
    const name = input.path.split('/').pop()!.replace(/\.md$/i, '').toLowerCase().replace(/[^a-z0-9.-]+/g, '-');
    const source: FactSource = { id: `facts.${name}`, path: input.path, sha256: sha256(input.text) };
    const title = /^#\s+(.+)$/m.exec(input.text)?.[1]?.trim();
    if (title) source.title = title;
    facts.push(source);
    for (const r of factRequirements(spec, source, protocolFacts(readFactRows(input.text)))) {
      if (!requirements.some((x) => x.id === r.id)) requirements.push(r);
    }
  }
  requirements.sort((a, b) => a.id.localeCompare(b.id));
  return { ...spec, facts, requirements };
}
