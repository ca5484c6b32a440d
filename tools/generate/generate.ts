/**
 * The generator's pure core: spec in, file names and contents out. The CLI writes them;
 * the unit tests compare them; `--check` diffs them against what is committed.
 */
import type { Spec } from '../spec/model.ts';
import { planSuite } from './plan.ts';
import { renderFile } from './render.ts';

export interface GeneratedSuite {
  /** file name under suites/generated/ -> contents, in name order */
  files: Map<string, string>;
  tests: number;
}

export function generateSuite(spec: Spec, specLabel = 'spec/profilephoto.yaml'): GeneratedSuite {
  const planned = planSuite(spec);
  const files = new Map<string, string>();
  for (const file of planned) files.set(file.name, renderFile(file, specLabel));
  return { files, tests: planned.reduce((n, f) => n + f.tests.length, 0) };
}
