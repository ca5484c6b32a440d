/**
 * Reads an upload body against the version's limit while it streams: bytes are counted as
 * they arrive and reading stops at the first chunk past the limit (the socket is paused, so
 * TCP flow control holds the sender back and nothing much past the limit is ever read).
 */
import type { IncomingMessage } from 'node:http';
import { MockError } from './errors.ts';
import { SILENT_PAGE_ANSWERS } from './profiles.ts';

export interface BodyReadOptions {
  limit: number;
  /** what the limit limits: the request (default), or the photo where a page limits it apart */
  subject?: 'request' | 'photo';
  /** fault limit-after-buffering: read (and count) the whole body, then refuse it */
  checkAfterEnd?: boolean;
  /** called with the size of each chunk read, for the bytes-read statistics */
  onBytes?: (n: number) => void;
}

/** Thrown when the client went away mid-body: there is nobody to answer. */
export class ClientAborted extends Error {}

export function tooLarge(limit: number, subject: 'request' | 'photo' = 'request'): MockError {
  const answer = subject === 'photo' ? SILENT_PAGE_ANSWERS.photoTooLarge(limit) : SILENT_PAGE_ANSWERS.tooLarge(limit);
  return new MockError(answer.status, answer.code, answer.message, { Connection: 'close' });
}

export function readBody(req: IncomingMessage, options: BodyReadOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      options.onBytes?.(chunk.length);
      if (size <= options.limit) {
        chunks.push(chunk);
        return;
      }
      if (options.checkAfterEnd) {
        over = true;
        chunks.length = 0; // counted, not kept
        return;
      }
      // Stop reading now: pause, detach, answer. The server closes the connection after the 413.
      req.pause();
      cleanup();
      reject(tooLarge(options.limit, options.subject));
    };
    const onEnd = () => {
      cleanup();
      if (over) reject(tooLarge(options.limit, options.subject));
      else resolve(Buffer.concat(chunks, size));
    };
    const onError = () => {
      cleanup();
      reject(new ClientAborted('the client closed the connection mid-body'));
    };
    const onAborted = onError;
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}
