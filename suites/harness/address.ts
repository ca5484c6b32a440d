/**
 * Turning an operation's path template into a URL for one target. What a `{placeholder}`
 * stands for is read from the collection segment in front of it (`users/{x}`,
 * `Users('{x}')`, `contactfolders/{x}`, `photos('{x}')`), never from the name the extractor
 * gave it, so any page's spelling of a parameter works.
 */
import type { Api, Version } from '../../tools/spec/model.ts';

export type ParameterRole = 'user' | 'group' | 'team' | 'contact' | 'folder' | 'size';

const ROLE_BY_COLLECTION: Record<string, ParameterRole> = {
  users: 'user',
  groups: 'group',
  teams: 'team',
  contacts: 'contact',
  contactfolders: 'folder',
  photos: 'size',
};

export type AddressValues = Partial<Record<ParameterRole, string>>;

export class AddressError extends Error {
  override name = 'AddressError';
}

/** The roles a template needs, in path order. */
export function parameterRoles(template: string): ParameterRole[] {
  const roles: ParameterRole[] = [];
  forEachPlaceholder(template, (role) => {
    roles.push(role);
    return '';
  });
  return roles;
}

function forEachPlaceholder(template: string, replace: (role: ParameterRole, placeholder: string) => string): string {
  // A placeholder is `{...}` or `<...>`, possibly quoted inside an OData key: `Users('{id}')`.
  let seen = 0;
  const filled = template.replace(
    /([A-Za-z]+)(\/|\(')?([{<][^}>]*[}>])/g,
    (whole: string, collection: string, joiner: string | undefined, placeholder: string) => {
      const role = ROLE_BY_COLLECTION[collection.toLowerCase()];
      if (!role || joiner === undefined) throw new AddressError(`cannot tell what ${placeholder} in ${template} stands for`);
      seen += 1;
      return `${collection}${joiner}${replace(role, placeholder)}`;
    },
  );
  // A placeholder with no collection in front of it would otherwise reach the URL as is.
  const total = template.match(/[{<][^}>]*[}>]/g)?.length ?? 0;
  if (total !== seen) throw new AddressError(`cannot tell what every placeholder in ${template} stands for`);
  return filled;
}

/** Path segment encoding that keeps `@` readable, as clients send UPNs. */
const encodeSegment = (value: string) => encodeURIComponent(value).replace(/%40/g, '@');

export function fillTemplate(template: string, values: AddressValues): string {
  return forEachPlaceholder(template, (role, placeholder) => {
    const value = values[role];
    if (value === undefined) throw new AddressError(`no ${role} to put in ${placeholder} of ${template}`);
    return encodeSegment(value);
  });
}

/** Where each API's versions live on a target: Graph `{root}/v1.0`, Outlook `{root}/v2.0`. */
export type ApiRoots = Record<Api, string>;

export function operationUrl(roots: ApiRoots, api: Api, version: Version, template: string, values: AddressValues): string {
  const root = roots[api].replace(/\/+$/, '');
  const path = fillTemplate(template, values);
  return `${root}/${version}${path.startsWith('/') ? '' : '/'}${path}`;
}
