/**
 * Where the spec lives. Apart from io.ts so that code needing only the paths (the test
 * harness, in every Playwright worker and in the runner's test listing) does not load the
 * spec's schema, ajv and the YAML library.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export const REPO_ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');
export const DEFAULT_SPEC_PATH = resolve(REPO_ROOT, 'spec/profilephoto.yaml');
export const SCHEMA_PATH = resolve(REPO_ROOT, 'spec/spec.schema.json');

/** The source pages spec/sources.yaml names: input data, read in place beside the checkout. */
export const CORPUS_DIR = resolve(REPO_ROOT, '../shared/corpus');
/** The get, update and resource pages beside them in the same documentation, also in the manifest. */
export const PAGES_DIR = resolve(REPO_ROOT, '../shared/pages');

/** Set by .ci/run: the pages must be there, and a check that needs them may not be skipped. */
export const REQUIRE_CORPUS_ENV = 'PHOTO_CONFORMANCE_REQUIRE_CORPUS';

/**
 * Why a check that reads the source pages cannot run here, or undefined when it can. A clone
 * without ../shared beside it skips those checks with this reason rather than failing on a
 * missing file; where REQUIRE_CORPUS_ENV is set (CI) nothing is skipped, and a missing page
 * fails the check that reads it.
 */
export function corpusAbsent(): string | undefined {
  if (process.env[REQUIRE_CORPUS_ENV]) return undefined;
  const missing = [CORPUS_DIR, PAGES_DIR].filter((dir) => !existsSync(dir));
  if (!missing.length) return undefined;
  return `no source pages at ${missing.join(' or ')} (set ${REQUIRE_CORPUS_ENV}=1 to fail instead)`;
}
