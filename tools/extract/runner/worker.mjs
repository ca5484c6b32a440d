// Extraction worker thread: loads the extractor once, then takes pages from the runner's
// messages and answers with their outcomes, as page-task.ts and protocol.ts say.
// Plain JavaScript so it starts without a TypeScript loader: the runner normally hands it a
// JavaScript bundle of the extractor (extractor-bundle.ts); only when no bundle could be
// built does it register tsx, which costs about a second of CPU per worker.
// The result goes back as a JSON string: the same bytes the cache stores, serialized here to
// keep that work off the runner's thread. Outcomes go back up to `replyBatch` at a time
// (worker-pool.ts says why), and at once when nothing is left.
// An extractor that cannot be loaded throws here, uncaught: the runner gets the error itself.
import { parentPort, workerData } from 'node:worker_threads';

const { extractor, pageTask, needsTypeScript, replyBatch = 1 } = workerData;

if (needsTypeScript) (await import('tsx/esm/api')).register();
const { extractPage } = await import(extractor);
if (typeof extractPage !== 'function') throw new Error(`${extractor} does not export extractPage()`);
const { runPageTask } = await import(pageTask);

/** Pages received, in order; the first is taken next. */
const queue = [];
/** Outcomes not sent yet, in order. */
const replies = [];
let draining = false;
const flush = () => {
  if (replies.length > 0) parentPort.postMessage({ replies: replies.splice(0) });
};
// One page a turn of the event loop, so the pages the runner sent meanwhile join the queue
// and the decision to answer now or with the next pages sees them.
const drain = () => {
  const task = queue.shift();
  if (task.alone) flush();
  try {
    replies.push({ id: task.id, ...runPageTask(task.page, extractPage) });
  } catch (error) {
    // runPageTask answers for the extractor's own errors; this is anything else.
    replies.push({ id: task.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error), ruleId: 'runner/extract-failed' });
  }
  if (task.alone || queue.length === 0 || replies.length >= replyBatch) flush();
  if (queue.length > 0) setImmediate(drain);
  else draining = false;
};
parentPort.on('message', ({ tasks }) => {
  queue.push(...tasks);
  if (!draining) {
    draining = true;
    setImmediate(drain);
  }
});
parentPort.postMessage({ ready: true });
