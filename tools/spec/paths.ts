/**
 * Where the spec lives. Apart from io.ts so that code needing only the paths (the test
 * harness, in every Playwright worker and in the runner's test listing) does not load the
 * spec's schema, ajv and the YAML library.
 */
import { dirname, resolve } from 'node:path';

export const REPO_ROOT = resolve(dirname(new URL(import.meta.url).pathname), '../..');
export const DEFAULT_SPEC_PATH = resolve(REPO_ROOT, 'spec/profilephoto.yaml');
export const SCHEMA_PATH = resolve(REPO_ROOT, 'spec/spec.schema.json');
