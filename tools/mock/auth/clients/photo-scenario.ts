/**
 * The photo round trip that graph-client.ts and kiota-client.ts both run, each through its own
 * client: upload a JPEG to a user with a mailbox and read back its metadata, its bytes and the
 * metadata of one size variant; upload to a user without a mailbox (the Azure AD fallback) and
 * read back its metadata and bytes. Only requests the v1.0 pages list for `/users/{id}` are
 * made (the get page lists `photos/{size}` there, but neither the `photos` collection nor
 * `photos/{size}/$value`, which it gives for `/me` only). The scripts only adapt their
 * client's calls to PhotoCalls; what the answers mean is for the test to judge.
 */
import sharp from 'sharp';
import type { ClientInput, PhotoMetadata, PhotoUpload, UserObservation } from './protocol.ts';

/** One client's calls for a user's photo, each one request as that client's documentation writes it. */
export interface PhotoCalls {
  upload(userId: string, jpeg: Buffer): Promise<void>;
  metadata(userId: string): Promise<PhotoMetadata>;
  value(userId: string): Promise<Uint8Array>;
  sizeMetadata(userId: string, size: string): Promise<PhotoMetadata>;
}

export interface ScenarioObservation {
  mailbox?: UserObservation;
  directory?: UserObservation;
}

export function solidJpeg(upload: PhotoUpload): Promise<Buffer> {
  return sharp({ create: { width: upload.width, height: upload.height, channels: 3, background: upload.color } })
    .jpeg()
    .toBuffer();
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

async function roundTrip(calls: PhotoCalls, upload: PhotoUpload, size?: string): Promise<UserObservation> {
  await calls.upload(upload.userId, await solidJpeg(upload));
  const observed: UserObservation = {
    userId: upload.userId,
    metadata: await calls.metadata(upload.userId),
    value: base64(await calls.value(upload.userId)),
  };
  if (size) observed.sizeMetadata = await calls.sizeMetadata(upload.userId, size);
  return observed;
}

export async function runPhotoScenario(calls: PhotoCalls, input: ClientInput): Promise<ScenarioObservation> {
  const observed: ScenarioObservation = {};
  if (input.mailbox) observed.mailbox = await roundTrip(calls, input.mailbox, input.size);
  // A user without a mailbox has no predefined sizes (a size there is one that does not exist).
  if (input.directory) observed.directory = await roundTrip(calls, input.directory);
  return observed;
}
