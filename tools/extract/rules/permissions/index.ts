/**
 * permissions: three layouts.
 *  - table (current pages): a row per permission type; a cell lists permissions, least to
 *    most privileged, grouped by resource ("For **group** resource:<br/>Group.ReadWrite.All").
 *  - bullet list (older pages): "Profile photo of a **group** - Group.ReadWrite.All"; the
 *    type is not stated, and scopes of that era were delegated.
 *  - Outlook scope lists (`- _user.read_`), each under a sentence saying whose photo it is for,
 *    in the section of the endpoints they govern.
 * Permission names are never translated, so they are read from the English source where the
 * page keeps it (machine translation mangles them: "User. ReadWrite. ALL"). A resource is named
 * by a marker word or, failing that, by the permission's own prefix (Group.*, Contacts.*).
 */
import type { List, Nodes, Table } from 'mdast';
import type { PermissionType, Resource } from '../../../spec/model.ts';
import type { Loc, PermissionFact, Scope } from '../../types.ts';
import { bitextOf } from '../../view.ts';
import { mentions } from '../lexicon.ts';
import type { RuleContext, RuleFactory, RuleMessage } from '../rule.ts';
import { englishOf, quoteOf, scopeForBlock } from '../rule.ts';
import { rowsOf } from '../table.ts';

export const PERMISSIONS_RULE_ID = 'permissions';

const VERBS = 'Read|Write|ReadWrite|ReadBasic|Send|Manage|AccessAsUser|Invite|Create|Export|Import|FullControl|Full';
const PERMISSION = new RegExp(`\\b([A-Za-z][A-Za-z0-9]*)\\.(${VERBS})([A-Za-z]*)((?:\\.[A-Za-z]+)*)(?![\\w.]*\\.(?:com|md|net|org)\\b)`, 'gi');

const CASING: Record<string, string> = {
  readwrite: 'ReadWrite',
  readbasic: 'ReadBasic',
  accessasuser: 'AccessAsUser',
  fullcontrol: 'FullControl',
  profilephoto: 'ProfilePhoto',
  mailboxsettings: 'MailboxSettings',
};

function caseSegment(segment: string): string {
  const known = CASING[segment.toLowerCase()];
  if (known) return known;
  if (segment === segment.toLowerCase() || segment === segment.toUpperCase()) return segment.charAt(0).toUpperCase() + segment.slice(1).toLowerCase();
  return segment.charAt(0).toUpperCase() + segment.slice(1);
}

/** Permission names in a text, in order, canonically cased (`user.readbasic.all` -> `User.ReadBasic.All`). */
export function permissionNames(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(PERMISSION)) {
    const name = match[0].split('.').map(caseSegment).join('.');
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

// A name a translation glued together (`TeamReadBasicAll`, `GroupReadWriteAll`): capitalized
// words, one of them a verb, no dots; the words before the verb name the resource, so a verb
// cannot come first (`ReadWrite` alone is not a name).
const DAMAGED = new RegExp(`(?<![\\w.])[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)*?(?:${VERBS})(?:[A-Z][a-z0-9]*)*(?![\\w.])`, 'g');
const STARTS_WITH_VERB = new RegExp(`^(?:${VERBS})`);
const GLUED_WORDS = /[a-z0-9][A-Z]/;

/**
 * Permission names in a text in the order written, with the names written without their
 * dots kept as written and listed apart (`damaged`): the merge recovers them from the names
 * other pages state.
 */
export function permissionTokens(text: string): { names: string[]; damaged: string[] } {
  const found: { index: number; name: string; damaged: boolean }[] = [];
  for (const match of text.matchAll(PERMISSION)) found.push({ index: match.index ?? 0, name: match[0].split('.').map(caseSegment).join('.'), damaged: false });
  if (GLUED_WORDS.test(text)) {
    const rest = text.replace(PERMISSION, (m) => ' '.repeat(m.length));
    for (const match of rest.matchAll(DAMAGED)) if (!STARTS_WITH_VERB.test(match[0])) found.push({ index: match.index ?? 0, name: match[0], damaged: true });
  }
  found.sort((a, b) => a.index - b.index);
  const names: string[] = [];
  const damaged: string[] = [];
  for (const f of found) {
    if (names.includes(f.name)) continue;
    names.push(f.name);
    if (f.damaged) damaged.push(f.name);
  }
  return { names, damaged };
}

function resourcesFromMarker(text: string | undefined, en: string | undefined): Resource[] | undefined {
  if (mentions('anyUser', text, en)) return ['user', 'me'];
  if (mentions('signedIn', text, en)) return ['me'];
  if (mentions('team', text, en)) return ['team'];
  if (mentions('group', text, en)) return ['group'];
  if (mentions('contact', text, en)) return ['contact', 'contactInFolder'];
  if (mentions('user', text, en)) return ['user', 'me'];
  return undefined;
}

function resourcesFromNames(names: string[]): Resource[] {
  // `Group.Read.All`, or `GroupReadWriteAll` written without its dots: the first word.
  const prefix = /^[A-Za-z][a-z0-9]*/.exec(names[0] ?? '')?.[0]?.toLowerCase();
  if (prefix === 'group') return ['group'];
  if (prefix === 'contacts') return ['contact', 'contactInFolder'];
  if (prefix === 'team') return ['team'];
  return ['user', 'me'];
}

function typeOfRow(text: string, en: string | undefined, index: number, rowCount: number): { type?: PermissionType; guessed: boolean } {
  if (mentions('delegated', text, en) && mentions('personal', text, en)) return { type: 'delegatedPersonal', guessed: false };
  if (mentions('delegated', text, en)) return { type: 'delegatedWork', guessed: false };
  if (mentions('application', text, en)) return { type: 'application', guessed: false };
  if (mentions('personal', text, en)) return { type: 'delegatedPersonal', guessed: false };
  // Reference tables always list the types in this order.
  const order: PermissionType[] = ['delegatedWork', 'delegatedPersonal', 'application'];
  return rowCount === 3 ? { type: order[index], guessed: true } : { guessed: true };
}

interface Line {
  text: string;
  en?: string;
}

/** Splits a cell into lines at <br>; a line is a resource marker, a list of names, or both. */
function linesOf(text: string, en: string | undefined): Line[] {
  const local = text.split('\n');
  const english = en?.split('\n');
  return local.map((t, i) => ({ text: t.trim(), ...(english && english[i] !== undefined ? { en: english[i]?.trim() } : {}) })).filter((l) => l.text || l.en);
}

interface NameGroup {
  resources: Resource[];
  names: string[];
  damaged: string[];
  marker: boolean;
}

function groupsOf(lines: Line[], defaultResources: Resource[] | undefined): NameGroup[] {
  const groups: NameGroup[] = [];
  let current: Resource[] | undefined = defaultResources;
  for (const line of lines) {
    const tokens = permissionTokens(line.en ?? line.text);
    const { names, damaged } = tokens.names.length ? tokens : permissionTokens(line.text);
    const markerText = (s: string | undefined) => s?.replace(PERMISSION, ' ');
    // Where the page keeps the English source, it alone says whose photo a line is for.
    const marker = line.en !== undefined ? resourcesFromMarker(markerText(line.en), undefined) : resourcesFromMarker(markerText(line.text), undefined);
    if (marker && !names.length) {
      current = marker;
      continue;
    }
    if (!names.length) continue;
    groups.push({ resources: marker ?? current ?? resourcesFromNames(names), names, damaged, marker: Boolean(marker ?? current) });
    current = defaultResources;
  }
  return groups;
}

/** The fact of a group of names: the names written without dots are marked for the merge to recover. */
function factOf(type: PermissionType, group: NameGroup, scope: Scope, at: Loc): PermissionFact {
  return { type, resources: group.resources, supported: true, permissions: group.names, ...(group.damaged.length ? { damaged: group.damaged } : {}), scope, at };
}

function reportDamaged(groups: readonly NameGroup[], at: { line: number; column: number }, messages: RuleMessage[]): void {
  const damaged = [...new Set(groups.flatMap((g) => g.damaged))];
  if (!damaged.length) return;
  messages.push({
    line: at.line,
    column: at.column,
    severity: 'info',
    message: `permission name(s) written without their dots: ${damaged.map((d) => `'${d}'`).join(', ')}; the merge recovers them from the names the run's pages state`,
  });
}

/**
 * Newer pages put one table per resource under a heading such as "For group resource" or
 * "To retrieve the profile photo of a team". The heading's anchor is an English slug in every
 * language (`to-retrieve-the-profile-photo-of-a-team`), so it is read first; the heading's
 * words, through the lexicon, only where the anchor names no resource.
 */
function resourcesOfHeading(context: RuleContext, blockIndex: number): Resource[] | undefined {
  for (let i = blockIndex - 1; i >= 0; i--) {
    const block = context.view.blocks[i];
    if (!block || block.node.type !== 'heading') continue;
    for (const anchor of block.anchors) {
      const fromAnchor = resourcesFromMarker(anchor.replace(/[-_]+/g, ' '), undefined);
      if (fromAnchor) return fromAnchor;
    }
    if (/permission|prerequisite/.test(block.sectionKey) && block.anchors.length) return undefined;
    const heading = context.view.sentences.find((s) => s.block === i);
    if (!heading) return undefined;
    // The English reading alone: "For **user** resource".
    return heading.en !== undefined ? resourcesFromMarker(heading.en, undefined) : resourcesFromMarker(heading.text, undefined);
  }
  return undefined;
}

function fromTable(context: RuleContext, table: Table, blockIndex: number, out: PermissionFact[], messages: RuleMessage[]): boolean {
  const headingResources = resourcesOfHeading(context, blockIndex);
  const rows = rowsOf(table).slice(1);
  const typed = rows.filter((row) => row.length >= 2);
  if (!typed.length) return false;
  const scope = scopeForBlock(context, blockIndex);
  let found = false;
  typed.forEach((row, index) => {
    const [typeCell, ...valueCells] = row;
    if (!typeCell) return;
    const { type, guessed } = typeOfRow(typeCell.text, typeCell.en, index, typed.length);
    if (!type) {
      messages.push({ line: typeCell.line, column: typeCell.column, severity: 'warning', message: `permission type '${typeCell.text}' not recognized` });
      return;
    }
    if (guessed) {
      messages.push({ line: typeCell.line, column: typeCell.column, severity: 'info', message: `permission type '${typeCell.text}' read from the row order as ${type}` });
    }
    // Newer tables split least and higher privileged permissions into two columns: read them in order.
    const text = valueCells.map((c) => c.text).join('\n');
    const en = valueCells.some((c) => c.en !== undefined) ? valueCells.map((c) => c.en ?? c.text).join('\n') : undefined;
    const first = valueCells[0];
    if (!first) return;
    const at = { line: first.line, column: first.column, quote: quoteOf(context.detection, { text: `${typeCell.text}: ${text.replace(/\n+/g, ' ')}`, ...(en !== undefined ? { en: `${typeCell.en ?? typeCell.text}: ${en.replace(/\n+/g, ' ')}` } : {}) }) };
    const groups = groupsOf(linesOf(text, en), headingResources);
    if (!groups.length) {
      if (mentions('notSupported', text, en)) {
        out.push({ type, resources: headingResources ?? [], supported: false, permissions: [], scope, at });
        found = true;
      } else if (text.trim()) {
        messages.push({ line: first.line, column: first.column, severity: 'warning', message: `no permission name in '${englishOf({ text, ...(en ? { en } : {}) }).slice(0, 80)}'` });
      }
      return;
    }
    for (const group of groups) out.push(factOf(type, group, scope, at));
    reportDamaged(groups, first, messages);
    found = true;
  });
  return found;
}

/** The sentence just before a list: it says whose photo the list is for. */
function introOf(context: RuleContext, blockIndex: number): { text: string; en?: string } | undefined {
  for (let i = blockIndex - 1; i >= 0 && i >= blockIndex - 2; i--) {
    const sentences = context.view.sentences.filter((s) => s.block === i && s.container !== 'heading');
    if (sentences.length) {
      const text = sentences.map((s) => s.text).join(' ');
      const en = sentences.some((s) => s.en) ? sentences.map((s) => s.en ?? s.text).join(' ') : undefined;
      return { text, ...(en ? { en } : {}) };
    }
  }
  return undefined;
}

function fromList(context: RuleContext, list: List, blockIndex: number, listIndexInSection: number, out: PermissionFact[], messages: RuleMessage[]): boolean {
  const items = list.children.map((item) => ({ item, ...bitextOf(item as Nodes) }));
  const withNames = items.filter((i) => permissionTokens(i.en ?? i.text).names.length || permissionTokens(i.text).names.length);
  if (!withNames.length) return false;
  const scope = scopeForBlock(context, blockIndex);
  const intro = introOf(context, blockIndex);
  const outlookStyle = items.every((i) => permissionNames(i.en ?? i.text).length === 1 && !resourcesFromMarker(i.text.replace(PERMISSION, ' '), undefined));
  let listResources: Resource[] | undefined;
  if (outlookStyle) {
    listResources = intro ? resourcesFromMarker(intro.text, intro.en) : undefined;
    // Scope lists come in pairs: any user first, then "also, for the signed-in user".
    listResources ??= listIndexInSection === 0 ? ['user', 'me'] : ['me'];
  }
  const line = list.position?.start.line ?? 1;
  const column = list.position?.start.column ?? 1;
  const type: PermissionType = 'delegatedWork';
  if (outlookStyle) {
    const names = withNames.flatMap((i) => permissionNames(i.en ?? i.text));
    const text = items.map((i) => i.text).join(', ');
    const quoteText = intro ? `${intro.text} ${text}` : text;
    out.push({
      type,
      resources: listResources ?? ['user', 'me'],
      supported: true,
      permissions: [...new Set(names)],
      scope,
      at: { line, column, quote: quoteOf(context.detection, { text: quoteText, ...(intro?.en ? { en: `${intro.en} ${text}` } : {}) }) },
    });
  } else {
    for (const { item, text, en } of withNames) {
      const groups = groupsOf([{ text, ...(en ? { en } : {}) }], undefined);
      const at = { line: item.position?.start.line ?? line, column: item.position?.start.column ?? column, quote: quoteOf(context.detection, { text, ...(en ? { en } : {}) }) };
      for (const group of groups) out.push(factOf(type, group, scope, at));
      reportDamaged(groups, at, messages);
    }
  }
  messages.push({ line, column, severity: 'info', message: 'permission list states no permission type; read as delegated (work or school)' });
  return true;
}

export const permissionsRule: RuleFactory = () => ({
  id: PERMISSIONS_RULE_ID,
  run(context) {
    const permissions: PermissionFact[] = [];
    const messages: RuleMessage[] = [];
    const listsPerSection = new Map<string, number>();
    let found = false;
    for (const block of context.view.blocks) {
      const inPermissionSection = /permission|prerequisite|scope/.test(block.sectionKey);
      if (block.node.type === 'table') {
        const rows = rowsOf(block.node as Table);
        const header = rows[0]?.map((c) => `${c.text} ${c.en ?? ''}`).join(' ') ?? '';
        const typed = rows.slice(1).some((row) => row[0] && typeOfRow(row[0].text, row[0].en, 0, 0).type);
        // Untyped rows are trusted only in a permissions section with the usual three rows (read by order).
        const byOrder = inPermissionSection && rows.length - 1 === 3;
        if ((inPermissionSection || /permission|berechtigung|autorisation|permiso|permissão|разрешени|アクセス許可|权限|사용 권한/i.test(header)) && (typed || byOrder)) {
          found = fromTable(context, block.node as Table, block.index, permissions, messages) || found;
        }
      } else if (block.node.type === 'list') {
        const key = `${block.section}|${block.versions.join()}`;
        const index = listsPerSection.get(key) ?? 0;
        const before = permissions.length;
        if (fromList(context, block.node as List, block.index, index, permissions, messages)) {
          found = true;
          listsPerSection.set(key, index + 1);
          if (!inPermissionSection && permissions.slice(before).some((p) => p.scope.targets.length === 0) && !context.facts.operations.length) {
            messages.push({ line: block.node.position?.start.line ?? 1, column: 1, severity: 'info', message: 'permission list outside a permissions section' });
          }
        }
      }
    }
    deriveAnyUserFromSignedIn(permissions, messages);
    if (!found && context.facts.operations.some((op) => op.resource)) {
      messages.push({ line: 1, column: 1, severity: 'warning', message: 'no permissions stated' });
    }
    return { facts: { permissions }, messages };
  },
});

/**
 * Update pages state one table for the signed-in user's photo and none for another user's;
 * it governs `users/{id}` too, as far as it can:
 *  - delegated: a tenant-wide (`.All`) permission in the list is what lets a delegated caller
 *    reach another user's photo, so `users/{id}` gets those;
 *  - application: an app calls with no signed-in user, so the row is about any user's photo;
 *  - personal accounts: "not supported" for the caller's own photo holds for another's.
 * Each derivation is reported.
 */
function deriveAnyUserFromSignedIn(permissions: PermissionFact[], messages: RuleMessage[]): void {
  for (const type of ['delegatedWork', 'application', 'delegatedPersonal'] as const) {
    const ofType = permissions.filter((p) => p.type === type);
    if (ofType.some((p) => p.resources.includes('user'))) continue;
    for (const fact of ofType.filter((p) => p.resources.length === 1 && p.resources[0] === 'me')) {
      const say = (message: string) => messages.push({ line: fact.at.line, column: fact.at.column, severity: 'info', message });
      if (type === 'delegatedWork') {
        const tenantWide = fact.supported ? fact.permissions.filter((name) => /\.All$/.test(name)) : [];
        if (!tenantWide.length) continue;
        permissions.push({ ...fact, resources: ['user'], permissions: tenantWide });
        say(`delegated permission for another user's photo not stated; using the tenant-wide ${tenantWide.join(', ')}`);
      } else if (type === 'application') {
        permissions.push({ ...fact, resources: ['user'] });
        say(`application permissions act with no signed-in user: the row applies to any user's photo`);
      } else if (!fact.supported) {
        permissions.push({ ...fact, resources: ['user'] });
        say(`personal accounts: not supported for the signed-in user's photo, so not for another user's`);
      }
    }
  }
}
