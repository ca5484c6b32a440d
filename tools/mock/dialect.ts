/**
 * Photo metadata in each API's dialect, shaped like the pages' examples. Graph:
 * `@odata.context`, `@odata.mediaContentType`, `@odata.mediaEtag`, `id`, `width`, `height`.
 * Outlook: `@odata.context`, `@odata.id`, `@odata.mediaContentType`, `@odata.mediaEtag`,
 * `Id`, `Width`, `Height`.
 */
import type { Api, Version } from '../spec/model.ts';
import { versionPrefix } from './routes.ts';

/** Whose photo, as the URL addressed it. */
export interface PhotoOwner {
  kind: 'user' | 'group' | 'contact';
  tenantId: string;
  /** addressed as /me */
  me: boolean;
  userId?: string;
  groupId?: string;
  contactId?: string;
}

export interface PhotoView {
  id: string;
  width: number;
  height: number;
  contentType: string;
  /** the @odata.mediaEtag value: `"XXXXXXXX"` with quotes, or '' for the placeholder */
  mediaEtag: string;
}

export interface DialectOptions {
  /** fault wrong-dialect-casing: Outlook answers with Graph's lower-case property names */
  graphCasingEverywhere?: boolean;
  omitContext?: boolean;
  omitOdataId?: boolean;
}

function graphEntityPath(owner: PhotoOwner): string {
  if (owner.kind === 'group') return `groups('${owner.groupId}')`;
  if (owner.kind === 'contact') return `users('${owner.userId}')/contacts('${owner.contactId}')`;
  return `users('${owner.userId}')`;
}

function outlookEntityPath(owner: PhotoOwner, forContext: boolean): string {
  // The page's examples: context `#Me/photo/$entity`, id `Users('{user}@{tenant}')/photo`.
  if (forContext && owner.me) return 'Me';
  if (owner.kind === 'group') return `Groups('${owner.groupId}')`;
  const user = `Users('${owner.userId}@${owner.tenantId}')`;
  return owner.kind === 'contact' ? `${user}/Contacts('${owner.contactId}')` : user;
}

export interface MetadataContext {
  api: Api;
  version: Version;
  baseUrl: string;
  owner: PhotoOwner;
  /** which entity: the photo, or one size of the photos collection */
  entity: 'photo' | 'photos';
}

export function photoMetadata(ctx: MetadataContext, view: PhotoView, options: DialectOptions = {}): Record<string, unknown> {
  const root = `${ctx.baseUrl}${versionPrefix(ctx.api, ctx.version)}`;
  // The page's example for photos('240x240') names the photo entity (`.../photo`) in @odata.id.
  const segment = ctx.entity === 'photo' ? 'photo' : `photos('${view.id}')`;
  const out: Record<string, unknown> = {};
  if (ctx.api === 'outlook') {
    if (!options.omitContext) out['@odata.context'] = `${root}/$metadata#${outlookEntityPath(ctx.owner, true)}/${ctx.entity === 'photo' ? 'photo/$entity' : 'photos/$entity'}`;
    if (!options.omitOdataId) out['@odata.id'] = `${root}/${outlookEntityPath(ctx.owner, false)}/${segment}`;
  } else if (!options.omitContext) {
    out['@odata.context'] = `${root}/$metadata#${graphEntityPath(ctx.owner)}/${ctx.entity === 'photo' ? 'photo' : 'photos'}/$entity`;
  }
  out['@odata.mediaContentType'] = view.contentType;
  out['@odata.mediaEtag'] = view.mediaEtag;
  const outlookCasing = ctx.api === 'outlook' && !options.graphCasingEverywhere;
  out[outlookCasing ? 'Id' : 'id'] = view.id;
  out[outlookCasing ? 'Width' : 'width'] = view.width;
  out[outlookCasing ? 'Height' : 'height'] = view.height;
  return out;
}

/** The `photos` collection: one entry per available size. */
export function photoCollection(ctx: MetadataContext, views: PhotoView[], options: DialectOptions = {}): Record<string, unknown> {
  const root = `${ctx.baseUrl}${versionPrefix(ctx.api, ctx.version)}`;
  const entityPath = ctx.api === 'outlook' ? outlookEntityPath(ctx.owner, true) : graphEntityPath(ctx.owner);
  const out: Record<string, unknown> = {};
  if (!options.omitContext) out['@odata.context'] = `${root}/$metadata#${entityPath}/photos`;
  out.value = views.map((view) => {
    const entry = photoMetadata({ ...ctx, entity: 'photos' }, view, { ...options, omitContext: true });
    return entry;
  });
  return out;
}
