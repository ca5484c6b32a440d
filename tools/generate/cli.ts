/**
 * `photo-conformance generate [--spec FILE] [--out DIR] [--check]`
 * Writes suites/generated/*.spec.ts from the spec. With --check it writes nothing and fails
 * (exit 1, with a diff) when the committed files differ from what the spec generates.
 */
import { rm } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createTwoFilesPatch } from 'diff';
import { DEFAULT_SPEC_PATH, readSpec, REPO_ROOT, SpecError, writeFileAtomic } from '../spec/io.ts';
import { generateSuite } from './generate.ts';
import { GENERATED_HEADER } from './render.ts';
import { ownedFiles } from '../spec/owned-files.ts';

export const DEFAULT_OUT_DIR = resolve(REPO_ROOT, 'suites/generated');

const USAGE = `usage: photo-conformance generate [--spec FILE] [--out DIR] [--check]
  --spec FILE  the spec to read (default spec/profilephoto.yaml)
  --out DIR    where the spec files go (default suites/generated)
  --check      write nothing; fail with a diff when the files there are stale`;

const existingGenerated = (dir: string) => ownedFiles(dir, '.spec.ts', GENERATED_HEADER);

export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { spec: { type: 'string' }, out: { type: 'string' }, check: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    console.error(`generate: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const specFile = resolve(values.spec ?? DEFAULT_SPEC_PATH);
  const outDir = resolve(values.out ?? DEFAULT_OUT_DIR);
  let spec;
  try {
    spec = await readSpec(specFile);
  } catch (error) {
    console.error(`generate: ${error instanceof SpecError ? error.message : String(error)}`);
    return 1;
  }
  const label = relative(REPO_ROOT, specFile) || specFile;
  const { files, tests } = generateSuite(spec, label.startsWith('..') ? specFile : label);
  const existing = await existingGenerated(outDir);
  const stale = [...files].filter(([name, text]) => existing.get(name) !== text).map(([name]) => name);
  const orphans = [...existing.keys()].filter((name) => !files.has(name));

  if (values.check) {
    if (stale.length === 0 && orphans.length === 0) {
      console.log(`generate --check: ${files.size} files up to date (${tests} tests)`);
      return 0;
    }
    for (const name of stale) {
      const patch = createTwoFilesPatch(`a/${name}`, `b/${name}`, existing.get(name) ?? '', files.get(name) ?? '', 'committed', 'generated');
      const lines = patch.split('\n');
      console.error(lines.slice(0, 60).join('\n') + (lines.length > 60 ? `\n... ${lines.length - 60} more diff lines` : ''));
    }
    for (const name of orphans) console.error(`${name}: generated earlier but no longer produced by the spec`);
    console.error(`generate --check: ${stale.length + orphans.length} file(s) in ${relative(REPO_ROOT, outDir) || outDir} are stale; run \`npm run generate\``);
    return 1;
  }
  for (const name of stale) await writeFileAtomic(join(outDir, name), files.get(name)!);
  for (const name of orphans) await rm(join(outDir, name), { force: true });
  console.log(`generate: ${files.size} files, ${tests} tests in ${relative(REPO_ROOT, outDir) || outDir} (${stale.length} written, ${orphans.length} removed)`);
  return 0;
}
