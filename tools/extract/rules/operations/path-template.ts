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
  /** The collection the path goes through when it is not the resource's own: a team's photo through `/groups/{teamId}`. */
  route?: 'groups';
  /** Why the path has no resource and target: what the operations rule reports instead of an operation. */
  unclassified?: Unclassified;
}

/** Why a path is not one of the photo API's: no photo segment, an owner it does not know, or a tail after the owner it does not know. */
export interface Unclassified {
  why: 'not-photo-path' | 'unknown-owner' | 'unknown-target';
  /** The first name segment, as canonicalized (`team`, `Team` -> `team`). */
  collection: string;
  /** Whether a parameter follows that first segment. */
  keyed: boolean;
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
  teams: 'teams',
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
  teams: 'teamId',
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
  if (/(^|[_-]|[a-z])(id|Id|ID)$/.test(alternative) || alternative.toLowerCase() === 'id') return 'id';
  return camel(alternative) || 'value';
}

type Classified = { resource: Resource; target: Target; owner?: 'me' | 'user'; route?: 'groups' } | { unclassified: Unclassified };

/**
 * The photo API grammar: owner, optional contact, then photo / photos. `keys[k]` is the
 * normalized name of the parameter after names[k], if one follows.
 */
function classify(names: string[], keys: (string | undefined)[]): Classified {
  let i = 0;
  let owner: 'me' | 'user' | 'group' | 'team' | undefined;
  const at = (k: number) => names[k];
  const keyed = (k: number) => keys[k] !== undefined;
  const reject = (why: Unclassified['why']): Classified => ({ unclassified: { why, collection: names[0] ?? '', keyed: keyed(0) } });
  if (!names.some((n) => n === 'photo' || n === 'photos')) return reject('not-photo-path');
  let route: 'groups' | undefined;
  if (at(0) === 'me') {
    owner = 'me';
    i = 1;
  } else if (at(0) === 'users' && keyed(0)) {
    owner = 'user';
    i = 1;
  } else if (at(0) === 'groups' && keyed(0)) {
    // A team is a group: `/groups/{teamId}/photo` is a team's photo reached through its group.
    owner = keys[0] === 'teamId' ? 'team' : 'group';
    if (owner === 'team') route = 'groups';
    i = 1;
  } else if (at(0) === 'teams' && keyed(0)) {
    owner = 'team';
    i = 1;
  } else return reject('unknown-owner');
  let resource: Resource = owner;
  if ((owner === 'me' || owner === 'user') && at(i) === 'contacts' && keyed(i)) {
    resource = 'contact';
    i += 1;
  } else if ((owner === 'me' || owner === 'user') && at(i) === 'contactFolders' && keyed(i) && at(i + 1) === 'contacts' && keyed(i + 1)) {
    resource = 'contactInFolder';
    i += 2;
  }
  const tail = names.slice(i);
  const tailKeyed = (k: number) => keyed(i + k);
  let target: Target | undefined;
  if (tail.length === 1 && tail[0] === 'photo' && !tailKeyed(0)) target = 'metadata';
  else if (tail.length === 2 && tail[0] === 'photo' && !tailKeyed(0) && tail[1] === '$value') target = 'value';
  else if (tail.length === 1 && tail[0] === 'photos' && !tailKeyed(0)) target = 'photos';
  else if (tail.length === 1 && tail[0] === 'photos' && tailKeyed(0)) target = 'photoSize';
  else if (tail.length === 2 && tail[0] === 'photos' && tailKeyed(0) && tail[1] === '$value') target = 'photoSizeValue';
  if (!target) return reject('unknown-target');
  const contactOwner = resource === 'contact' || resource === 'contactInFolder' ? { owner: owner as 'me' | 'user' } : {};
  return { resource, target, ...contactOwner, ...(route ? { route } : {}) };
}

export function normalizePath(raw: string): {
  path: string;
  parameters: PathParameterFact[];
  resource?: Resource;
  target?: Target;
  owner?: 'me' | 'user';
  route?: 'groups';
  unclassified?: Unclassified;
} {
  const segments = segmentsOf(raw);
  const parts: string[] = [];
  const parameters: PathParameterFact[] = [];
  // names[k] is the k-th name segment; keys[k] the name of the parameter that follows it.
  const names: string[] = [];
  const keys: (string | undefined)[] = [];
  let previous: string | undefined;
  for (const segment of segments) {
    if (segment.kind === 'name') {
      const name = canonicalName(segment.name);
      parts.push(name);
      names.push(name);
      keys.push(undefined);
      previous = name;
      continue;
    }
    // `/groups/{teamId}`: a placeholder that names a team keeps the name, so the template says whose photo it is.
    const namesTeam = previous === 'groups' && !segment.literal && segment.alternatives.length === 1 && camel(segment.alternatives[0] ?? '').toLowerCase() === 'teamid';
    const fromCollection = namesTeam ? 'teamId' : previous ? (PARAM_BY_COLLECTION[previous] ?? `${singular(previous)}Id`) : undefined;
    let name = fromCollection ?? (camel(segment.alternatives[0] ?? 'id') || 'id');
    let n = 2;
    while (parameters.some((p) => p.name === name)) name = `${fromCollection ?? 'id'}${n++}`;
    const kinds = [...new Set(segment.alternatives.map((a) => kindOf(a, segment.literal)))];
    parameters.push({ name, kinds: kinds.length ? kinds : ['id'], original: segment.original });
    parts.push(`{${name}}`);
    if (keys.length) keys[keys.length - 1] = name;
    previous = undefined;
  }
  return { path: `/${parts.join('/')}`, parameters, ...classify(names, keys) };
}

/**
 * The same path with its first collection written as `collection` (`/team/{id}/photo` ->
 * `/teams/{id}/photo`), for a syntax block whose collection the examples spell otherwise.
 */
export function withCollection(originalPath: string, collection: string): string {
  return originalPath.replace(/^\/?[^/('{<]+/, `/${collection}`);
}

/** Singular and plural, any case, name the same collection: `team` and `Teams`. */
export function sameCollection(a: string, b: string): boolean {
  return singular(a.toLowerCase()) === singular(b.toLowerCase());
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

/** A line that has the shape of a request line (a word, then a URL or a path) but is not one the model can read. */
export interface RejectedLineAt {
  /** Index of the line within the block. */
  offset: number;
  raw: string;
  why: string;
}

// A request line starts a line of the block (see REQUEST_LINE): blocks without one, the JSON
// examples that make up most code, are passed over without being split into lines.
const MAY_HOLD_REQUEST = /^[^\S\n]*(?:GET|PUT|PATCH|POST|DELETE)[^\S\n]+\S/m;
// The shape of any request line, readable or not: a method-like word, then a URL or a path.
const MAY_HOLD_REQUEST_SHAPE = /^[^\S\n]*[A-Za-z]{3,10}[^\S\n]+(?:https?:\/\/|\/)/m;
const REQUEST_SHAPE = /^\s*([A-Za-z]{3,10})\s+(?:https?:\/\/|\/)/;
// Methods are written in capitals; a lower-case word before a path is code (`return /x/`), except
// the photo API's own methods written in another case.
const KNOWN_METHOD = new RegExp(`^(?:${METHOD_NAMES.join('|')})$`, 'i');

interface BlockLines {
  lines: readonly RequestLineAt[];
  rejected: readonly RejectedLineAt[];
}

// detect, operations, headers and responses all read a page's request lines, and a response
// example looks back at the requests before it: each block is read once, for as long as the
// page's tree lives.
const requestLinesByBlock = new WeakMap<Code, BlockLines>();

function whyNotARequest(raw: string): string | undefined {
  const shape = REQUEST_SHAPE.exec(raw);
  const word = shape?.[1];
  if (!word || (word !== word.toUpperCase() && !KNOWN_METHOD.test(word))) return undefined;
  if (!KNOWN_METHOD.test(word)) return `'${word}' is not a method of the photo API (${METHOD_NAMES.join(', ')})`;
  if (word !== word.toUpperCase()) return `method written '${word}', not in capitals`;
  return 'the path could not be read (white space or an unclosed placeholder in it?)';
}

function linesOf(code: Code): BlockLines {
  let entry = requestLinesByBlock.get(code);
  if (!entry) {
    const lines: RequestLineAt[] = [];
    const rejected: RejectedLineAt[] = [];
    if (MAY_HOLD_REQUEST.test(code.value) || MAY_HOLD_REQUEST_SHAPE.test(code.value)) {
      code.value.split('\n').forEach((raw, offset) => {
        const request = parseRequestLine(raw);
        if (request) {
          lines.push({ request, offset, raw: raw.trim() });
          return;
        }
        const why = whyNotARequest(raw);
        if (why) rejected.push({ offset, raw: raw.trim(), why });
      });
    }
    entry = { lines, rejected };
    requestLinesByBlock.set(code, entry);
  }
  return entry;
}

/** Every request line of a code block, in order. Shared between rules: do not change them. */
export function requestLinesIn(code: Code): readonly RequestLineAt[] {
  return linesOf(code).lines;
}

/** The lines of a code block that look like request lines but cannot be read as one, with the reason. */
export function rejectedRequestLinesIn(code: Code): readonly RejectedLineAt[] {
  return linesOf(code).rejected;
}

/** The request a code block opens with, on its first line that is not blank. */
export function openingRequest(code: Code): RequestLineAt | undefined {
  const [first] = requestLinesIn(code);
  return first && first.offset === firstContentLine(code.value)?.index ? first : undefined;
}

/**
 * `graph.beta.put.me.contact-in-folder.value`: from facts, never from headings or positions.
 * A path that reaches the resource through another collection gets a suffix naming it
 * (`graph.beta.put.team.value.via-groups` for `PUT /groups/{teamId}/photo/$value`): the same
 * resource and target as `/teams/{teamId}/photo/$value`, but another route the service must
 * answer on its own, so the two never share an id (nor requirements, nor tests).
 */
export function operationId(op: { api: Api; version: Version; method: Method; resource: Resource; target: Target; owner?: 'me' | 'user'; route?: string }): string {
  const kebab = (v: string) => v.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const owner = op.owner ? `${op.owner}.` : '';
  const route = op.route ? `.via-${kebab(op.route)}` : '';
  return `${op.api}.${op.version}.${op.method.toLowerCase()}.${owner}${kebab(op.resource)}.${kebab(op.target)}${route}`;
}
