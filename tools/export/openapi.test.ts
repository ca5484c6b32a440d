/**
 * The exported OpenAPI documents as the tools that read them see them: valid OpenAPI 3.1 for
 * @readme/openapi-parser, clean for @redocly/cli's recommended rules, and, read back, the same
 * contract as the spec they come from.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { compileErrors, dereference, validate } from '@readme/openapi-parser';
import jsYaml from 'js-yaml';
import { parse as parseYaml } from 'yaml';
import { readSpec, REPO_ROOT } from '../spec/io.ts';
import type { Spec } from '../spec/model.ts';
import { DEFAULT_OPENAPI_DIR, main } from './cli.ts';
import { CONTRACT_PARTS, contractOfDocuments, contractOfSpec, documentOperations } from './contract.ts';
import { keySegmentForms, renderOpenApi } from './openapi.ts';

const REDOCLY = join(REPO_ROOT, 'node_modules/.bin/redocly');
const REDOCLY_CONFIG = join(REPO_ROOT, 'redocly.yaml');
type Json = Record<string, unknown>;

async function committedDocuments(): Promise<string[]> {
  return (await readdir(DEFAULT_OPENAPI_DIR)).filter((n) => n.endsWith('.yaml')).sort().map((n) => join(DEFAULT_OPENAPI_DIR, n));
}

/** Validation the way a tool does it: errors and warnings both count. */
async function assertValid(file: string): Promise<void> {
  const result = await validate(file);
  assert.ok(result.valid, `${file}:\n${result.valid ? '' : compileErrors(result)}`);
  assert.equal(result.specification, 'OpenAPI', file);
  assert.deepEqual(result.warnings, [], `${file}: warnings`);
}

interface LintResult {
  totals: { errors: number; warnings: number; ignored: number };
  problems: { ruleId: string; severity: string; message: string; location?: { pointer?: string }[] }[];
}

function redoclyLint(file: string): Promise<LintResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(REDOCLY, ['lint', '--config', REDOCLY_CONFIG, '--format=json', '--max-problems', '1000', file], {
      cwd: REPO_ROOT,
      // No telemetry and no update check: the lint must not depend on the network.
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(JSON.parse(stdout) as LintResult);
      } catch {
        reject(new Error(`redocly lint ${file} printed no report:\n${stdout}\n${stderr}`));
      }
    });
  });
}

describe('the committed OpenAPI documents (spec/openapi/)', () => {
  it('are the four the spec gives, up to date: export openapi --check passes', async () => {
    const names = (await committedDocuments()).map((f) => f.slice(DEFAULT_OPENAPI_DIR.length + 1));
    assert.deepEqual(names, ['graph-beta.yaml', 'graph-v1.0.yaml', 'outlook-beta.yaml', 'outlook-v2.0.yaml']);
    const [log, error] = [console.log, console.error];
    const printed: string[] = [];
    console.log = console.error = (...args: unknown[]) => void printed.push(args.join(' '));
    try {
      assert.equal(await main(['openapi', '--check']), 0, printed.join('\n'));
    } finally {
      [console.log, console.error] = [log, error];
    }
  });

  it('validate as OpenAPI 3.1 with @readme/openapi-parser: no error, no warning', async () => {
    for (const file of await committedDocuments()) await assertValid(file);
  });

  it('lint clean with @redocly/cli, recommended rules (redocly.yaml): no error, no warning', async () => {
    const files = await committedDocuments();
    const results = await Promise.all(files.map(redoclyLint));
    results.forEach((result, i) => {
      const problems = result.problems.map((p) => `  ${p.severity} ${p.ruleId} ${p.location?.[0]?.pointer ?? ''}: ${p.message}`);
      assert.deepEqual(result.totals, { errors: 0, warnings: 0, ignored: 0 }, `${files[i]}:\n${problems.slice(0, 20).join('\n')}`);
    });
  });

  it('read the same through a reader of the YAML 1.1 types (a date stays a string)', async () => {
    // js-yaml's default schema resolves 1.1-style timestamps, as PyYAML and the readers under
    // many OpenAPI tools do; the documents are YAML 1.2, and must not depend on the difference.
    for (const file of await committedDocuments()) {
      const text = await readFile(file, 'utf8');
      assert.deepEqual(jsYaml.load(text, { schema: jsYaml.DEFAULT_SCHEMA }), parseYaml(text), file);
    }
  });
});

describe('round trip: spec -> OpenAPI -> read back with the validator', () => {
  let dir: string;
  let spec: Spec;
  let documents: Json[];
  before(async () => {
    // The committed spec stands for the extraction (the pages need not be beside the checkout).
    spec = await readSpec();
    dir = await mkdtemp(join(tmpdir(), 'openapi-round-trip-'));
    documents = [];
    for (const [name, text] of renderOpenApi(spec, 'spec/profilephoto.yaml')) {
      const file = join(dir, name);
      await writeFile(file, text);
      await assertValid(file);
      documents.push((await dereference(file)) as unknown as Json);
    }
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('loses no operation, path form, permission, limit, size variant, status code, requirement or conflict', () => {
    const expected = contractOfSpec(spec);
    const actual = contractOfDocuments(documents);
    // Not vacuous: every part of the spec's contract has something in it.
    assert.equal(expected.operations.size, spec.operations.length);
    assert.equal(expected.requirements.size, spec.requirements.length);
    for (const part of CONTRACT_PARTS) {
      assert.ok(expected[part].size > 0, `the spec has ${part}`);
      const missing = [...expected[part]].filter((x) => !actual[part].has(x)).sort();
      const extra = [...actual[part]].filter((x) => !expected[part].has(x)).sort();
      assert.deepEqual({ missing: missing.slice(0, 10), extra: extra.slice(0, 10) }, { missing: [], extra: [] }, `${part}: ${missing.length} lost, ${extra.length} added`);
    }
  });

  it('a key-segment path is an operation of its own that promises what its canonical twin does', () => {
    let twins = 0;
    for (const document of documents) {
      const operations = documentOperations(document);
      for (const twin of operations.filter((o) => o.writtenPath !== undefined)) {
        twins += 1;
        const canonical = operations.find((o) => o.writtenPath === undefined && o.specId === twin.specId && o.method === twin.method);
        assert.ok(canonical, `${twin.writtenPath}: its canonical twin`);
        for (const part of ['permissions', 'statuses', 'limits', 'sizes'] as const) {
          assert.deepEqual([...twin[part]].sort(), [...canonical[part]].sort(), `${twin.writtenPath}: ${part}`);
        }
      }
    }
    assert.equal(twins, spec.operations.reduce((n, op) => n + keySegmentForms(op).length, 0));
  });

  it("a photo's body is binary, no longer than the smaller of the operation's limits (maxLength and x-max-bytes)", () => {
    const limitsOf = new Map(spec.operations.map((op) => [op.id, [op.maxRequestBytes, op.maxPhotoBytes].filter((n): n is number => n !== undefined)]));
    let bodies = 0;
    for (const document of documents) {
      for (const item of Object.values(document.paths as Json)) {
        for (const operation of Object.values(item as Json) as Json[]) {
          const body = operation.requestBody as Json | undefined;
          if (!body) continue;
          bodies += 1;
          const id = String(operation['x-spec-operation-id'] ?? operation.operationId);
          const limits = limitsOf.get(id) ?? [];
          for (const [mediaType, media] of Object.entries(body.content as Json)) {
            const schema = (media as Json).schema as Json;
            assert.equal(schema.format, 'binary', `${id} ${mediaType}`);
            assert.equal(schema.maxLength, limits.length ? Math.min(...limits) : undefined, `${id} ${mediaType}: maxLength`);
            assert.equal(body['x-max-bytes'], schema.maxLength, `${id} ${mediaType}: x-max-bytes`);
          }
          for (const limit of (body['x-limits'] as Json[] | undefined) ?? []) {
            assert.ok((limit.provenance as unknown[]).length > 0, `${id}: the ${String(limit.subject)} limit says where it comes from`);
          }
        }
      }
    }
    assert.ok(bodies >= spec.operations.filter((o) => o.body?.kind === 'binary').length);
  });

  it('every path parameter has an example its schema accepts, for tools that send example requests (Dredd)', () => {
    const pages = new Set<string>();
    for (const document of documents) {
      for (const [path, item] of Object.entries(document.paths as Json)) {
        for (const op of Object.values(item as Json) as Json[]) {
          for (const parameter of ((op.parameters as Json[]) ?? []).filter((p) => p.in === 'path')) {
            const where = `${String(op.operationId)} ${path} {${String(parameter.name)}}`;
            assert.equal(typeof parameter.example, 'string', `${where}: an example`);
            const schema = parameter.schema as Json;
            if (schema.enum) assert.ok((schema.enum as string[]).includes(parameter.example as string), `${where}: ${String(parameter.example)} is one of the enum`);
            const source = parameter['x-example-source'] as Json;
            assert.ok(['pages', 'kind'].includes(String(source.from)), `${where}: says where the example comes from`);
            if (source.from === 'pages') pages.add(`${String(parameter.name)}=${String(parameter.example)}`);
          }
        }
      }
    }
    // The values the pages' example requests write: a team's id and a size.
    assert.ok(pages.has('teamId=172b0cce-e65d-44ce-9a49-91d9f2e8491e'), [...pages].join(', '));
    assert.ok(pages.has('size=48x48'), [...pages].join(', '));
  });

  it('every operation describes the answers no page lists: `default` is the protocol error body, not a status', () => {
    for (const document of documents) {
      for (const item of Object.values(document.paths as Json)) {
        for (const op of Object.values(item as Json) as Json[]) {
          const fallback = (op.responses as Json).default as Json;
          assert.ok(fallback, `${String(op.operationId)}: a default response`);
          assert.deepEqual(Object.keys(fallback.content as Json), ['application/json']);
        }
      }
    }
  });

  it('every promise leads to its sentence: each requirement an operation names is in its document with a quote and a source line', () => {
    for (const document of documents) {
      const full = new Map(((document['x-requirements'] as Json[]) ?? []).map((r) => [r.id, r]));
      for (const op of Object.values(document.paths as Json).flatMap((item) => Object.values(item as Json) as Json[])) {
        for (const ref of op['x-requirements'] as Json[]) {
          const requirement = full.get(ref.id);
          assert.ok(requirement, `${String(op.operationId)}: ${String(ref.id)} is in the document`);
          assert.ok((requirement.quote as Json).text, `${String(ref.id)}: quoted`);
          const provenance = requirement.provenance as Json[];
          assert.ok(provenance.length > 0 && provenance.every((p) => typeof p.file === 'string' && Number(p.line) > 0), `${String(ref.id)}: file and line`);
        }
        assert.ok((op['x-provenance'] as unknown[]).length > 0, `${String(op.operationId)}: the request line behind it`);
      }
    }
  });
});

describe('as OpenAPI 3.0.3 (export openapi --openapi 3.0), for tools that read no 3.1', () => {
  let dir: string;
  let spec: Spec;
  const files: string[] = [];
  before(async () => {
    spec = await readSpec();
    dir = await mkdtemp(join(tmpdir(), 'openapi-30-'));
    for (const [name, text] of renderOpenApi(spec, 'spec/profilephoto.yaml', { openapi: '3.0' })) {
      const file = join(dir, name);
      await writeFile(file, text);
      files.push(file);
    }
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('validate as OpenAPI 3.0.3 and lint clean, with no keyword 3.0 lacks', async () => {
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      assert.match(text, /^openapi: 3\.0\.3$/m, file);
      assert.doesNotMatch(text, /^\s*(const|patternProperties|\$comment):/m, `${file}: a 3.1-only keyword`);
      await assertValid(file);
      const lint = await redoclyLint(file);
      assert.deepEqual(lint.problems.map((p) => `${p.ruleId}: ${p.message}`), [], file);
    }
  });

  it('lose nothing the round trip reads, and say where a schema admits more than in 3.1', async () => {
    const documents: Json[] = [];
    for (const file of files) documents.push((await dereference(file)) as unknown as Json);
    const expected = contractOfSpec(spec);
    const actual = contractOfDocuments(documents);
    for (const part of CONTRACT_PARTS) assert.deepEqual([...actual[part]].sort(), [...expected[part]].sort(), part);
    const graph = parseYaml(await readFile(files.find((f) => f.endsWith('graph-v1.0.yaml'))!, 'utf8')) as Json;
    const schemas = (graph.components as Json).schemas as Record<string, Json>;
    const lossy = Object.entries(schemas).filter(([, s]) => s['x-openapi-3.0-loss']);
    assert.ok(lossy.length > 0, 'the metadata schema admits only annotations beside its properties in 3.1');
    for (const [name, s] of lossy) {
      assert.equal(s.additionalProperties, true, name);
      assert.ok(s['x-pattern-properties'], name);
    }
  });
});
