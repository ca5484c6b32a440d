/**
 * Example values of path parameters, which tools such as Dredd need to send a request at all
 * ("Required URI parameter 'groupId' has no example").
 *
 * - From the pages: a path an example wrote with a real value (`/teams/172b0cce-…/photo/$value`,
 *   `/me/photos/48x48/$value`), found in the `originalPaths` of any operation of the same API
 *   with a parameter of that name, or a parameter the pages wrote as a value (`48x48`).
 * - Otherwise a value of the parameter's kind that names nothing (the nil GUID for an id, the
 *   first predefined size), marked as such: no page gives one.
 * - From a tenant description (`export openapi --tenant FILE`): objects of that tenant, so
 *   that a tool's requests reach photos that exist: the first user with a mailbox and a photo,
 *   a group and a team with a photo, and that user's contacts with a photo, in a folder or not.
 */
import type { Static } from '@sinclair/typebox';
import type { Operation, PathParameter, Spec } from '../spec/model.ts';
import type { TenantFixture } from '../tenant/model.ts';

type PathParameterSpec = Static<typeof PathParameter>;

export type ExampleSource = 'pages' | 'kind' | 'tenant';

export interface ParameterExample {
  value: string;
  source: ExampleSource;
  /** for `pages`: the path the pages wrote it in */
  writtenIn?: string;
}

/** An id of the right form that names no object. */
export const NIL_ID = '00000000-0000-0000-0000-000000000000';

const isTemplateSegment = (segment: string) => /[{<]/.test(segment);

/** `/Users('x')/photos('48x48')` as `/Users/x/photos/48x48`, segment by segment. */
const segmentsOf = (path: string) =>
  path
    .replace(/^https?:\/\/[^/]+/i, '')
    .replace(/\('([^']*)'\)|\(([^)']*)\)/g, (_, quoted?: string, bare?: string) => `/${quoted ?? bare ?? ''}`)
    .split('/')
    .filter(Boolean);

/** The value a concrete written path gives the parameter `name` of the template `path`, if they align. */
export function valueIn(template: string, written: string, name: string): string | undefined {
  const t = segmentsOf(template);
  const w = segmentsOf(written);
  if (t.length !== w.length) return undefined;
  let found: string | undefined;
  for (let i = 0; i < t.length; i++) {
    const slot = /^\{([^}]+)\}$/.exec(t[i]!)?.[1];
    if (slot === undefined) {
      if (t[i]!.toLowerCase() !== w[i]!.toLowerCase()) return undefined;
    } else if (slot === name) {
      if (isTemplateSegment(w[i]!)) return undefined;
      found = decodeURIComponent(w[i]!);
    }
  }
  return found;
}

/** What the pages give for a parameter: a value written in the parameter's own place, or in an example path. */
export function pageExample(spec: Spec, op: Operation, p: PathParameterSpec): ParameterExample | undefined {
  const original = p.original.replace(/^'|'$/g, '');
  if (!isTemplateSegment(original) && original) return { value: original, source: 'pages' };
  // The operation's own paths first, then the others' by id: the same answer whatever order the spec lists them in.
  const others = spec.operations.filter((o) => o !== op && o.api === op.api && o.parameters.some((q) => q.name === p.name));
  const candidates = [op, ...others.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))];
  for (const o of candidates) {
    for (const written of [...o.originalPaths].sort()) {
      const value = valueIn(o.path, written, p.name);
      if (value !== undefined) return { value, source: 'pages', writtenIn: written };
    }
  }
  return undefined;
}

export function kindExample(spec: Spec, p: PathParameterSpec): ParameterExample {
  if (p.kinds.includes('size') && spec.sizeVariants?.predefined.length) return { value: spec.sizeVariants.predefined[0]!, source: 'kind' };
  return { value: NIL_ID, source: 'kind' };
}

/** The objects of a tenant a tool's requests should address: each has a photo. */
export interface TenantExamples {
  userId?: string;
  groupId?: string;
  teamId?: string;
  contactId?: string;
  contactFolderId?: string;
  contactInFolderId?: string;
}

export function tenantExamples(fixture: TenantFixture): TenantExamples {
  const tenant = fixture.tenants.find((t) => t.kind !== 'b2c') ?? fixture.tenants[0]!;
  const users = tenant.users.filter((u) => u.kind === 'work' && u.mailbox && u.photo);
  const user = users.find((u) => (u.contacts ?? []).some((c) => c.photo)) ?? users[0];
  const contacts = (user?.contacts ?? []).filter((c) => c.photo);
  const inFolder = contacts.find((c) => c.folder);
  return {
    userId: user?.id,
    groupId: tenant.groups.find((g) => !g.team && g.photo)?.id,
    teamId: tenant.groups.find((g) => g.team && g.photo && !(g.resourceSpecificGrants ?? []).length)?.id ?? tenant.groups.find((g) => g.team && g.photo)?.id,
    contactId: contacts.find((c) => !c.folder)?.id,
    contactFolderId: inFolder?.folder,
    contactInFolderId: inFolder?.id,
  };
}

/** The tenant's object for a parameter of an operation, by what the parameter names there. */
export function tenantExample(examples: TenantExamples, op: Operation, p: PathParameterSpec): ParameterExample | undefined {
  const value =
    p.name === 'contactId'
      ? op.resource === 'contactInFolder'
        ? examples.contactInFolderId
        : examples.contactId
      : (examples as Record<string, string | undefined>)[p.name];
  return value === undefined ? undefined : { value, source: 'tenant' };
}
