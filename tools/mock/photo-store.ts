/**
 * The photo store. A photo is one immutable record (original bytes, the served image, the
 * size variants, the ETag) built completely before it is swapped into the map in one
 * assignment, so a reader that took a record never sees new metadata with old bytes.
 * Reset swaps the map back to the seed records, which are built once per server.
 */
import { randomBytes } from 'node:crypto';
import sharp, { type Metadata } from 'sharp';
import type { Tenant, Photo } from '../tenant/model.ts';

export type StoreKind = 'mailbox' | 'directory';

export interface StoredImage {
  readonly bytes: Buffer;
  readonly width: number;
  readonly height: number;
  readonly contentType: string;
}

export interface PhotoRecord {
  /** 8 upper-case hex digits, without quotes */
  readonly etag: string;
  readonly store: StoreKind;
  /** as uploaded */
  readonly original: StoredImage & { readonly format: string };
  /** what `/photo` and `/photo/$value` serve */
  readonly primary: StoredImage;
  /** 'WxH' (lower case) -> image, the sizes `/photos` lists */
  readonly sizes: ReadonlyMap<string, StoredImage>;
  readonly updatedAt: string;
}

/** How variants are made. The conformant policy is the default; faults change one field each. */
export interface VariantPolicy {
  /** square sizes from the spec's sizeVariants.predefined, ascending */
  predefined: readonly number[];
  /** pad a non-square photo into the square (the pages) or crop it (fault) */
  fit: 'contain' | 'cover';
  /** fault: also make the largest predefined size when the upload is smaller */
  leakLargest: boolean;
  /** fault: leave out the smallest predefined size */
  dropSmallest: boolean;
  /** fault: store the original bytes under each size label instead of resizing */
  skipResize: boolean;
  /** the live profile: the served photo is the stored original ("id: default"), not the largest size */
  primaryIsOriginal: boolean;
}

export class ImageRejected extends Error {
  constructor(
    message: string,
    readonly format?: string,
  ) {
    super(message);
  }
}

export const sizeKey = (width: number, height: number) => `${width}x${height}`;

export function parsePredefined(sizes: readonly string[]): number[] {
  return sizes
    .map((s) => /^(\d+)x(\d+)$/i.exec(s))
    .filter((m): m is RegExpExecArray => m !== null && m[1] === m[2])
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

export function newEtag(previous?: string): string {
  for (;;) {
    const etag = randomBytes(4).toString('hex').toUpperCase();
    if (etag !== previous) return etag;
  }
}

const JPEG = 'image/jpeg';
const WHITE = { r: 255, g: 255, b: 255, alpha: 1 };

/**
 * Decodes the upload (any failure, including a truncated file, is an ImageRejected) and
 * builds the record. Mailbox: the predefined square sizes at or below the smaller side,
 * padded. Directory: the original dimensions kept, as a JPEG.
 */
export async function buildPhotoRecord(
  bytes: Buffer,
  store: StoreKind,
  policy: VariantPolicy,
  previousEtag?: string,
): Promise<PhotoRecord> {
  const input = () => sharp(bytes, { failOn: 'truncated' });
  let meta: Metadata;
  try {
    meta = await input().metadata();
  } catch (error) {
    throw new ImageRejected(`not a decodable image: ${(error as Error).message}`);
  }
  const width = meta.autoOrient?.width ?? meta.width;
  const height = meta.autoOrient?.height ?? meta.height;
  const format = meta.format ?? 'unknown';
  if (!width || !height) throw new ImageRejected('image has no dimensions', format);
  const original = { bytes, width, height, contentType: `image/${format}`, format };

  try {
    const sizes = new Map<string, StoredImage>();
    let primary: StoredImage;
    if (store === 'directory') {
      // The directory keeps any dimension; the bytes are served as a JPEG.
      const jpeg =
        format === 'jpeg'
          ? (await input().resize(1, 1).raw().toBuffer(), bytes) // full decode catches truncation
          : await input().rotate().flatten({ background: WHITE }).jpeg().toBuffer();
      primary = { bytes: jpeg, width, height, contentType: JPEG };
      sizes.set(sizeKey(width, height), primary);
    } else {
      const smaller = Math.min(width, height);
      let chosen = policy.predefined.filter((s) => s <= smaller);
      const largest = policy.predefined[policy.predefined.length - 1];
      if (policy.leakLargest && largest !== undefined && !chosen.includes(largest)) chosen = [...chosen, largest];
      if (policy.dropSmallest) chosen = chosen.filter((s) => s !== policy.predefined[0]);
      // Decode once: the largest size is made from the upload (padded or cropped into the
      // square), every smaller size from its pixels, square to square.
      const top = chosen[chosen.length - 1];
      const square =
        top === undefined || policy.skipResize
          ? undefined
          : await input()
              .rotate()
              .resize(top, top, { fit: policy.fit, background: WHITE })
              .flatten({ background: WHITE })
              .raw()
              .toBuffer({ resolveWithObject: true });
      const variants = await Promise.all(
        chosen.map(async (s): Promise<StoredImage> => {
          if (!square) return { bytes, width: s, height: s, contentType: JPEG };
          const out = await sharp(square.data, { raw: square.info }).resize(s, s).jpeg({ quality: 85 }).toBuffer();
          return { bytes: out, width: s, height: s, contentType: JPEG };
        }),
      );
      if (variants.length === 0) await input().resize(1, 1).raw().toBuffer();
      for (const v of variants) sizes.set(sizeKey(v.width, v.height), v);
      const biggest = variants[variants.length - 1];
      primary =
        policy.primaryIsOriginal || !biggest
          ? format === 'jpeg'
            ? { bytes, width, height, contentType: JPEG }
            : { bytes: await input().rotate().flatten({ background: WHITE }).jpeg().toBuffer(), width, height, contentType: JPEG }
          : biggest;
    }
    return Object.freeze({
      etag: newEtag(previousEtag),
      store,
      original: Object.freeze(original),
      primary: Object.freeze(primary),
      sizes,
      updatedAt: new Date().toISOString(),
    });
  } catch (error) {
    if (error instanceof ImageRejected) throw error;
    throw new ImageRejected(`not a decodable image: ${(error as Error).message}`, format);
  }
}

export const photoKey = {
  user: (tenantId: string, userId: string) => `${tenantId}|user|${userId}`.toLowerCase(),
  group: (tenantId: string, groupId: string) => `${tenantId}|group|${groupId}`.toLowerCase(),
  contact: (tenantId: string, userId: string, contactId: string) =>
    `${tenantId}|contact|${userId}|${contactId}`.toLowerCase(),
  /** only under the team-photo-apart fault: a team's photo kept apart from its group's */
  teamApart: (tenantId: string, groupId: string) => `${tenantId}|team|${groupId}`.toLowerCase(),
};

/** A seed photo from the fixture: a solid colour JPEG of the given size. */
export async function seedImage(photo: Photo): Promise<Buffer> {
  return sharp({ create: { width: photo.width, height: photo.height, channels: 3, background: photo.color ?? '#808080' } })
    .jpeg()
    .toBuffer();
}

export async function buildSeedRecords(tenants: readonly Tenant[], policy: VariantPolicy): Promise<Map<string, PhotoRecord>> {
  const jobs: Promise<[string, PhotoRecord]>[] = [];
  const add = (key: string, photo: Photo | undefined, store: StoreKind) => {
    if (photo) jobs.push(seedImage(photo).then(async (bytes) => [key, await buildPhotoRecord(bytes, store, policy)]));
  };
  for (const tenant of tenants) {
    for (const user of tenant.users) {
      add(photoKey.user(tenant.id, user.id), user.photo, user.mailbox ? 'mailbox' : 'directory');
      for (const contact of user.contacts ?? []) add(photoKey.contact(tenant.id, user.id, contact.id), contact.photo, 'mailbox');
    }
    for (const group of tenant.groups) add(photoKey.group(tenant.id, group.id), group.photo, 'mailbox');
  }
  return new Map(await Promise.all(jobs));
}

export class PhotoStore {
  private records: Map<string, PhotoRecord>;

  constructor(private readonly seeds: ReadonlyMap<string, PhotoRecord>) {
    this.records = new Map(seeds);
  }

  /**
   * The map a request works on. A write captures it when it starts, so an upload that
   * finishes after a reset lands in the discarded map, not in the fresh one.
   */
  current(): Map<string, PhotoRecord> {
    return this.records;
  }

  get(key: string): PhotoRecord | undefined {
    return this.records.get(key);
  }

  /** The record a key was seeded with (what a reset brings back), whatever it holds now. */
  seed(key: string): PhotoRecord | undefined {
    return this.seeds.get(key);
  }

  reset(): void {
    this.records = new Map(this.seeds);
  }

  entries(): IterableIterator<[string, PhotoRecord]> {
    return this.records.entries();
  }
}
