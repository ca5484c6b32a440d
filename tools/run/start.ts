/**
 * `npm start` / `photo-conformance start`: the main job. Extracts the spec when the source
 * pages are there, generates the suite, runs all of it against the embedded mock, and
 * prints where the report is with a one-screen summary (the run CLI's).
 */
import { access } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { REPO_ROOT } from '../spec/io.ts';

type Verb = { main(argv: string[]): Promise<number> };

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log('usage: photo-conformance start [run options]\n  extract (when ../shared/corpus is present), generate, then `run --target mock` with the options given');
    return 0;
  }
  const corpus = resolve(REPO_ROOT, '../shared/corpus');
  const extractCli = join(REPO_ROOT, 'tools/extract/cli.ts');
  if ((await exists(corpus)) && (await exists(extractCli))) {
    console.log('── extract: spec/profilephoto.yaml from the source pages');
    const extract = (await import(extractCli)) as Verb;
    const code = await extract.main([]);
    // Warnings about missing facts do not stop the job; an error that left no spec does.
    if (code !== 0 && !(await exists(join(REPO_ROOT, 'spec/profilephoto.yaml')))) return code;
  } else {
    console.log('── extract: skipped (no source pages or no extractor); using the committed spec');
  }
  console.log('── generate: suites/generated/*.spec.ts');
  const generate = (await import('../generate/cli.ts')) as Verb;
  const generated = await generate.main([]);
  if (generated !== 0) return generated;
  console.log('── run: the whole suite against the embedded mock');
  const run = (await import('./cli.ts')) as Verb;
  return run.main(argv.includes('--target') ? argv : ['--target', 'mock', ...argv]);
}
