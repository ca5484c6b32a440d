/**
 * The image factory: photos of given dimensions made with sharp, and the decoding the
 * checks use to say what came back. Every photo has its own colour so a read-back proves
 * it returned the photo this test uploaded, not one that was already there.
 */
import type SharpModule from 'sharp';

/**
 * sharp is loaded on first use: Playwright starts a new worker after every failing test,
 * and a worker whose tests never touch a photo (refusals, headers) need not load it.
 */
let sharpModule: Promise<typeof SharpModule> | undefined;
const loadSharp = () => (sharpModule ??= import('sharp').then((m) => m.default));

export interface ImageRequest {
  width: number;
  height: number;
  format?: 'jpeg' | 'png';
  /** 0..255 each; defaults to a colour derived from the dimensions */
  color?: { r: number; g: number; b: number };
}

export interface DecodedImage {
  format: string;
  width: number;
  height: number;
  /** mean colour of the image, 0..255 per channel */
  mean: { r: number; g: number; b: number };
  /** colour of the top-left corner and of the centre (a sixteenth of the side each way) */
  corner: { r: number; g: number; b: number };
  centre: { r: number; g: number; b: number };
}

export function colorFor(seed: string): { r: number; g: number; b: number } {
  // FNV-1a over the seed: stable, and far enough apart for the tolerance in `sameColor`.
  let hash = 0x811c9dc5;
  for (const ch of seed) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return { r: 40 + (hash & 0xaf), g: 40 + ((hash >>> 8) & 0xaf), b: 40 + ((hash >>> 16) & 0xaf) };
}

export async function makeImage(request: ImageRequest): Promise<Buffer> {
  const color = request.color ?? colorFor(`${request.width}x${request.height}`);
  const sharp = await loadSharp();
  const image = sharp({
    create: { width: request.width, height: request.height, channels: 3, background: color },
  });
  return request.format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 90 }).toBuffer();
}

/** Side of the thumbnail the mean colour is taken from: an area average keeps a flat colour's mean. */
const MEAN_SIDE = 16;

/**
 * Decodes with sharp; undefined when the bytes are not an image sharp can read. Format and
 * dimensions come from the header; the mean colour from a small thumbnail, which JPEG
 * decodes at a fraction of the size (shrink-on-load): about 4 ms instead of 29 ms for a
 * 648x648 photo, and a round trip decodes every size variant.
 */
export async function decodeImage(bytes: Uint8Array): Promise<DecodedImage | undefined> {
  const sharp = await loadSharp();
  try {
    const metadata = await sharp(bytes).metadata();
    const { data, info } = await sharp(bytes)
      .resize(MEAN_SIDE, MEAN_SIDE, { fit: 'fill' })
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const sums = [0, 0, 0];
    const pixels = info.width * info.height;
    for (let i = 0; i < data.length; i += info.channels) {
      for (let c = 0; c < 3; c++) sums[c]! += data[i + Math.min(c, info.channels - 1)]!;
    }
    const [r, g, b] = sums.map((sum) => sum / pixels);
    const at = (x: number, y: number) => {
      const i = (y * info.width + x) * info.channels;
      const channel = (c: number) => data[i + Math.min(c, info.channels - 1)] ?? 0;
      return { r: channel(0), g: channel(1), b: channel(2) };
    };
    return {
      format: metadata.format ?? 'unknown',
      width: metadata.width ?? 0,
      height: metadata.height ?? 0,
      mean: { r: r ?? 0, g: g ?? 0, b: b ?? 0 },
      corner: at(0, 0),
      centre: at(info.width >> 1, info.height >> 1),
    };
  } catch {
    return undefined;
  }
}

/** The media type a decoded format is served as (sharp's format names). */
export function mediaTypeOfFormat(format: string): string {
  return format === 'jpeg' || format === 'jpg' ? 'image/jpeg' : format === 'heif' ? 'image/heif' : `image/${format}`;
}

/** Lossy JPEG and resampling move a flat colour by a few levels, never by 24. */
export function sameColor(a: DecodedImage['mean'], b: DecodedImage['mean'], tolerance = 24): boolean {
  return Math.abs(a.r - b.r) <= tolerance && Math.abs(a.g - b.g) <= tolerance && Math.abs(a.b - b.b) <= tolerance;
}

const COM = 0xfe;
const MAX_SEGMENT_PAYLOAD = 0xffff - 2;

/**
 * A valid JPEG of exactly `totalBytes`: the photo with comment (COM) segments inserted after
 * the start-of-image marker. Decoders skip COM segments, so the photo stays decodable while
 * the request body reaches a size limit without any dimension getting huge.
 */
export function padJpeg(jpeg: Buffer, totalBytes: number): Buffer {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('padJpeg: not a JPEG (no SOI marker)');
  let missing = totalBytes - jpeg.length;
  if (missing < 0) throw new Error(`padJpeg: the photo is already ${jpeg.length} bytes, over ${totalBytes}`);
  if (missing > 0 && missing < 4) throw new Error('padJpeg: a COM segment needs at least 4 bytes');
  const segments: Buffer[] = [];
  while (missing > 0) {
    // Keep the remainder at 0 or at least 4 bytes (a segment's marker and length).
    let payload = Math.min(MAX_SEGMENT_PAYLOAD, missing - 4);
    const remainder = missing - 4 - payload;
    if (remainder > 0 && remainder < 4) payload -= 4 - remainder;
    const segment = Buffer.alloc(4 + payload, 0x20);
    segment[0] = 0xff;
    segment[1] = COM;
    segment.writeUInt16BE(payload + 2, 2);
    segments.push(segment);
    missing -= segment.length;
  }
  return Buffer.concat([jpeg.subarray(0, 2), ...segments, jpeg.subarray(2)]);
}
