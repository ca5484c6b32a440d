import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { readSpec, REPO_ROOT, writeSpec } from '../spec/io.ts';
import type { Spec } from '../spec/model.ts';
import { DEFAULT_OPENAPI_DIR, main } from './cli.ts';
import { OPENAPI_HEADER_PREFIX, renderOpenApi } from './openapi.ts';

const DOCUMENTS = ['graph-beta.yaml', 'graph-v1.0.yaml', 'outlook-beta.yaml', 'outlook-v2.0.yaml'];
const LABEL = 'spec/profilephoto.yaml';

/** Runs the verb with its console output captured. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = (...args: unknown[]) => void out.push(args.join(' '));
  console.error = (...args: unknown[]) => void err.push(args.join(' '));
  try {
    return { code: await main(argv), out: out.join('\n'), err: err.join('\n') };
  } finally {
    [console.log, console.error] = [log, error];
  }
}

const listing = async (dir: string) => (await readdir(dir).catch(() => [] as string[])).sort();

describe('photo-conformance export openapi', () => {
  let dir: string;
  let spec: Spec;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'export-openapi-'));
    spec = await readSpec();
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('is deterministic: two exports are byte-identical, whatever order the spec lists its facts in', async () => {
    const first = renderOpenApi(spec, LABEL);
    assert.deepEqual([...renderOpenApi(structuredClone(spec), LABEL)], [...first]);

    const shuffled = structuredClone(spec);
    for (const list of [shuffled.operations, shuffled.requirements, shuffled.conflicts, shuffled.limits, shuffled.methods, shuffled.behaviours, shuffled.sources, shuffled.entities ?? []]) list.reverse();
    for (const r of shuffled.requirements) r.operations.reverse();
    shuffled.schemas = Object.fromEntries(Object.entries(shuffled.schemas).reverse());
    assert.deepEqual([...renderOpenApi(shuffled, LABEL)], [...first]);

    // And through the command: two runs, two folders, the same bytes.
    const [a, b] = [join(dir, 'a'), join(dir, 'b')];
    assert.equal((await run(['openapi', '--out', a])).code, 0);
    assert.equal((await run(['openapi', '--out', b])).code, 0);
    assert.deepEqual(await listing(a), DOCUMENTS);
    for (const name of DOCUMENTS) assert.equal(await readFile(join(a, name), 'utf8'), await readFile(join(b, name), 'utf8'), name);
  });

  it('writes one OpenAPI 3.1 document per API and version: no timestamp, no absolute path', async () => {
    const files = renderOpenApi(spec, LABEL);
    assert.deepEqual([...files.keys()], DOCUMENTS);
    for (const [name, text] of files) {
      assert.ok(text.startsWith(`${OPENAPI_HEADER_PREFIX} from ${LABEL}.`), `${name}: the first line names what wrote it`);
      assert.match(text, /^openapi: 3\.1\.0$/m, name);
      assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/, `${name}: no timestamp`);
      for (const absolute of [REPO_ROOT, tmpdir(), homedir()]) assert.ok(!text.includes(absolute), `${name}: no ${absolute}`);
    }
  });

  it('--out writes elsewhere and leaves the committed documents alone', async () => {
    const committed = await Promise.all(DOCUMENTS.map((n) => readFile(join(DEFAULT_OPENAPI_DIR, n), 'utf8').catch(() => '')));
    const out = join(dir, 'elsewhere');
    const { code, out: printed } = await run(['openapi', '--out', out]);
    assert.equal(code, 0);
    assert.match(printed, /4 documents .*\(4 written, 0 removed\)/);
    assert.deepEqual(await listing(out), DOCUMENTS);
    assert.deepEqual(await Promise.all(DOCUMENTS.map((n) => readFile(join(DEFAULT_OPENAPI_DIR, n), 'utf8').catch(() => ''))), committed);
  });

  it('--check passes on fresh documents and fails, naming each stale file, on an edited, a missing or an orphaned one', async () => {
    const out = join(dir, 'check');
    const args = ['openapi', '--out', out];
    const empty = await run([...args, '--check']);
    assert.equal(empty.code, 1, 'an empty folder is stale');
    for (const name of DOCUMENTS) assert.match(empty.err, new RegExp(`${name.replace(/\./g, '\\.')}: missing`));
    assert.deepEqual(await listing(out), [], '--check writes nothing');

    assert.equal((await run(args)).code, 0);
    assert.equal((await run([...args, '--check'])).code, 0);

    const edited = join(out, 'graph-v1.0.yaml');
    await writeFile(edited, (await readFile(edited, 'utf8')).replace('maxLength: 4194304', 'maxLength: 5000000'));
    const stale = await run([...args, '--check']);
    assert.equal(stale.code, 1, 'an edited document is stale');
    assert.match(stale.err, /graph-v1\.0\.yaml: differs from what the spec gives/);
    assert.doesNotMatch(stale.err, /graph-beta\.yaml: /, 'only the stale file is named');
    assert.match(stale.err, /^-.*maxLength: 5000000$/m, 'with the diff');

    await rm(join(out, 'outlook-beta.yaml'));
    await writeFile(join(out, 'graph-v0.9.yaml'), `${OPENAPI_HEADER_PREFIX} from ${LABEL}.\nopenapi: 3.1.0\n`);
    await writeFile(join(out, 'notes.yaml'), 'not: ours\n');
    const more = await run([...args, '--check']);
    assert.equal(more.code, 1);
    assert.match(more.err, /outlook-beta\.yaml: missing/);
    assert.match(more.err, /graph-v0\.9\.yaml: exported earlier but no longer given by the spec/);
    assert.doesNotMatch(more.err, /notes\.yaml/, 'a file the command did not write is not its to judge');

    const rewrite = await run(args);
    assert.equal(rewrite.code, 0);
    assert.match(rewrite.out, /\(2 written, 1 removed\)/);
    assert.deepEqual(await listing(out), [...DOCUMENTS, 'notes.yaml'].sort());
    assert.equal((await run([...args, '--check'])).code, 0);
  });

  it('an unreadable, unparsable, invalid or unexportable spec: exit 1, an error naming the file, nothing written', async () => {
    const out = join(dir, 'bad-out');
    const cases: [string, () => Promise<void>, RegExp][] = [
      ['missing.yaml', async () => {}, /missing\.yaml: not found/],
      ['garbled.yaml', () => writeFile(join(dir, 'garbled.yaml'), 'operations: [\n  - {id: "'), /garbled\.yaml: cannot be parsed/],
      ['invalid.yaml', () => writeFile(join(dir, 'invalid.yaml'), stringify({ specVersion: 2 })), /invalid\.yaml: does not match/],
      [
        'unexportable.yaml',
        async () => {
          // A key-segment form with more placeholders than its operation has parameters.
          const broken = structuredClone(spec);
          const op = broken.operations.find((o) => o.parameters.length === 1)!;
          op.originalPaths.push("/Users('{a}')/photos('{b}')");
          await writeSpec(broken, join(dir, 'unexportable.yaml'));
        },
        /unexportable\.yaml: cannot be exported: .*has 2 placeholders/,
      ],
    ];
    for (const [name, make, message] of cases) {
      await make();
      const { code, err } = await run(['openapi', '--spec', join(dir, name), '--out', out]);
      assert.equal(code, 1, name);
      assert.match(err, message, name);
      assert.deepEqual(await listing(out), [], `${name}: nothing written`);
    }
  });

  it('--tenant gives path parameters examples that name the tenant\'s objects with a photo, and needs --out', async () => {
    const out = join(dir, 'tenant');
    const { code, err } = await run(['openapi', '--tenant', 'tools/tenant/default-tenant.yaml', '--out', out]);
    assert.equal(code, 0, err);
    const text = await readFile(join(out, 'graph-v1.0.yaml'), 'utf8');
    assert.match(text.split('\n')[0]!, /path examples from the tenant tools\/tenant\/default-tenant\.yaml/);
    const document = parse(text) as { paths: Record<string, Record<string, { parameters?: { in: string; name: string; example: string; 'x-example-source': { from: string } }[] }>> };
    const examples = (path: string) =>
      Object.fromEntries((document.paths[path]!.get!.parameters ?? []).filter((p) => p.in === 'path').map((p) => [p.name, [p.example, p['x-example-source'].from]]));
    // Adele Vance (a mailbox, a photo, contacts with photos), Sales and Marketing, U.S. Sales.
    assert.deepEqual(examples('/users/{userId}/photo'), { userId: ['5b2e7c41-0001-4a1f-8d3e-000000000101', 'tenant'] });
    assert.deepEqual(examples('/groups/{groupId}/photo'), { groupId: ['0c7d1e52-0001-4b6a-9c2d-000000000201', 'tenant'] });
    assert.deepEqual(examples('/teams/{teamId}/photo'), { teamId: ['0c7d1e52-0005-4b6a-9c2d-000000000205', 'tenant'] });
    assert.deepEqual(examples('/me/contactFolders/{contactFolderId}/contacts/{contactId}/photo'), {
      contactFolderId: ['AAMkAGVendors', 'tenant'],
      contactId: ['AAMkAGContactVendorPat', 'tenant'],
    });
    assert.deepEqual(examples('/me/contacts/{contactId}/photo'), { contactId: ['AAMkAGContactAlex', 'tenant'] });
    // A size the pages write stands for any tenant.
    assert.deepEqual(examples('/me/photos/{size}'), { size: ['48x48', 'pages'] });

    const into = await run(['openapi', '--tenant', 'tools/tenant/default-tenant.yaml']);
    assert.equal(into.code, 2, 'never over the committed documents');
    assert.match(into.err, /--out/);
    const missing = await run(['openapi', '--tenant', join(dir, 'no-such-tenant.yaml'), '--out', join(dir, 'never')]);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /no-such-tenant\.yaml.*not found/);
    assert.deepEqual(await listing(join(dir, 'never')), []);
  });

  it('usage errors exit 2: no format, an unknown format, an unknown option, an unknown OpenAPI version, a variant over the committed documents', async () => {
    for (const argv of [[], ['swagger'], ['openapi', 'extra'], ['openapi', '--outdir', dir], ['openapi', '--openapi', '2.0', '--out', dir], ['openapi', '--openapi', '3.0']]) {
      const { code, err } = await run(argv);
      assert.equal(code, 2, argv.join(' '));
      assert.match(err, /usage: photo-conformance export openapi/);
    }
  });
});
