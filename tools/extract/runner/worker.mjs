// Extraction worker process: loads the extractor once, then takes one page per message
// from its path (or bytes) to its result, as page-task.ts says.
// A process, not a thread, because only a process takes V8 flags (worker-pool.ts says which
// and why), and because a page that exhausts the heap then takes down one worker, not the run.
// Plain JavaScript so it starts without a TypeScript loader: the runner normally hands it a
// JavaScript bundle of the extractor (extractor-bundle.ts); only when no bundle could be
// built does it register tsx, which costs about a second of CPU per worker.
// Messages follow protocol.ts. The result goes back as a JSON string: the same bytes the
// cache stores, serialized here to keep that work off the runner's thread.
const { extractor, pageTask, needsTypeScript } = JSON.parse(process.argv[2] ?? '{}');

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
  process.on('message', (task) => {
    let reply;
    try {
      reply = { id: task.id, ...runPageTask(task.page, extractPage) };
    } catch (error) {
      // runPageTask answers for the extractor's own errors; this is anything else.
      reply = { id: task.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error), ruleId: 'runner/extract-failed' };
    }
    process.send(reply);
  });
  process.send({ ready: true });
}
