/**
 * Photo metadata in each API's dialect, shaped like the pages' examples. Graph:
 * `@odata.context`, `@odata.id`, `@odata.mediaContentType`, `@odata.mediaEtag`, `id`, `width`,
 * `height` (the get pages' examples; the observed shape has no `@odata.id` and names the user
 * by id in the context). Outlook: `@odata.context`, `@odata.id`, `@odata.mediaContentType`,
 * `@odata.mediaEtag`, `Id`, `Width`, `Height`.
 */
import type { Api, Version } from '../spec/model.ts';
import { versionPrefix } from './routes.ts';

/** Whose photo, as the URL addressed it. */
export interface PhotoOwner {
  /** a team's photo is its group's; `team` when the URL addressed it through /teams */
  kind: 'user' | 'group' | 'team' | 'contact';
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
  /** fault graph-pascal-casing: Graph answers with Outlook's PascalCase property names */
  outlookCasingEverywhere?: boolean;
  omitContext?: boolean;
  omitOdataId?: boolean;
  /** fault metadata-dimensions-as-strings: Graph writes width and height as strings */
  dimensionsAsStrings?: boolean;
  /** Graph: the get pages' example shape, or the shape observed from the service */
  graphShape?: 'pageExamples' | 'observed';
}

/**
 * The Graph examples: context `#Me/photo/$entity` for /me, `#teams('{id}')/photo/$entity` for a
 * team; `@odata.id` names a user as `users('{user}@{tenant}')` (as Outlook does). Observed:
 * `#users('{id}')/photo/$entity`, no `@odata.id`.
 */
function graphEntityPath(owner: PhotoOwner, shape: 'pageExamples' | 'observed', forContext: boolean): string {
  if (owner.kind === 'team') return `teams('${owner.groupId}')`;
  if (owner.kind === 'group') return `groups('${owner.groupId}')`;
  if (shape === 'pageExamples' && forContext && owner.me) return 'Me';
  const user = shape === 'pageExamples' && !forContext ? `users('${owner.userId}@${owner.tenantId}')` : `users('${owner.userId}')`;
  return owner.kind === 'contact' ? `${user}/contacts('${owner.contactId}')` : user;
}

function outlookEntityPath(owner: PhotoOwner, forContext: boolean): string {
  // The page's examples: context `#Me/photo/$entity`, id `Users('{user}@{tenant}')/photo`.
  if (forContext && owner.me) return 'Me';
  if (owner.kind === 'group' || owner.kind === 'team') return `Groups('${owner.groupId}')`;
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
  } else {
    const shape = options.graphShape ?? 'pageExamples';
    if (!options.omitContext) out['@odata.context'] = `${root}/$metadata#${graphEntityPath(ctx.owner, shape, true)}/${ctx.entity === 'photo' ? 'photo' : 'photos'}/$entity`;
    if (shape === 'pageExamples' && !options.omitOdataId) out['@odata.id'] = `${root}/${graphEntityPath(ctx.owner, shape, false)}/${segment}`;
  }
  out['@odata.mediaContentType'] = view.contentType;
  out['@odata.mediaEtag'] = view.mediaEtag;
  const outlookCasing = ctx.api === 'outlook' ? !options.graphCasingEverywhere : Boolean(options.outlookCasingEverywhere);
  out[outlookCasing ? 'Id' : 'id'] = view.id;
  const asStrings = ctx.api === 'graph' && options.dimensionsAsStrings;
  out[outlookCasing ? 'Width' : 'width'] = asStrings ? String(view.width) : view.width;
  out[outlookCasing ? 'Height' : 'height'] = asStrings ? String(view.height) : view.height;
  return out;
}

/** The `photos` collection: one entry per available size. */
export function photoCollection(ctx: MetadataContext, views: PhotoView[], options: DialectOptions = {}): Record<string, unknown> {
  const root = `${ctx.baseUrl}${versionPrefix(ctx.api, ctx.version)}`;
  const entityPath = ctx.api === 'outlook' ? outlookEntityPath(ctx.owner, true) : graphEntityPath(ctx.owner, options.graphShape ?? 'pageExamples', true);
  const out: Record<string, unknown> = {};
  if (!options.omitContext) out['@odata.context'] = `${root}/$metadata#${entityPath}/photos`;
  out.value = views.map((view) => {
    const entry = photoMetadata({ ...ctx, entity: 'photos' }, view, { ...options, omitContext: true });
    return entry;
  });
  return out;
}
