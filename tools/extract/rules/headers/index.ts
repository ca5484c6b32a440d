/**
 * headers: the request-headers table (found by its anchor, or by a row whose value is a
 * bearer token when the page has no anchors), and headers written in request examples.
 * Machine translation renames headers ("Autorisierung", "Inhaltstyp"), so a name that is
 * not a header token is read from the lexicon, then from the value's shape.
 */
import type { Table } from 'mdast';
import type { HeaderFact } from '../../types.ts';
import { lexicon, mentions } from '../lexicon.ts';
import { openingRequest } from '../operations/path-template.ts';
import type { RuleContext, RuleFactory, RuleMessage } from '../rule.ts';
import { englishOf, locOf, pageScope, quoteOf, scopeForBlock } from '../rule.ts';

const ACCESS_TOKEN = /(include|send|provide|need)[^.]{0,40}(valid )?access token|アクセス トークンを(含め|指定)|Zugriffstoken|jeton d'accès|token de acceso|token de acesso|токен доступа|访问令牌|액세스 토큰/i;
import { rowsOf, type Cell } from '../table.ts';

export const HEADERS_RULE_ID = 'headers';

const LOCALIZED_NAMES: [RegExp, string][] = [
  [/^(authori[sz]ation|autorisierung|autorización|autorização|autorizzazione|авторизация|承認|認証|授权|身份验证|권한 부여)$/i, 'Authorization'],
  [/^(content-?type|inhaltstyp|type de contenu|tipo de contenido|tipo de conteúdo|tipo di contenuto|тип содержимого|コンテンツの種類|内容类型|콘텐츠 형식)$/i, 'Content-Type'],
];

const HEADER_TOKEN = /^[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)*$/;

function canonicalHeader(name: string): string {
  return name
    .split('-')
    .map((part) => (part.toLowerCase() === 'id' ? 'ID' : part.charAt(0).toUpperCase() + part.slice(1).toLowerCase()))
    .join('-')
    .replace(/^Etag$/, 'ETag');
}

function headerValue(text: string): string | undefined {
  const bearer = /bearer\s*[{<]\s*([\w ]+?)\s*[}>]/i.exec(text);
  if (bearer) return `Bearer {${(bearer[1] ?? 'token').trim()}}`;
  const media = /\b((?:image|application|text|multipart|audio|video)\/[a-z0-9.+*-]+)/i.exec(text) ?? /\b([a-z]+\/[a-z0-9.+*-]+)/i.exec(text);
  if (media?.[1]) return media[1].toLowerCase().replace(/[.]+$/, '');
  return undefined;
}

export function headerName(cell: { text: string; en?: string }, value: string | undefined): string | undefined {
  for (const candidate of [cell.en, cell.text]) {
    const name = candidate?.trim().replace(/`/g, '');
    if (!name) continue;
    for (const [re, canonical] of LOCALIZED_NAMES) if (re.test(name)) return canonical;
    if (HEADER_TOKEN.test(name) && (name.includes('-') || /^(authorization|prefer|accept|if-match|if-none-match|consistencylevel)$/i.test(name))) {
      return canonicalHeader(name);
    }
  }
  if (value?.startsWith('Bearer')) return 'Authorization';
  return undefined;
}

function looksLikeHeaderTable(rows: readonly (readonly Cell[])[]): boolean {
  return rows.slice(1).some((row) => /bearer\s*[{<]/i.test(`${row[1]?.text ?? ''} ${row[1]?.en ?? ''}`));
}

function fromTable(context: RuleContext, table: Table, blockIndex: number, out: HeaderFact[], messages: RuleMessage[]): void {
  const rows = rowsOf(table);
  for (const row of rows.slice(1)) {
    const [nameCell, valueCell] = row;
    if (!nameCell || !valueCell) continue;
    const english = englishOf(valueCell);
    const value = headerValue(english) ?? headerValue(valueCell.text);
    const name = headerName(nameCell, value);
    if (!name) {
      messages.push({ line: nameCell.line, column: nameCell.column, severity: 'warning', message: `request header name '${nameCell.text}' not recognized` });
      continue;
    }
    const required = mentions('required', valueCell.text, valueCell.en) && !mentions('optional', valueCell.text, valueCell.en);
    out.push({
      name,
      required,
      ...(value && (name === 'Authorization' || name === 'Content-Type') ? { value } : {}),
      scope: scopeForBlock(context, blockIndex),
      at: { line: valueCell.line, column: valueCell.column, quote: quoteOf(context.detection, { text: `${nameCell.text}: ${valueCell.text}`, ...(valueCell.en !== undefined ? { en: `${nameCell.en ?? nameCell.text}: ${valueCell.en}` } : {}) }) },
    });
  }
}

export const headersRule: RuleFactory = () => ({
  id: HEADERS_RULE_ID,
  run(context) {
    const headers: HeaderFact[] = [];
    const messages: RuleMessage[] = [];
    for (const block of context.view.blocks) {
      if (block.node.type !== 'table') continue;
      const rows = rowsOf(block.node);
      if (block.sectionKey.startsWith('request-header') || looksLikeHeaderTable(rows)) fromTable(context, block.node, block.index, headers, messages);
    }
    // Headers written in request examples: stated values, but not stated as required.
    for (const code of context.view.codeBlocks) {
      const opening = openingRequest(code.node);
      if (!opening) continue;
      const { request, offset: first } = opening;
      const lines = code.node.value.split('\n');
      const line0 = (code.node.position?.start.line ?? 1) + 1;
      const fromBlock = scopeForBlock(context, code.block);
      for (let i = first + 1; i < lines.length; i++) {
        const raw = lines[i] ?? '';
        if (!raw.trim()) break;
        const match = /^([A-Za-z][A-Za-z0-9-]*)\s*:\s*(.+)$/.exec(raw.trim());
        if (!match?.[1]) break;
        const name = canonicalHeader(match[1]);
        const value = (match[2] ?? '').trim();
        if (name === 'Content-Type' && (request.method === 'GET' || request.method === 'DELETE')) {
          // A request without a body has no content type: a sample that shows one is a slip of the page.
          messages.push({ line: line0 + i, column: 1, severity: 'info', message: `Content-Type on a ${request.method} request example ignored (the request has no body)` });
          continue;
        }
        headers.push({
          name,
          required: false,
          value: name === 'Content-Type' ? value.toLowerCase() : value,
          scope: {
            ...fromBlock,
            api: request.api ?? fromBlock.api,
            versions: request.version ? [request.version] : fromBlock.versions,
            methods: [request.method],
            targets: request.target ? [request.target] : [],
          },
          at: { line: line0 + i, column: 1, quote: { text: raw.trim(), lang: 'en', en: raw.trim() } },
        });
      }
    }
    // Pages without a headers table (the Outlook reference) say it in prose: "include a valid access token".
    if (!headers.some((h) => h.name === 'Authorization')) {
      const sentence = context.view.sentences.find((s) => ACCESS_TOKEN.test(s.en ?? s.text) || ACCESS_TOKEN.test(s.text));
      if (sentence) {
        headers.push({ name: 'Authorization', required: true, scope: pageScope(context.detection.api, context.detection.versions), at: locOf(context.detection, sentence) });
      }
    }
    if (!headers.some((h) => h.name === 'Authorization') && context.facts.operations.some((op) => op.resource)) {
      messages.push({ line: 1, column: 1, severity: 'warning', message: 'no Authorization request header stated' });
    }
    return { facts: { headers }, messages };
  },
});

export { lexicon };
