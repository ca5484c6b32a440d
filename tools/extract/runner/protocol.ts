/** Messages between the runner and its worker threads, and the extractor module's shape. */
import type { PageInput, PageResult } from '../types.ts';
import type { PageOutcome, PageTask } from './page-task.ts';

export interface ExtractorModule {
  extractPage(input: PageInput): PageResult;
}

/** What the runner sends a worker: pages to take, in order. */
export interface WorkerMessage {
  tasks: WorkerTask[];
}

export interface WorkerTask {
  id: number;
  page: PageTask;
  /** Answer for the pages done before this one, then for this one, before taking the next. */
  alone: boolean;
}

export type WorkerReply =
  /** The extractor is loaded. One that cannot be is an error the worker throws instead. */
  | { ready: true }
  /** Outcomes of the oldest pages the worker holds, in the order it was sent them. */
  | { replies: ({ id: number } & PageOutcome)[] };
