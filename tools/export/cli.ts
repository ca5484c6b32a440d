/**
 * `photo-conformance export openapi [--spec FILE] [--out DIR] [--check] [--tenant FILE]`
 * Writes one OpenAPI 3.1 document per API and version (spec/openapi/graph-v1.0.yaml, ...) from
 * the spec alone. With --check it writes nothing and fails (exit 1, naming the stale files,
 * with a diff) when the committed documents differ from what the spec gives. A spec that
 * cannot be read or exported writes nothing. With --tenant the path parameters' examples name
 * that tenant's objects (a user, group, team and contacts with a photo), for tools that send
 * each example request (Dredd, Portman); such documents go elsewhere than the committed ones.
 */
import { rm } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createTwoFilesPatch } from 'diff';
import { DEFAULT_SPEC_PATH, readSpec, REPO_ROOT, SpecError, writeFileAtomic } from '../spec/io.ts';
import { loadTenantFixture, TenantFixtureError } from '../tenant/load.ts';
import { tenantExamples } from './examples.ts';
import { ExportError, OPENAPI_HEADER_PREFIX, renderOpenApi, type ExportOptions } from './openapi.ts';
import { ownedFiles } from '../spec/owned-files.ts';

export const DEFAULT_OPENAPI_DIR = resolve(REPO_ROOT, 'spec/openapi');
const FORMATS = ['openapi'] as const;

const USAGE = `usage: photo-conformance export openapi [--spec FILE] [--out DIR] [--check] [--tenant FILE] [--openapi 3.0|3.1]
  --spec FILE    the spec to read (default spec/profilephoto.yaml)
  --out DIR      where the documents go (default spec/openapi)
  --check        write nothing; fail, naming the stale files, when the documents there differ from the spec's
  --tenant FILE  path parameters' examples name objects of this tenant description (e.g.
                 tools/tenant/default-tenant.yaml, the embedded mock's), so a tool's example
                 requests reach photos that exist; needs --out
  --openapi 3.0  the documents as OpenAPI 3.0.3, for tools that read no 3.1 (Dredd); what 3.0
                 cannot say is marked x-openapi-3.0-loss; needs --out (default 3.1)`;

/** A path as the documents and messages show it: relative to the repository, never absolute. */
function label(file: string): string {
  const inside = relative(REPO_ROOT, file);
  return inside && !inside.startsWith('..') ? inside : basename(file);
}

const existingDocuments = (dir: string) => ownedFiles(dir, '.yaml', OPENAPI_HEADER_PREFIX);

export async function main(argv: string[]): Promise<number> {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        spec: { type: 'string' },
        out: { type: 'string' },
        check: { type: 'boolean' },
        tenant: { type: 'string' },
        openapi: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    console.error(`export: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [format, ...extra] = positionals;
  if (!format || !(FORMATS as readonly string[]).includes(format) || extra.length) {
    console.error(`export: ${format ? `unknown format '${[format, ...extra].join(' ')}'` : 'name a format'}; the one there is: ${FORMATS.join(', ')}\n${USAGE}`);
    return 2;
  }
  const specFile = resolve(values.spec ?? DEFAULT_SPEC_PATH);
  const outDir = resolve(values.out ?? DEFAULT_OPENAPI_DIR);
  const specLabel = label(specFile);
  if (values.openapi !== undefined && values.openapi !== '3.0' && values.openapi !== '3.1') {
    console.error(`export: --openapi is 3.0 or 3.1, got '${values.openapi}'\n${USAGE}`);
    return 2;
  }
  const variant = values.tenant !== undefined ? '--tenant' : values.openapi === '3.0' ? '--openapi 3.0' : undefined;
  if (variant && outDir === DEFAULT_OPENAPI_DIR) {
    console.error(`export: ${variant} writes a variant of the documents; give it a directory of its own with --out (spec/openapi holds the committed ones)\n${USAGE}`);
    return 2;
  }

  // Every document is made before any is written: a spec that fails, fails whole.
  let files: Map<string, string>;
  try {
    const options: ExportOptions = values.openapi === '3.0' ? { openapi: '3.0' } : {};
    if (values.tenant !== undefined) {
      const tenantFile = resolve(values.tenant);
      options.tenant = { examples: tenantExamples(await loadTenantFixture(tenantFile)), label: label(tenantFile) };
    }
    files = renderOpenApi(await readSpec(specFile), specLabel, options);
  } catch (error) {
    if (error instanceof TenantFixtureError) console.error(`export: ${error.message}`);
    else if (error instanceof SpecError) console.error(`export: ${error.message}`);
    else if (error instanceof ExportError) console.error(`export: ${specFile}: cannot be exported: ${error.message}`);
    else throw error;
    return 1;
  }
  const existing = await existingDocuments(outDir);
  const stale = [...files].filter(([name, text]) => existing.get(name) !== text).map(([name]) => name);
  const orphans = [...existing.keys()].filter((name) => !files.has(name));
  const inRepository = relative(REPO_ROOT, outDir);
  const where = inRepository && !inRepository.startsWith('..') ? inRepository : outDir;

  if (values.check) {
    if (stale.length === 0 && orphans.length === 0) {
      console.log(`export openapi --check: ${files.size} documents in ${where} up to date`);
      return 0;
    }
    for (const name of stale) {
      const patch = createTwoFilesPatch(`a/${name}`, `b/${name}`, existing.get(name) ?? '', files.get(name) ?? '', 'committed', 'exported');
      const lines = patch.split('\n');
      console.error(lines.slice(0, 40).join('\n') + (lines.length > 40 ? `\n... ${lines.length - 40} more diff lines` : ''));
    }
    for (const name of stale) console.error(`${join(where, name)}: ${existing.has(name) ? 'differs from what the spec gives' : 'missing'}`);
    for (const name of orphans) console.error(`${join(where, name)}: exported earlier but no longer given by the spec`);
    console.error(`export openapi --check: ${stale.length + orphans.length} document(s) stale; run \`npm run export\``);
    return 1;
  }
  for (const name of stale) await writeFileAtomic(join(outDir, name), files.get(name)!);
  for (const name of orphans) await rm(join(outDir, name), { force: true });
  console.log(`export openapi: ${files.size} documents in ${where} (${stale.length} written, ${orphans.length} removed)`);
  return 0;
}
