// Worker thread entry: loads the extractor once, then extracts one page per message.
// Plain JavaScript so a worker starts without a TypeScript loader: the runner normally hands
// it a JavaScript bundle of the extractor (extractor-bundle.ts); only when no bundle could be
// built does the worker register tsx, which costs about a second of CPU per worker.
// Messages follow protocol.ts. The result goes back as a JSON string: the same bytes the
// cache stores, serialized here to keep that work off the main thread.
import { parentPort, workerData } from 'node:worker_threads';

const { extractor, needsTypeScript } = workerData;
if (needsTypeScript) (await import('tsx/esm/api')).register();
const { extractPage } = await import(extractor);
if (typeof extractPage !== 'function') throw new Error(`${extractor} does not export extractPage()`);

parentPort.on('message', (task) => {
  let reply;
  try {
    reply = { id: task.id, json: JSON.stringify(extractPage(task.input)) };
  } catch (error) {
    reply = { id: task.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  parentPort.postMessage(reply);
});
parentPort.postMessage({ ready: true });
