/**
 * resource: what a resource page (`resources/profilephoto.md`) states of its entity type.
 * Such a page has no HTTP block; it has
 *  - a properties table (or list): name, type as written (`string`, `int32`), and whether
 *    the description says read-only (lexicon);
 *  - the JSON representation, annotated `"blockType": "resource"` with `@odata.type`,
 *    `baseType`, `keyProperty`, `isMediaEntity`, `optionalProperties`: what it shows is
 *    required unless listed optional;
 *  - a methods table (or list) linking the method pages (`../api/profilephoto-get.md`).
 * The page is recognized cheaply: the resource annotation, `doc_type: resourcePageType`, or
 * (no request line on the page) a properties section holding a table or list of typed names.
 * Columns are told apart by their content (type tokens, links), never by the localized header.
 */
import type { List, Nodes, Table } from 'mdast';
import type { EntityFact, EntityMethodFact, EntityPropertyFact, Loc } from '../../types.ts';
import { bitextOf, type Block, type CodeBlock, type Sentence } from '../../view.ts';
import { mentions } from '../lexicon.ts';
import { parseExampleJson } from '../responses/index.ts';
import type { RuleContext, RuleFactory, RuleMessage } from '../rule.ts';
import { locOf, quoteOf } from '../rule.ts';
import { rowsOf, type Cell } from '../table.ts';

export const RESOURCE_RULE_ID = 'resource';

const EDM = 'String|Int16|Int32|Int64|Byte|SByte|Boolean|Bool|Double|Single|Decimal|Float|DateTimeOffset|DateTime|Date|TimeOfDay|Duration|Guid|Binary|Stream';
/** A type cell: an EDM name (`int32`, `Edm.String`), optionally a collection of it. */
const TYPE_TOKEN = new RegExp(`^(?:Edm\\.)?(?:${EDM})(?:\\s+collection)?$|^Collection\\((?:Edm\\.)?(?:${EDM}|[A-Za-z][\\w.]*)\\)$`, 'i');
/** The same, found inside a list item: `id` (string): ... */
const TYPE_IN_TEXT = new RegExp(`(?:^|[\\s(（:,—–-])((?:Edm\\.)?(?:${EDM})(?:\\s+collection)?|Collection\\([\\w.]+\\))(?=$|[\\s)）:,.;—–-])`, 'i');
const IDENTIFIER = /^[@A-Za-z_][\w.@]*$/;
const CAMEL = /\b[a-z][a-z0-9]*[A-Z][A-Za-z0-9]*\b/;
const NAMESPACE = /(?:^|[\s:：])(microsoft\.[a-z][\w]*(?:\.[a-z][\w]*)*)\s*$/i;

function stripMarkup(text: string): string {
  return text.replace(/[`*_]/g, '').trim();
}

function isTypeCell(cell: Cell): boolean {
  const text = stripMarkup(cell.en ?? cell.text);
  if (TYPE_TOKEN.test(text)) return true;
  // A complex or entity type: a link to its resource page, maybe as a collection.
  return cell.links.length > 0 && text.length <= 60 && cell.links.some((l) => /\.md(?:$|#)/i.test(l) && !/\/api\//i.test(l));
}

function sectionIs(block: Block | undefined, key: string): boolean {
  return Boolean(block && (block.sectionKey === key || block.sectionKey.startsWith(`${key}-`) || block.anchors.includes(key)));
}

/** Sections a properties table must not come from (they hold typed rows too). */
function inOtherSection(block: Block | undefined): boolean {
  return sectionIs(block, 'relationships') || sectionIs(block, 'methods');
}

function resourceAnnotation(context: Pick<RuleContext, 'view'>): CodeBlock | undefined {
  return context.view.codeBlocks.find((c) => String(c.annotation?.value.blockType ?? '').toLowerCase() === 'resource');
}

/**
 * Cheap first. A page with request lines is a method page, whatever its front matter says
 * (three of the scale corpus's method pages are labelled `resourcePageType`, and some embed a
 * `"blockType": "resource"` block for their request body's type). A page without one is a
 * resource page when its front matter says so, or it has the annotation or a properties section.
 */
export function isResourcePage(context: RuleContext): boolean {
  if (context.facts.operations.length) return false;
  return declaresResource(context);
}

/** What a page says of itself, request lines aside: its front matter, annotation or sections. */
export function declaresResource(context: Pick<RuleContext, 'view'>): boolean {
  const docType = Object.entries(context.view.frontmatter).find(([k]) => k.toLowerCase() === 'doc_type')?.[1];
  if (typeof docType === 'string' && /resource/i.test(docType)) return true;
  if (resourceAnnotation(context)) return true;
  return context.view.blocks.some((b) => sectionIs(b, 'properties') && (b.node.type === 'table' || b.node.type === 'list'));
}

interface PropertyRow {
  name: string;
  type: string;
  readOnly: boolean;
  at: Loc;
}

function propertiesOfTable(context: RuleContext, table: Table): PropertyRow[] {
  const rows = rowsOf(table).slice(1);
  if (!rows.length) return [];
  const width = Math.max(...rows.map((r) => r.length));
  // The type column: the one (after the name) where most rows hold a type.
  let typeColumn = -1;
  let best = 0;
  for (let c = 1; c < width; c++) {
    const typed = rows.filter((r) => r[c] && isTypeCell(r[c] as Cell)).length;
    if (typed > best) {
      best = typed;
      typeColumn = c;
    }
  }
  if (typeColumn < 0 || best * 2 < rows.length) return [];
  const out: PropertyRow[] = [];
  for (const row of rows) {
    const nameCell = row[0];
    const typeCell = row[typeColumn];
    if (!nameCell || !typeCell) continue;
    const name = stripMarkup(nameCell.en ?? nameCell.text);
    if (!IDENTIFIER.test(name) || !isTypeCell(typeCell)) continue;
    const description = row.filter((_, i) => i !== 0 && i !== typeColumn);
    const readOnly = description.some((cell) => mentions('readOnly', cell.text, cell.en));
    const quoted = description.find((cell) => cell.text) ?? nameCell;
    out.push({
      name,
      type: stripMarkup(typeCell.en ?? typeCell.text),
      readOnly,
      at: { line: nameCell.line, column: nameCell.column, quote: quoteOf(context.detection, { text: `${name} | ${stripMarkup(typeCell.text)} | ${quoted.text}`, ...(quoted.en ? { en: `${name} | ${stripMarkup(typeCell.en ?? typeCell.text)} | ${quoted.en}` } : {}) }) },
    });
  }
  return out;
}

/** `id` (string): Read-only.  /  **height** — Int32. The height of the photo. */
function propertiesOfList(context: RuleContext, list: List): PropertyRow[] {
  const out: PropertyRow[] = [];
  for (const item of list.children) {
    const bt = bitextOf(item.children as Nodes[]);
    const english = bt.en ?? bt.text;
    const name = /^[`*_\s]*([@A-Za-z_][\w.@]*)/.exec(english)?.[1];
    const type = name ? TYPE_IN_TEXT.exec(english.slice(english.indexOf(name) + name.length))?.[1] : undefined;
    if (!name || !type || name.toLowerCase() === type.toLowerCase()) continue;
    const start = item.position?.start ?? { line: 1, column: 1 };
    out.push({
      name,
      type,
      readOnly: mentions('readOnly', bt.text, bt.en),
      at: { line: start.line, column: start.column, quote: quoteOf(context.detection, { text: bt.text, ...(bt.en ? { en: bt.en } : {}) }) },
    });
  }
  return out;
}

function properties(context: RuleContext): PropertyRow[] {
  const blocks = context.view.blocks;
  const read = (b: Block) => (b.node.type === 'table' ? propertiesOfTable(context, b.node) : b.node.type === 'list' ? propertiesOfList(context, b.node) : []);
  // The properties section first; a page without anchors may still hold the table elsewhere:
  // then the first typed table, since the relationships table (typed too) comes after it.
  const inSection = blocks.filter((b) => sectionIs(b, 'properties')).flatMap(read);
  if (inSection.length) return inSection;
  for (const b of blocks) {
    if (b.node.type !== 'table' || inOtherSection(b)) continue;
    const found = read(b);
    if (found.length) return found;
  }
  return [];
}

function methods(context: RuleContext): EntityMethodFact[] {
  const out: EntityMethodFact[] = [];
  const isMethodPage = (url: string) => /\.md(?:$|#|\?)/i.test(url) && !/(^|\/)resources\//i.test(url) && !/^https?:/i.test(url);
  for (const block of context.view.blocks) {
    if (block.node.type === 'table') {
      const rows = rowsOf(block.node).slice(1);
      // A methods table: rows whose first cell links a method page.
      const linked = rows.filter((r) => r[0]?.links.some(isMethodPage));
      if (!linked.length || (!sectionIs(block, 'methods') && linked.length * 2 < rows.length)) continue;
      for (const row of linked) {
        const first = row[0] as Cell;
        const page = first.links.find(isMethodPage) as string;
        const typeCell = row.slice(1).find((c) => c.links.some((l) => /(^|\/)resources\/|^[\w-]+\.md/i.test(l)) || TYPE_TOKEN.test(stripMarkup(c.text)));
        const returns = typeCell ? stripMarkup(typeCell.en ?? typeCell.text) : undefined;
        out.push({ page, ...(returns ? { returns } : {}), at: { line: first.line, column: first.column, quote: quoteOf(context.detection, { text: first.text, ...(first.en ? { en: first.en } : {}) }) } });
      }
    } else if (block.node.type === 'list' && sectionIs(block, 'methods')) {
      for (const item of block.node.children) {
        const bt = bitextOf(item.children as Nodes[]);
        const page = bt.links.find(isMethodPage);
        if (!page) continue;
        const start = item.position?.start ?? { line: 1, column: 1 };
        out.push({ page, at: { line: start.line, column: start.column, quote: quoteOf(context.detection, { text: bt.text, ...(bt.en ? { en: bt.en } : {}) }) } });
      }
    }
  }
  return out;
}

/**
 * The entity's short name from the title (`profilePhoto resource type`, `Тип ресурса user`,
 * `Ressourcentyp „photo“`): its camelCase token; else the token that names the page's own
 * file, anchor or method pages (`photo-get.md`); else, the English title naming the type
 * first and translations last, the first word or the last lower-case Latin word.
 */
function nameFromTitle(title: string | undefined, hints: readonly string[], english: boolean): string | undefined {
  if (!title) return undefined;
  const camel = CAMEL.exec(title)?.[0];
  if (camel) return camel;
  const words = title.match(/[A-Za-z][A-Za-z0-9]*/g) ?? [];
  const hinted = words.find((w) => hints.includes(w.toLowerCase()));
  if (hinted) return hinted;
  if (english) return words[0];
  return [...words].reverse().find((w) => /^[a-z]/.test(w)) ?? words[words.length - 1];
}

/** Lower-case stems that may name the entity: the page file, its first anchor, its method pages. */
function nameHints(context: RuleContext, methodPages: readonly EntityMethodFact[]): string[] {
  const stem = (path: string) => (path.split(/[\\/]/).pop() ?? '').replace(/\.[^.]*$/, '').toLowerCase();
  const hints = [stem(context.view.path), ...methodPages.map((m) => stem(m.page).split('-')[0] ?? '')];
  const anchor = context.detection.anchor;
  if (anchor) hints.push(anchor.split('-')[0] ?? '');
  return hints.filter(Boolean);
}

function namespaceOf(sentences: readonly Sentence[]): string | undefined {
  for (const s of sentences.slice(0, 8)) {
    const m = NAMESPACE.exec(s.en ?? s.text);
    if (m?.[1]) return m[1];
  }
  return undefined;
}

function representation(context: RuleContext, messages: RuleMessage[]): { code?: CodeBlock; keys?: Record<string, unknown>; annotation: Record<string, unknown> } {
  const annotated = resourceAnnotation(context);
  const code = annotated ?? context.view.codeBlocks.find((c) => sectionIs(context.view.blocks[c.block], 'json-representation') && c.node.value.trimStart().startsWith('{'));
  if (!code) return { annotation: {} };
  const annotation = annotated?.annotation?.value ?? {};
  const parsed = parseExampleJson(code.node.value);
  if (parsed.value === undefined || parsed.value === null || typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
    messages.push({ line: (code.node.position?.start.line ?? 1) + 1, column: 1, severity: 'warning', message: `resource representation is not a JSON object${parsed.error ? `: ${parsed.error}` : ''}` });
    return { code, annotation };
  }
  return { code, keys: parsed.value as Record<string, unknown>, annotation };
}

/** The type a representation's placeholder value stands for: "String" says it, 240 does not. */
function typeOfValue(value: unknown): string {
  if (typeof value === 'string') return TYPE_TOKEN.test(value) ? value : 'String';
  if (typeof value === 'number') return Number.isInteger(value) ? 'Int32' : 'Double';
  if (typeof value === 'boolean') return 'Boolean';
  if (Array.isArray(value)) return 'Collection';
  return 'Object';
}

/** The line of an annotation comment that states `member` (`"isMediaEntity": true`), quoted as written. */
function annotationMember(text: string, line: number, member: string): Loc | undefined {
  let start = 0;
  for (let n = 1; n < line && start >= 0; n++) start = text.indexOf('\n', start) + 1 || -1;
  if (start < 0) return undefined;
  const end = text.indexOf('-->', start);
  const lines = text.slice(start, end < 0 ? undefined : end).split('\n');
  const index = lines.findIndex((l) => l.includes(`"${member}"`));
  if (index < 0) return undefined;
  const raw = lines[index] ?? '';
  const at = raw.indexOf(`"${member}"`);
  const quoted = /^"[^"]+"\s*:\s*(?:"[^"]*"|[^,}\s]+)/.exec(raw.slice(at))?.[0] ?? `"${member}"`;
  return { line: line + index, column: at + 1, quote: { text: quoted, lang: 'en', en: quoted } };
}

export const resourceRule: RuleFactory = () => ({
  id: RESOURCE_RULE_ID,
  run(context) {
    if (!isResourcePage(context)) return {};
    const { detection, view } = context;
    const messages: RuleMessage[] = [];
    const rep = representation(context, messages);
    const odataType = typeof rep.annotation['@odata.type'] === 'string' ? String(rep.annotation['@odata.type']).replace(/^#/, '') : undefined;
    const heading = view.sentences.find((s) => s.container === 'heading');
    const methodRows = methods(context);
    const hints = nameHints(context, methodRows);
    const english = detection.locale.startsWith('en');
    const shortName = nameFromTitle(detection.title, hints, english) ?? nameFromTitle(heading?.en ?? heading?.text, hints, english);
    const namespace = namespaceOf(view.sentences);
    const name = odataType ?? (shortName ? (namespace ? `${namespace}.${shortName}` : shortName) : undefined);
    if (!name) {
      messages.push({ line: 1, column: 1, severity: 'warning', message: 'resource page: no entity name (no @odata.type annotation and no type name in the title)' });
      return { messages };
    }
    const rows = properties(context);
    const props: EntityPropertyFact[] = rows.map((r) => ({ name: r.name, type: r.type, readOnly: r.readOnly, at: r.at }));
    let required: string[] | undefined;
    if (rep.keys) {
      const optional = Array.isArray(rep.annotation.optionalProperties) ? (rep.annotation.optionalProperties as unknown[]).map(String) : [];
      required = Object.keys(rep.keys).filter((k) => !optional.includes(k)).sort();
      const codeLines = rep.code?.node.value.split('\n') ?? [];
      const lineOf = (key: string) => (rep.code?.node.position?.start.line ?? 1) + 1 + Math.max(0, codeLines.findIndex((l) => l.includes(`"${key}"`)));
      // OData annotations (`@odata.type`) ride along on any entity: they are not properties.
      required = required.filter((k) => !k.startsWith('@'));
      for (const [key, value] of Object.entries(rep.keys)) {
        if (key.startsWith('@') || props.some((p) => p.name === key)) continue;
        const line = lineOf(key);
        const at = { line, column: 1, quote: { text: `"${key}": ${JSON.stringify(value)}`, lang: 'en', en: `"${key}": ${JSON.stringify(value)}` } };
        props.push({ name: key, type: typeOfValue(value), readOnly: false, at });
        if (rows.length) messages.push({ line, column: 1, severity: 'warning', message: `resource page: property '${key}' is in the JSON representation but not in the properties table` });
      }
      for (const p of rows) {
        if (!(p.name in rep.keys)) messages.push({ line: p.at.line, column: p.at.column, severity: 'info', message: `resource page: property '${p.name}' is not in the JSON representation; not required` });
      }
    } else {
      messages.push({ line: 1, column: 1, severity: 'info', message: 'resource page: no JSON representation; no property is taken as required' });
    }
    if (!props.length) messages.push({ line: 1, column: 1, severity: 'warning', message: `resource page of ${name}: no properties stated` });
    if (!methodRows.length) messages.push({ line: 1, column: 1, severity: 'info', message: `resource page of ${name}: no methods table` });
    const annotationAt = rep.code?.annotation ? annotationMember(view.text, rep.code.annotation.line, 'isMediaEntity') ?? annotationMember(view.text, rep.code.annotation.line, 'blockType') : undefined;
    const entity: EntityFact = {
      name,
      api: detection.api,
      versions: [...detection.versions],
      ...(typeof rep.annotation.baseType === 'string' ? { baseType: rep.annotation.baseType } : {}),
      ...(typeof rep.annotation.keyProperty === 'string' ? { keyProperty: rep.annotation.keyProperty } : {}),
      ...(typeof rep.annotation.isMediaEntity === 'boolean' ? { mediaEntity: rep.annotation.isMediaEntity } : {}),
      properties: props.sort((a, b) => a.name.localeCompare(b.name)),
      ...(required ? { required } : {}),
      methods: methodRows,
      at: heading ? locOf(detection, heading) : { line: 1, column: 1 },
      ...(annotationAt ? { annotationAt } : {}),
    };
    return { facts: { entities: [entity] }, messages };
  },
});
