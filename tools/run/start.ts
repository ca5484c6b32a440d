/**
 * `npm start` / `photo-conformance start`: the main job. Extracts the spec when the source
 * pages are there, generates the suite, runs all of it against the embedded mock, and
 * prints where the report is with a one-screen summary (the run CLI's).
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../spec/io.ts';
import { corpusAbsent, REQUIRE_CORPUS_ENV } from '../spec/paths.ts';

type Verb = { main(argv: string[]): Promise<number> };

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** `--docs A B ...` (the extractor's) is taken here; every other option goes to `run`. */
export function splitStartArgs(argv: string[]): { docs: string[]; runArgs: string[] } {
  const docs: string[] = [];
  const runArgs: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--docs') {
      while (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) docs.push(argv[++i]!);
    } else runArgs.push(argv[i]!);
  }
  return { docs, runArgs };
}

export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(
      'usage: photo-conformance start [--docs DIR|FILE...] [run options]\n' +
        '  extract (the pages named by --docs, else spec/sources.yaml when ../shared/corpus is present),\n' +
        '  generate, then `run --target mock` with the run options given',
    );
    return 0;
  }
  const { docs, runArgs } = splitStartArgs(argv);
  const extractCli = join(REPO_ROOT, 'tools/extract/cli.ts');
  // The same rule as the tests' (paths.ts): where the pages must be there, a missing one
  // fails the job instead of being passed over.
  if (docs.length > 0 || !corpusAbsent()) {
    console.log(`── extract: spec/profilephoto.yaml from ${docs.length ? docs.join(', ') : 'the source pages'}`);
    const extract = (await import(extractCli)) as Verb;
    const code = await extract.main(docs.length ? ['--docs', ...docs] : []);
    if (code !== 0 && docs.length) {
      // The user asked for these pages: testing the old spec instead would answer another question.
      console.error('start: the pages given with --docs could not be extracted (see above); spec/profilephoto.yaml is unchanged. Name markdown pages (or directories of them) that state a profile photo operation, or drop --docs.');
      return code;
    }
    if (code !== 0 && process.env[REQUIRE_CORPUS_ENV]) {
      console.error(`start: the source pages could not be extracted (see above) and ${REQUIRE_CORPUS_ENV} is set; spec/profilephoto.yaml is unchanged. Put the pages spec/sources.yaml names in place, or unset it to test the committed spec.`);
      return code;
    }
    // Warnings about missing facts do not stop the job; an error that left no spec does.
    if (code !== 0 && !(await exists(join(REPO_ROOT, 'spec/profilephoto.yaml')))) return code;
  } else {
    console.log('── extract: skipped (no source pages at ../shared/corpus and ../shared/pages); using the committed spec');
  }
  console.log('── generate: suites/generated/*.spec.ts');
  const generate = (await import('../generate/cli.ts')) as Verb;
  const generated = await generate.main([]);
  if (generated !== 0) return generated;
  const targetAt = runArgs.indexOf('--target');
  console.log(`── run: the whole suite against ${targetAt >= 0 ? `the ${runArgs[targetAt + 1]} target` : 'the embedded mock'}`);
  const run = (await import('./cli.ts')) as Verb;
  return run.main(runArgs.includes('--target') ? runArgs : ['--target', 'mock', ...runArgs]);
}
