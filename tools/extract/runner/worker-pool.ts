/**
 * A fixed pool of worker threads, each holding at most `perWorker` pages: one being
 * extracted and the next few already queued in its channel, so a worker does not idle while
 * the runner is off the CPU, yet no page waits in a worker's queue for long.
 *
 * A worker answers for up to `replyBatch` pages in one message, and at once when it has
 * nothing left to do. With a message a page, the runner woke about 2,400 times a run and
 * each time took a core from a worker: over the 2,422 scale pages (jobs=2, eight pages a
 * worker, three alternations, measured when workers were processes) batches of four cut the
 * runner's CPU from 1.4-2.0 s to 0.9-1.1 s, the workers' by 0.4-2.4 s, and the run by 3.5 to 9%.
 *
 * A worker that dies or overruns the page time limit is replaced, and only the page at fault
 * fails. When the worker held results it had not sent yet, which page was at fault is not
 * known: every page it had not answered for is run again alone (answered before the next
 * starts), so the page at fault fails on its own a second time and the others come through.
 * A worker dies of an uncaught error, of `process.exit()` in the extractor, or of a page that
 * exhausts its heap (`heapLimitMb`): each of these ends its thread and no other. What a
 * thread cannot contain, where a process could, is a crash of node itself (a fault in native
 * code); the extractor is plain JavaScript.
 *
 * Threads rather than processes: a jobs=2 pass over the 2,422 scale pages, alternating the two
 * (first a prototype, 18 pairs: 14.6 s on average on threads against 15.6 s, faster in 13;
 * then this code, 6 pairs while the host ran slower: 18.3 s against 20.6 s, faster in all 6),
 * with a fifth fewer page faults (100,000-127,000 against 129,000-159,000) on a VM where a
 * fault costs about 10 µs. A thread maps no second copy of node, its results reach the runner
 * without a pipe, and all the isolates share one pool of V8 helper threads, where three
 * processes each ran their own.
 *
 * A thread cannot have V8 flags of its own: the pool sets them for the whole process
 * (`v8.setFlagsFromString`) before it starts its workers, and they hold for the runner's
 * thread too, which only merges results. The first two measured on a cold run over 1,200
 * scale pages, in one process:
 * - `--no-turbo-inlining`: about a fifth of all CPU went to V8's optimizing compiler inlining
 *   micromark's many small state functions into each other, and every worker pays it again.
 *   V8's helper threads took 7.7 s of 19 s with it, 3.8 to 5.1 s without, while the thread
 *   that extracts spent no more (12.7 s against 11.3 to 12.6 s).
 * - `--interrupt-budget` at four times V8's default (66 KiB of bytecode executed): a function
 *   is optimized once it has run that much. At the default, its costliest compilations were
 *   of functions run once per page (the rules' run(), mdast's compiler(), detect()), not of
 *   the parser's hot loops, and some of them again after each new kind of page deoptimized
 *   them. Over the 2,422 scale pages in one process: 1,000 to 1,150 compilations, 4.6 to
 *   5.5 s of compiler time; at four times the budget 820 to 840 and 2.7 to 3.2 s. Each
 *   worker pays this alone, so it weighs on a pool twice: jobs=2 over the scale corpus,
 *   5 alternations, 17.6 to 18.5 s at the default against 16.1 to 18.1 s (5.6% less on
 *   average, faster in every pair), while one process alone showed no difference beyond
 *   this machine's noise.
 * - When the pool fills the cores, no parallel phases in the young-generation and compacting
 *   collections (`--no-parallel-scavenge`, `--no-parallel-compaction`,
 *   `--no-parallel-pointer-update`): their helper tasks would only take turns with the other
 *   worker and cost CPU to coordinate. Concurrent sweeping and marking stay on. This
 *   replaced `--single-threaded-gc`, which also turns off concurrent sweeping, and with it a
 *   worker took 2.2 times the page faults (about 130,000 against 60,000 over the scale
 *   corpus). jobs=2 over the 2,422 scale pages, worker processes, the three settings in
 *   rotation, 6 cycles: 16.4 s on average with these flags, faster in every cycle, against
 *   17.4 s with `--single-threaded-gc` and 17.5 s with V8's defaults; system time 4.3-4.8 s
 *   against 5.9-6.5 s. A pool with cores left over turns them back on: flags set at run
 *   time outlive the pool that set them.
 *   (`--no-parallel-marking` is not among them: with concurrent marking on, it trips a
 *   fatal check in node 20's V8.)
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { WorkerModule } from './extractor-bundle.ts';
import type { PageOutcome, PageTask } from './page-task.ts';
import type { WorkerMessage, WorkerReply, WorkerTask } from './protocol.ts';

interface Task {
  id: number;
  page: PageTask;
  /** Answered on its own, so a crash or a timeout on it names it (see the top of this file). */
  alone: boolean;
  settle(outcome: PageOutcome): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  /** FIFO: the pages the worker holds and has not answered for, in the order it takes them. */
  tasks: Task[];
  /** The last of `tasks`, given to the worker but not sent yet (see send()). */
  unsent: Task[];
  timer?: NodeJS.Timeout;
}

export interface WorkerPoolOptions {
  size: number;
  /** The module exporting extractPage, as the worker should load it. */
  extractor: WorkerModule;
  /** page-task.ts, as the worker should load it: what a worker does to each page. */
  pageTask: WorkerModule;
  perWorker: number;
  /** Most pages a worker answers for in one message. */
  replyBatch: number;
  /** A worker that answers for nothing this long is stopped (a page stuck in the extractor). */
  pageTimeoutMs: number;
  /** Most MB of old-generation heap a worker may use; a page needing more ends its worker. Default: V8's limit. */
  heapLimitMb?: number;
  /** Sets V8 flags for the process; tests substitute a recorder. */
  setV8Flags?: (flags: readonly string[]) => void;
}

const WORKER_ENTRY = new URL('./worker.mjs', import.meta.url);

// V8's own default (`node --v8-options`), in bytes of bytecode executed.
const V8_DEFAULT_INTERRUPT_BUDGET = 66 * 1024;

const PARALLEL_GC_PHASES = ['parallel-scavenge', 'parallel-compaction', 'parallel-pointer-update'];

/** The V8 flags a pool of `size` workers on `cores` cores runs them with (see the top of this file). */
export function workerV8Flags(size: number, cores = availableParallelism()): string[] {
  const lateOptimizing = ['--no-turbo-inlining', `--interrupt-budget=${4 * V8_DEFAULT_INTERRUPT_BUDGET}`];
  return [...lateOptimizing, ...PARALLEL_GC_PHASES.map((phase) => (size >= cores ? `--no-${phase}` : `--${phase}`))];
}

function setProcessV8Flags(flags: readonly string[]): void {
  for (const flag of flags) setFlagsFromString(flag);
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 0;
  private sending = false;
  private fatal: Error | undefined;
  private closed = false;
  /** Most pages ever held by one worker at once. */
  peakPerWorker = 0;

  constructor(private readonly options: WorkerPoolOptions) {
    (options.setV8Flags ?? setProcessV8Flags)(workerV8Flags(options.size));
    for (let i = 0; i < options.size; i++) this.slots.push(this.spawn());
  }

  run(page: PageTask): Promise<PageOutcome> {
    if (this.fatal) return Promise.reject(this.fatal);
    return new Promise<PageOutcome>((resolve) => {
      this.queue.push({ id: this.nextId++, page, alone: false, settle: resolve });
      this.pump();
    }).then((outcome) => {
      if (this.fatal) throw this.fatal;
      return outcome;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.slots.map((slot) => {
        clearTimeout(slot.timer);
        return stop(slot.worker);
      }),
    );
  }

  private spawn(): Slot {
    const { extractor, pageTask, heapLimitMb } = this.options;
    const worker = new Worker(WORKER_ENTRY, {
      workerData: {
        extractor: extractor.href,
        pageTask: pageTask.href,
        needsTypeScript: extractor.needsTypeScript || pageTask.needsTypeScript,
        replyBatch: this.options.replyBatch,
      },
      // Not the runner's own node options (a TypeScript loader, an inspector port).
      execArgv: [],
      // A worker's stray output goes to stderr: stdout may be the spec (`--format json`).
      stdout: true,
      ...(heapLimitMb ? { resourceLimits: { maxOldGenerationSizeMb: heapLimitMb } } : {}),
    });
    worker.stdout.pipe(process.stderr, { end: false });
    const slot: Slot = { worker, ready: false, tasks: [], unsent: [] };
    worker.on('message', (reply: WorkerReply) => this.onReply(slot, reply));
    worker.on('error', (error) => this.onDeath(slot, error));
    worker.on('exit', (code) => {
      if (!this.closed) this.onDeath(slot, new Error(`worker exited with code ${code}`));
    });
    return slot;
  }

  private onReply(slot: Slot, reply: WorkerReply): void {
    if ('ready' in reply) {
      slot.ready = true;
      this.pump();
      return;
    }
    for (const { id, ...outcome } of reply.replies) {
      const task = slot.tasks.shift();
      if (!task || task.id !== id) return this.failAll(new Error('worker replied out of order'));
      task.settle(outcome);
    }
    clearTimeout(slot.timer);
    this.armTimer(slot);
    this.pump();
  }

  /**
   * A worker is gone with the pages it had not answered for. The page at fault is the first
   * of them when nothing before it can have been held back: it is the only one, or it was
   * sent to be answered alone. Otherwise all of them run again, each alone.
   */
  private retire(slot: Slot, fault: (task: Task) => PageOutcome): void {
    const index = this.slots.indexOf(slot);
    const unanswered = slot.tasks;
    slot.tasks = [];
    this.slots[index] = this.spawn();
    const [first, ...rest] = unanswered;
    if (first && (first.alone || rest.length === 0)) {
      this.queue.unshift(...rest);
      first.settle(fault(first));
    } else {
      this.queue.unshift(...unanswered.map((task) => ({ ...task, alone: true })));
    }
    this.pump();
  }

  private onDeath(slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0 || this.closed) return; // already replaced (error is followed by exit)
    clearTimeout(slot.timer);
    if (!slot.ready) {
      // The extractor did not even load (syntax error, missing export): every page would
      // fail the same way, so stop the run with that one error instead.
      return this.failAll(new Error(`extractor ${this.options.extractor.href} cannot be loaded in a worker: ${error.message}`));
    }
    this.retire(slot, () => ({ error: error.stack ?? error.message, ruleId: 'runner/worker-crashed' }));
  }

  private armTimer(slot: Slot): void {
    if (slot.tasks.length === 0) return;
    slot.timer = setTimeout(() => {
      if (this.slots.indexOf(slot) < 0) return;
      void stop(slot.worker);
      this.retire(slot, () => ({
        error: `extraction did not finish within ${this.options.pageTimeoutMs} ms; the worker was stopped`,
        ruleId: 'runner/timeout',
      }));
    }, this.options.pageTimeoutMs);
    slot.timer.unref();
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let best: Slot | undefined;
      for (const slot of this.slots) {
        if (slot.ready && slot.tasks.length < this.options.perWorker && (!best || slot.tasks.length < best.tasks.length)) {
          best = slot;
        }
      }
      if (!best) return;
      const task = this.queue.shift()!;
      best.tasks.push(task);
      this.peakPerWorker = Math.max(this.peakPerWorker, best.tasks.length);
      if (best.tasks.length === 1) this.armTimer(best);
      best.unsent.push(task);
      this.sendSoon();
    }
  }

  /**
   * The pages given to each worker during this turn of the event loop go in one message:
   * the runner gives out pages one at a time as it reads them, often several in a turn.
   */
  private sendSoon(): void {
    if (this.sending) return;
    this.sending = true;
    setImmediate(() => {
      this.sending = false;
      if (this.closed) return;
      for (const slot of this.slots) {
        if (slot.unsent.length === 0) continue;
        const tasks = slot.unsent.splice(0).map(({ id, page, alone }): WorkerTask => ({ id, page, alone }));
        slot.worker.postMessage({ tasks } satisfies WorkerMessage);
      }
    });
  }

  private failAll(error: Error): void {
    this.fatal ??= error;
    for (const slot of this.slots) slot.unsent = [];
    const tasks = [...this.queue.splice(0), ...this.slots.flatMap((slot) => slot.tasks.splice(0))];
    for (const task of tasks) task.settle({ error: error.message, ruleId: 'runner/worker-crashed' });
  }
}

/** Ends a worker at once, even inside a loop: it holds nothing but the page it may be stuck in. */
async function stop(worker: Worker): Promise<void> {
  await worker.terminate();
}
