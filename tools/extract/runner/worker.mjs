// Extraction worker process: loads the extractor once, then takes one page per message
// from its path (or bytes) to its result, as page-task.ts says.
// A process, not a thread, because only a process takes V8 flags (worker-pool.ts says which
// and why), and because a page that exhausts the heap then takes down one worker, not the run.
// Plain JavaScript so it starts without a TypeScript loader: the runner normally hands it a
// JavaScript bundle of the extractor (extractor-bundle.ts); only when no bundle could be
// built does it register tsx, which costs about a second of CPU per worker.
// Messages follow protocol.ts. The result goes back as a JSON string: the same bytes the
// cache stores, serialized here to keep that work off the runner's thread. Outcomes go back
// up to `replyBatch` at a time (worker-pool.ts says why), and at once when nothing is left.
const { extractor, pageTask, needsTypeScript, replyBatch = 1 } = JSON.parse(process.argv[2] ?? '{}');

// The runner went away (finished, killed, crashed): there is nobody left to answer.
process.on('disconnect', () => process.exit(0));

let extractPage;
let runPageTask;
try {
  if (needsTypeScript) (await import('tsx/esm/api')).register();
  ({ extractPage } = await import(extractor));
  if (typeof extractPage !== 'function') throw new Error(`${extractor} does not export extractPage()`);
  ({ runPageTask } = await import(pageTask));
} catch (error) {
  process.send({ fatal: error instanceof Error ? error.message : String(error) }, () => process.exit(1));
}

if (extractPage && runPageTask) {
  /** Pages received, in order; the first is taken next. */
  const queue = [];
  /** Outcomes not sent yet, in order. */
  const replies = [];
  let draining = false;
  const flush = () => {
    if (replies.length > 0) process.send({ replies: replies.splice(0) });
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
  process.on('message', ({ tasks }) => {
    queue.push(...tasks);
    if (!draining) {
      draining = true;
      setImmediate(drain);
    }
  });
  process.send({ ready: true });
}
