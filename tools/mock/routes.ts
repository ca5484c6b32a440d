/**
 * Routes come from the spec: every operation's path template is compiled into a matcher,
 * grouped by API and version. A path is read structurally, so `users/{id}`, `Users('{id}')`
 * and `users('{id}')` are one shape, `photos/48x48` and `photos('48x48')` are one shape, and
 * `%24value` is `$value`. What each captured value means (user, group, contact, folder,
 * size, team) comes from the collection segment in front of it, not from a name the extractor chose.
 */
import type { Api, Method, Operation, Spec, Version } from '../spec/model.ts';

export type Role = 'user' | 'group' | 'team' | 'contact' | 'folder' | 'size';
const ROLE_BY_COLLECTION: Record<string, Role> = {
  users: 'user',
  groups: 'group',
  teams: 'team',
  // The team sections' syntax blocks write `/team/{id}`; a spec that kept that form still routes.
  team: 'team',
  contacts: 'contact',
  contactfolders: 'folder',
  photos: 'size',
};

type TemplateSegment = { literal: string } | { param: string; role: Role | undefined };

export interface CompiledRoute {
  operation: Operation;
  segments: TemplateSegment[];
}

export interface Captures {
  me: boolean;
  user?: string;
  group?: string;
  team?: string;
  contact?: string;
  folder?: string;
  size?: string;
}

/** `Users('abc')` -> ['Users', 'abc']; `photos(48x48)` -> ['photos', '48x48']. */
function splitKeySegment(segment: string): string[] {
  const m = /^([^()]+)\((.*)\)$/.exec(segment);
  if (!m) return [segment];
  let key = m[2] ?? '';
  if (key.length >= 2 && key.startsWith("'") && key.endsWith("'")) key = key.slice(1, -1);
  return [m[1] ?? '', key];
}

export function splitPath(path: string): string[] {
  return path
    .split('/')
    .filter((s) => s.length > 0)
    .flatMap(splitKeySegment);
}

const isPlaceholder = (s: string) => /^\{.*\}$/.test(s) || /^<.*>$/.test(s);

export function compileTemplate(path: string): TemplateSegment[] {
  const parts = splitPath(path);
  return parts.map((part, i) => {
    if (isPlaceholder(part)) {
      const previous = parts[i - 1]?.toLowerCase() ?? '';
      return { param: part.replace(/^[{<]\s*|\s*[}>]$/g, ''), role: ROLE_BY_COLLECTION[previous] };
    }
    return { literal: part.toLowerCase() };
  });
}

/** Decodes each segment on its own, so an encoded `/` inside an id stays inside it. */
export function requestSegments(rawPath: string): string[] | undefined {
  const out: string[] = [];
  for (const raw of rawPath.split('/')) {
    if (raw.length === 0) continue;
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    out.push(...splitKeySegment(decoded));
  }
  return out;
}

export function matchTemplate(segments: TemplateSegment[], request: string[]): Captures | undefined {
  if (segments.length !== request.length) return undefined;
  const captures: Captures = { me: false };
  for (let i = 0; i < segments.length; i++) {
    const t = segments[i]!;
    const value = request[i]!;
    if ('literal' in t) {
      if (t.literal !== value.toLowerCase()) return undefined;
      if (t.literal === 'me' && i === 0) captures.me = true;
    } else {
      // A key is never an OData system segment: `photos/$value` is not the size `$value`.
      if (value.length === 0 || value.startsWith('$')) return undefined;
      if (t.role) captures[t.role] = value;
    }
  }
  return captures;
}

export interface VersionRoot {
  api: Api;
  version: Version;
  /** path segments after the version root */
  rest: string[];
}

/** Graph: `/v1.0/...`, `/beta/...`; Outlook: `/api/v2.0/...`, `/api/beta/...`. */
export function versionRoot(segments: string[]): VersionRoot | undefined {
  const [first, second, ...rest] = segments;
  if (first === undefined) return undefined;
  if (first.toLowerCase() === 'api' && second !== undefined) {
    return { api: 'outlook', version: second.toLowerCase() as Version, rest };
  }
  return { api: 'graph', version: first.toLowerCase() as Version, rest: second === undefined ? [] : [second, ...rest] };
}

export function versionPrefix(api: Api, version: Version): string {
  return api === 'outlook' ? `/api/${version}` : `/${version}`;
}

export interface RouteTable {
  routes: Map<string, CompiledRoute[]>;
  operations: Operation[];
}

const routeKey = (api: Api, version: string) => `${api} ${version}`;

export function buildRouteTable(operations: Operation[]): RouteTable {
  const routes = new Map<string, CompiledRoute[]>();
  for (const operation of operations) {
    const key = routeKey(operation.api, operation.version);
    const list = routes.get(key) ?? [];
    list.push({ operation, segments: compileTemplate(operation.path) });
    routes.set(key, list);
  }
  return { routes, operations };
}

export interface PathMatch {
  /** every operation whose path matches, any method */
  candidates: { route: CompiledRoute; captures: Captures }[];
}

export function matchPath(table: RouteTable, root: VersionRoot): PathMatch {
  const candidates: PathMatch['candidates'] = [];
  for (const route of table.routes.get(routeKey(root.api, root.version)) ?? []) {
    const captures = matchTemplate(route.segments, root.rest);
    if (captures) candidates.push({ route, captures });
  }
  return { candidates };
}

export function knownVersions(table: RouteTable): Set<string> {
  return new Set(table.routes.keys());
}

/**
 * The methods a path allows: the methods of the operations listed for it, where a write
 * method must also be in the spec's per-version method rule for that target when the spec
 * has one (the rule is what the pages say about "only PUT" or "PATCH or PUT").
 */
export function allowedMethods(spec: Spec, match: PathMatch): Method[] {
  const allowed = new Set<Method>();
  for (const { route } of match.candidates) {
    const op = route.operation;
    if (op.method !== 'GET') {
      const rule = spec.methods.find((r) => r.api === op.api && r.version === op.version && r.target === op.target);
      if (rule && !rule.allowed.includes(op.method)) continue;
    }
    allowed.add(op.method);
  }
  return [...allowed].sort();
}
