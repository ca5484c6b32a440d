/**
 * The image factory: photos of given dimensions made with sharp, and the decoding the
 * checks use to say what came back. Every photo has its own colour so a read-back proves
 * it returned the photo this test uploaded, not one that was already there.
 */
import sharp from 'sharp';

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
}

export function colorFor(seed: string): { r: number; g: number; b: number } {
  // FNV-1a over the seed: stable, and far enough apart for the tolerance in `sameColor`.
  let hash = 0x811c9dc5;
  for (const ch of seed) hash = Math.imul(hash ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return { r: 40 + (hash & 0xaf), g: 40 + ((hash >>> 8) & 0xaf), b: 40 + ((hash >>> 16) & 0xaf) };
}

export async function makeImage(request: ImageRequest): Promise<Buffer> {
  const color = request.color ?? colorFor(`${request.width}x${request.height}`);
  const image = sharp({
    create: { width: request.width, height: request.height, channels: 3, background: color },
  });
  return request.format === 'png' ? image.png().toBuffer() : image.jpeg({ quality: 90 }).toBuffer();
}

/** Decodes with sharp; undefined when the bytes are not an image sharp can read. */
export async function decodeImage(bytes: Uint8Array): Promise<DecodedImage | undefined> {
  try {
    const image = sharp(bytes);
    const metadata = await image.metadata();
    const stats = await image.stats();
    const [r, g, b] = stats.channels;
    return {
      format: metadata.format ?? 'unknown',
      width: metadata.width ?? 0,
      height: metadata.height ?? 0,
      mean: { r: r?.mean ?? 0, g: g?.mean ?? r?.mean ?? 0, b: b?.mean ?? r?.mean ?? 0 },
    };
  } catch {
    return undefined;
  }
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
