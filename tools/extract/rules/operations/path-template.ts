/**
 * Request lines and path templates. The pages write one parameter in many ways
 * (`{id}`, `<id>`, `'{user_id}'`, `Users('{user_id}')`, `{id | userPrincipalName}`,
 * a concrete `photos('240x240')`); all become `/collection/{name}` with the name taken
 * from the collection (`users` -> `userId`) so a template never repeats a name, and the
 * kinds of value the placeholder allows (`id`, `userPrincipalName`, `size`).
 */
import type { Code } from 'mdast';
import type { Api, Method, Resource, Target, Version } from '../../../spec/model.ts';
import type { PathParameterFact } from '../../types.ts';

export const METHOD_NAMES = ['GET', 'PUT', 'PATCH', 'POST', 'DELETE'] as const;

export interface RequestLine {
  method: Method;
  /** The URL or path as written (query string included). */
  url: string;
  api?: Api;
  version?: Version;
  /** Path relative to the version root, as written, without the query string. */
  originalPath: string;
  path: string;
  parameters: PathParameterFact[];
  resource?: Resource;
  target?: Target;
  owner?: 'me' | 'user';
}

const REQUEST_LINE = /^\s*(GET|PUT|PATCH|POST|DELETE)\s+(\S.*?)\s*$/;

const VERSION_WORDS: Record<string, Version> = { 'v1.0': 'v1.0', beta: 'beta', 'v2.0': 'v2.0' };

/** Splits host and version root off a URL. */
function splitRoot(url: string): { api?: Api; version?: Version; rest: string } {
  const absolute = /^https?:\/\/([^/\s]+)(\/.*)?$/i.exec(url);
  let rest = url;
  let api: Api | undefined;
  if (absolute) {
    const host = (absolute[1] ?? '').toLowerCase();
    rest = absolute[2] ?? '/';
    if (host.startsWith('graph.microsoft') || host.endsWith('.graph.microsoft.com') || host === 'graph.microsoft.us') api = 'graph';
    else if (host.startsWith('outlook.office') || host.startsWith('outlook.live')) api = 'outlook';
  }
  // Outlook roots its versions under /api.
  const outlookRoot = /^\/api\/(v1\.0|v2\.0|beta)(?=\/|$)/i.exec(rest);
  if (outlookRoot) {
    return { api: api ?? 'outlook', version: VERSION_WORDS[(outlookRoot[1] ?? '').toLowerCase()], rest: rest.slice(outlookRoot[0].length) || '/' };
  }
  const graphRoot = /^\/(v1\.0|beta)(?=\/|$)/i.exec(rest);
  if (graphRoot) {
    return { api: api ?? 'graph', version: VERSION_WORDS[(graphRoot[1] ?? '').toLowerCase()], rest: rest.slice(graphRoot[0].length) || '/' };
  }
  return api ? { api, rest } : { rest };
}

type Segment = { kind: 'name'; name: string } | { kind: 'param'; original: string; alternatives: string[]; literal: boolean };

/** Splits on `/` outside braces, angle brackets, parentheses and quotes. */
function tokenize(path: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of path) {
    if (ch === '{' || ch === '<' || ch === '(') depth += 1;
    else if ((ch === '}' || ch === '>' || ch === ')') && depth > 0) depth -= 1;
    if (ch === '/' && depth === 0) {
      if (current) parts.push(current);
      current = '';
    } else current += ch;
  }
  if (current) parts.push(current);
  return parts;
}

function placeholder(raw: string): Segment {
  const value = raw.trim().replace(/^'(.*)'$/, '$1').trim();
  const inner = /^[{<](.*)[}>]$/.exec(value);
  if (inner) {
    const alternatives = (inner[1] ?? '')
      .split('|')
      .map((a) => a.trim())
      .filter(Boolean);
    return { kind: 'param', original: raw.trim(), alternatives, literal: false };
  }
  return { kind: 'param', original: raw.trim(), alternatives: [value], literal: true };
}

const CONCRETE_KEY = /^(\d+x\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[^/@\s]+@[^/@\s]+\.[a-z]{2,})$/i;

function segmentsOf(path: string): Segment[] {
  const out: Segment[] = [];
  for (const token of tokenize(path)) {
    const keyed = /^([^('{<]+)\((.*)\)$/.exec(token);
    if (keyed) {
      out.push({ kind: 'name', name: keyed[1] ?? '' });
      if ((keyed[2] ?? '').trim()) out.push(placeholder(keyed[2] ?? ''));
    } else if (/^'?[{<]/.test(token)) {
      out.push(placeholder(token));
    } else if (out.length && out[out.length - 1]?.kind === 'name' && CONCRETE_KEY.test(token)) {
      // A concrete key written as a segment (`photos/48x48`, `users/jane@contoso.com`).
      out.push(placeholder(token));
    } else {
      out.push({ kind: 'name', name: token });
    }
  }
  return out;
}

const CANONICAL_NAMES: Record<string, string> = {
  me: 'me',
  users: 'users',
  groups: 'groups',
  contacts: 'contacts',
  contactfolders: 'contactFolders',
  photo: 'photo',
  photos: 'photos',
  $value: '$value',
};

function canonicalName(name: string): string {
  return CANONICAL_NAMES[name.toLowerCase()] ?? name.charAt(0).toLowerCase() + name.slice(1);
}

const PARAM_BY_COLLECTION: Record<string, string> = {
  users: 'userId',
  groups: 'groupId',
  contacts: 'contactId',
  contactFolders: 'contactFolderId',
  photos: 'size',
};

function singular(collection: string): string {
  if (collection.endsWith('ies')) return `${collection.slice(0, -3)}y`;
  if (collection.endsWith('s')) return collection.slice(0, -1);
  return collection;
}

function camel(value: string): string {
  return value.replace(/[_-]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '');
}

function kindOf(alternative: string, literal: boolean): string {
  if (literal) return /^\d+x\d+$/i.test(alternative) ? 'size' : 'id';
  if (/principal/i.test(alternative)) return 'userPrincipalName';
  if (/size/i.test(alternative)) return 'size';
  if (/(^|_|[a-z])(id|Id|ID)$/.test(alternative) || alternative.toLowerCase() === 'id') return 'id';
  return camel(alternative) || 'value';
}

/** The photo API grammar: owner, optional contact, then photo / photos. */
function classify(names: string[], params: boolean[]): { resource?: Resource; target?: Target; owner?: 'me' | 'user' } {
  let i = 0;
  let owner: 'me' | 'user' | 'group' | undefined;
  const at = (k: number) => names[k];
  if (at(0) === 'me') {
    owner = 'me';
    i = 1;
  } else if (at(0) === 'users' && params[0]) {
    owner = 'user';
    i = 1;
  } else if (at(0) === 'groups' && params[0]) {
    owner = 'group';
    i = 1;
  } else return {};
  let resource: Resource = owner;
  if (owner !== 'group' && at(i) === 'contacts' && params[i]) {
    resource = 'contact';
    i += 1;
  } else if (owner !== 'group' && at(i) === 'contactFolders' && params[i] && at(i + 1) === 'contacts' && params[i + 1]) {
    resource = 'contactInFolder';
    i += 2;
  }
  const tail = names.slice(i);
  const tailParams = params.slice(i);
  let target: Target | undefined;
  if (tail.length === 1 && tail[0] === 'photo') target = 'metadata';
  else if (tail.length === 2 && tail[0] === 'photo' && tail[1] === '$value') target = 'value';
  else if (tail.length === 1 && tail[0] === 'photos' && !tailParams[0]) target = 'photos';
  else if (tail.length === 1 && tail[0] === 'photos' && tailParams[0]) target = 'photoSize';
  else if (tail.length === 2 && tail[0] === 'photos' && tailParams[0] && tail[1] === '$value') target = 'photoSizeValue';
  if (!target) return {};
  const contactOwner = resource === 'contact' || resource === 'contactInFolder' ? { owner: owner as 'me' | 'user' } : {};
  return { resource, target, ...contactOwner };
}

export function normalizePath(raw: string): { path: string; parameters: PathParameterFact[]; resource?: Resource; target?: Target; owner?: 'me' | 'user' } {
  const segments = segmentsOf(raw);
  const parts: string[] = [];
  const parameters: PathParameterFact[] = [];
  // names[k] is the k-th name segment; params[k] says whether a parameter follows it.
  const names: string[] = [];
  const params: boolean[] = [];
  let previous: string | undefined;
  for (const segment of segments) {
    if (segment.kind === 'name') {
      const name = canonicalName(segment.name);
      parts.push(name);
      names.push(name);
      params.push(false);
      previous = name;
      continue;
    }
    const fromCollection = previous ? (PARAM_BY_COLLECTION[previous] ?? `${singular(previous)}Id`) : undefined;
    let name = fromCollection ?? (camel(segment.alternatives[0] ?? 'id') || 'id');
    let n = 2;
    while (parameters.some((p) => p.name === name)) name = `${fromCollection ?? 'id'}${n++}`;
    const kinds = [...new Set(segment.alternatives.map((a) => kindOf(a, segment.literal)))];
    parameters.push({ name, kinds: kinds.length ? kinds : ['id'], original: segment.original });
    parts.push(`{${name}}`);
    if (params.length) params[params.length - 1] = true;
    previous = undefined;
  }
  return { path: `/${parts.join('/')}`, parameters, ...classify(names, params) };
}

/** The request a line states (`GET /me/photo/$value`), or undefined. */
export function parseRequestLine(line: string): RequestLine | undefined {
  const match = REQUEST_LINE.exec(line);
  if (!match) return undefined;
  const method = match[1] as Method;
  let url = (match[2] ?? '').replace(/\s+HTTP\/\d(?:\.\d)?$/i, '').trim();
  // Paths with a space outside a placeholder are prose, not a request line.
  if (!/^(https?:\/\/|\/|\{|<)/i.test(url)) {
    if (!/^[A-Za-z$][\w$]*(\(|\/)/.test(url)) return undefined;
    url = `/${url}`;
  }
  const { api, version, rest } = splitRoot(url);
  const withoutQuery = rest.replace(/\?.*$/, '');
  if (/\s/.test(withoutQuery.replace(/\{[^}]*\}|<[^>]*>|\([^)]*\)/g, ''))) return undefined;
  const originalPath = withoutQuery.startsWith('/') ? withoutQuery : `/${withoutQuery}`;
  const normalized = normalizePath(originalPath);
  return {
    method,
    url: match[2] ?? url,
    ...(api ? { api } : {}),
    ...(version ? { version } : {}),
    originalPath,
    ...normalized,
  };
}

/** The first line of `value` that holds more than white space, and its index. */
function firstContentLine(value: string): { index: number; text: string } | undefined {
  for (let index = 0, start = 0; start <= value.length; index++) {
    const newline = value.indexOf('\n', start);
    const end = newline < 0 ? value.length : newline;
    const text = value.slice(start, end);
    if (text.trim()) return { index, text };
    start = end + 1;
  }
  return undefined;
}

export interface RequestLineAt {
  request: Readonly<RequestLine>;
  /** Index of the line within the block. */
  offset: number;
  /** The line as written, trimmed. */
  raw: string;
}

// A request line starts a line of the block (see REQUEST_LINE): blocks without one, the JSON
// examples that make up most code, are passed over without being split into lines.
const MAY_HOLD_REQUEST = /^[^\S\n]*(?:GET|PUT|PATCH|POST|DELETE)[^\S\n]+\S/m;
// detect, operations, headers and responses all read a page's request lines, and a response
// example looks back at the requests before it: each block is read once, for as long as the
// page's tree lives.
const requestLinesByBlock = new WeakMap<Code, readonly RequestLineAt[]>();

/** Every request line of a code block, in order. Shared between rules: do not change them. */
export function requestLinesIn(code: Code): readonly RequestLineAt[] {
  let lines = requestLinesByBlock.get(code);
  if (!lines) {
    const found: RequestLineAt[] = [];
    if (MAY_HOLD_REQUEST.test(code.value)) {
      code.value.split('\n').forEach((raw, offset) => {
        const request = parseRequestLine(raw);
        if (request) found.push({ request, offset, raw: raw.trim() });
      });
    }
    lines = found;
    requestLinesByBlock.set(code, lines);
  }
  return lines;
}

/** The request a code block opens with, on its first line that is not blank. */
export function openingRequest(code: Code): RequestLineAt | undefined {
  const [first] = requestLinesIn(code);
  return first && first.offset === firstContentLine(code.value)?.index ? first : undefined;
}

/** `graph.beta.put.me.contact-in-folder.value`: from facts, never from headings or positions. */
export function operationId(op: { api: Api; version: Version; method: Method; resource: Resource; target: Target; owner?: 'me' | 'user' }): string {
  const kebab = (v: string) => v.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const owner = op.owner ? `${op.owner}.` : '';
  return `${op.api}.${op.version}.${op.method.toLowerCase()}.${owner}${kebab(op.resource)}.${kebab(op.target)}`;
}
