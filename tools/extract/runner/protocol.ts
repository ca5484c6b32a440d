/** Messages between the runner and its worker processes, and the extractor module's shape. */
import type { PageInput, PageResult } from '../types.ts';

export interface ExtractorModule {
  extractPage(input: PageInput): PageResult;
}

export interface WorkerTask {
  id: number;
  input: PageInput;
}

export type WorkerReply =
  | { ready: true }
  /** The extractor could not be loaded; the worker exits after sending this. */
  | { fatal: string }
  | { id: number; json: string }
  | { id: number; error: string };
