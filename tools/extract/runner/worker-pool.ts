/**
 * A fixed pool of worker threads, each holding at most `perWorker` pages: one being
 * extracted and the next few already queued in its port, so a worker does not idle while
 * the main thread is off the CPU, yet no page waits in a worker's queue for long. A worker that dies or overruns
 * the page time limit is replaced; only the page it was working on fails.
 */
import { Worker } from 'node:worker_threads';
import type { PageInput } from '../types.ts';
import type { WorkerModule } from './extractor-bundle.ts';
import type { WorkerReply, WorkerTask } from './protocol.ts';

export type TaskOutcome = { json: string } | { error: string; ruleId: 'runner/extract-failed' | 'runner/worker-crashed' | 'runner/timeout' };

interface Task {
  id: number;
  input: PageInput;
  settle(outcome: TaskOutcome): void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  /** FIFO: the worker handles messages in order, so tasks[0] is the page being extracted. */
  tasks: Task[];
  timer?: NodeJS.Timeout;
}

export interface WorkerPoolOptions {
  size: number;
  /** The module exporting extractPage, as the worker should load it. */
  extractor: WorkerModule;
  perWorker: number;
  pageTimeoutMs: number;
}

const WORKER_ENTRY = new URL('./worker.mjs', import.meta.url);

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 0;
  private fatal: Error | undefined;
  private closed = false;
  /** Most pages ever held by one worker at once. */
  peakPerWorker = 0;

  constructor(private readonly options: WorkerPoolOptions) {
    for (let i = 0; i < options.size; i++) this.slots.push(this.spawn());
  }

  run(input: PageInput): Promise<TaskOutcome> {
    if (this.fatal) return Promise.reject(this.fatal);
    return new Promise<TaskOutcome>((resolve) => {
      this.queue.push({ id: this.nextId++, input, settle: resolve });
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
        return slot.worker.terminate();
      }),
    );
  }

  private spawn(): Slot {
    const { href, needsTypeScript } = this.options.extractor;
    // No resourceLimits: capping a worker's heap also shrinks its young generation, and the
    // extra scavenges cost ~15% more CPU per page (measured over 300 scale pages). Runaway
    // input is bounded before it gets here (the runner's 32 MB file limit, the extractor's 2 MB).
    const worker = new Worker(WORKER_ENTRY, { workerData: { extractor: href, needsTypeScript } });
    const slot: Slot = { worker, ready: false, tasks: [] };
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
    const task = slot.tasks.shift();
    if (!task || task.id !== reply.id) return this.failAll(new Error('worker replied out of order'));
    clearTimeout(slot.timer);
    this.armTimer(slot);
    task.settle('json' in reply ? { json: reply.json } : { error: reply.error, ruleId: 'runner/extract-failed' });
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
    const [current, ...waiting] = slot.tasks;
    this.slots[index] = this.spawn();
    this.queue.unshift(...waiting);
    current?.settle({ error: error.stack ?? error.message, ruleId: 'runner/worker-crashed' });
    this.pump();
  }

  private armTimer(slot: Slot): void {
    const current = slot.tasks[0];
    if (!current) return;
    slot.timer = setTimeout(() => {
      const index = this.slots.indexOf(slot);
      if (index < 0) return;
      const [, ...waiting] = slot.tasks;
      slot.tasks = [];
      this.slots[index] = this.spawn();
      void slot.worker.terminate();
      this.queue.unshift(...waiting);
      current.settle({
        error: `extraction did not finish within ${this.options.pageTimeoutMs} ms; the worker was stopped`,
        ruleId: 'runner/timeout',
      });
      this.pump();
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
      best.worker.postMessage({ id: task.id, input: task.input } satisfies WorkerTask);
    }
  }

  private failAll(error: Error): void {
    this.fatal ??= error;
    const tasks = [...this.queue.splice(0), ...this.slots.flatMap((slot) => slot.tasks.splice(0))];
    for (const task of tasks) task.settle({ error: error.message, ruleId: 'runner/worker-crashed' });
  }
}
