/**
 * Runs inside a worker thread: loads the extractor once, then extracts one page per
 * message. The result goes back as a JSON string: the same bytes the cache stores, and
 * serializing here keeps that work off the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ExtractorModule, WorkerReply, WorkerTask } from './protocol.ts';

const port = parentPort;
if (!port) throw new Error('page-worker.ts must run in a worker thread');

const { extractor } = workerData as { extractor: string };
const { extractPage } = (await import(extractor)) as ExtractorModule;
if (typeof extractPage !== 'function') throw new Error(`${extractor} does not export extractPage()`);

port.on('message', (task: WorkerTask) => {
  let reply: WorkerReply;
  try {
    reply = { id: task.id, json: JSON.stringify(extractPage(task.input)) };
  } catch (error) {
    reply = { id: task.id, error: error instanceof Error ? error.stack ?? error.message : String(error) };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true } satisfies WorkerReply);
