import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { readSpec } from '../spec/io.ts';
import type { Spec } from '../spec/model.ts';
import { main } from './cli.ts';
import { generateSuite } from './generate.ts';
import { planSuite } from './plan.ts';
import { GENERATED_HEADER } from './render.ts';

const FIXTURE = new URL('./fixtures/small-spec/spec.yaml', import.meta.url).pathname;
const load = () => readSpec(FIXTURE);
const clone = (spec: Spec): Spec => structuredClone(spec);
const allText = (spec: Spec) => [...generateSuite(spec).files.values()].join('\n');
const tests = (spec: Spec) => planSuite(spec).flatMap((f) => f.tests);

describe('generateSuite', () => {
  it('is deterministic: same spec, same bytes; shuffled input order, same bytes', async () => {
    const spec = await load();
    const first = generateSuite(spec);
    const again = generateSuite(clone(spec));
    assert.deepEqual([...again.files], [...first.files]);
    const shuffled = clone(spec);
    shuffled.requirements.reverse();
    for (const r of shuffled.requirements) r.operations.reverse();
    assert.deepEqual([...generateSuite(shuffled).files], [...first.files]);
  });

  it('writes one file per api and version, each starting with the generated-file line', async () => {
    const { files } = generateSuite(await load());
    assert.deepEqual([...files.keys()], ['graph-beta.spec.ts', 'graph-v1.0.spec.ts', 'outlook-beta.spec.ts']);
    for (const text of files.values()) {
      assert.equal(text.split('\n')[0], GENERATED_HEADER);
      assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}T/, 'no timestamps');
    }
  });

  it('tags every test with api, version, resource, area and level; @writes and @negative where they apply', async () => {
    for (const t of tests(await load())) {
      const op = t.annotations.find((a) => a.type === 'operation')!.description;
      const api = op.split('.')[0];
      assert.ok(t.tags.includes(`@${api}`), `${t.title}: api tag`);
      assert.ok(t.tags.some((g) => ['@me', '@user', '@group', '@contact'].includes(g)), `${t.title}: resource tag`);
      assert.ok(t.tags.some((g) => ['@v1.0', '@beta', '@v2.0'].includes(g)), `${t.title}: version tag`);
      assert.ok(t.tags.includes(`@${t.requirement.area}`), `${t.title}: area tag`);
      assert.ok(t.tags.includes(`@${t.requirement.level.toLowerCase()}`), `${t.title}: level tag`);
      assert.ok(t.title.startsWith(t.requirement.id), `${t.title}: title starts with the requirement id`);
      assert.deepEqual(
        t.annotations.map((a) => a.type),
        ['requirement', 'level', 'area', 'source', 'operation'],
      );
      assert.match(t.annotations.find((a) => a.type === 'source')!.description, /^.+:\d+$/);
    }
    const all = tests(await load());
    const methodRefused = all.find((t) => t.check.check === 'method-refused');
    assert.ok(methodRefused, 'PATCH on beta is planned as refused');
    assert.ok(methodRefused.tags.includes('@negative') && methodRefused.tags.includes('@writes'));
    assert.equal((methodRefused.check as { method: string }).method, 'PATCH');
    const schema = all.find((t) => t.check.check === 'response-schema')!;
    assert.ok(!schema.tags.includes('@writes'), 'a read is not @writes');
  });

  it('holds no fact of its own: a changed limit, status, size list or permission changes the tests', async () => {
    const spec = await load();
    const before = allText(spec);
    assert.match(before, /maxRequestBytes: 4194304/);

    const limit = clone(spec);
    const limitRequirement = limit.requirements.find((r) => r.assert.kind === 'size-limit')!;
    limitRequirement.assert = { kind: 'size-limit', maxRequestBytes: 1234567 };
    const limitText = allText(limit);
    assert.match(limitText, /maxRequestBytes: 1234567/);
    assert.match(limitText, /just over 1234567 bytes refused/);
    assert.doesNotMatch(limitText, /just over 4194304/);

    const status = clone(spec);
    const statusRequirement = status.requirements.find((r) => r.assert.kind === 'status')!;
    statusRequirement.assert = { kind: 'status', status: 201 };
    assert.match(allText(status), /check: "status",\n\s+status: 201/);

    const sizes = clone(spec);
    sizes.sizeVariants!.predefined = ['50x50', '700x700'];
    const sizesRequirement = sizes.requirements.find((r) => r.assert.kind === 'size-variants')!;
    sizesRequirement.assert = { kind: 'size-variants', sizes: ['50x50', '700x700'], availability: 'atOrBelowUpload' };
    const sizesText = allText(sizes);
    assert.match(sizesText, /after a 700x700 upload/);
    assert.match(sizesText, /after a 50x50 upload/);
    assert.doesNotMatch(sizesText, /after a 648x648 upload/);

    const permission = clone(spec);
    const p = permission.requirements.find((r) => r.assert.kind === 'permission' && r.assert.type === 'application')!;
    p.assert = { kind: 'permission', type: 'application', supported: true, permissions: ['Photo.Write.Custom'] };
    assert.match(allText(permission), /application Photo\.Write\.Custom \(least privileged\) works/);

    const path = clone(spec);
    path.operations.find((o) => o.id === 'graph.beta.put.me.value')!.path = '/me/picture/$value';
    assert.match(allText(path), /path: "\/me\/picture\/\$value"/);
  });

  it('plans one test per protocol requirement, on an operation that can show it', async () => {
    const spec = await load();
    const ops = spec.operations.filter((o) => o.api === 'outlook' && o.version === 'beta');
    const reads = ops.filter((o) => o.method === 'GET').map((o) => o.id);
    const writes = ops.filter((o) => o.method !== 'GET' && o.target === 'value').map((o) => o.id);
    const protocol = (id: string, assert: Spec['requirements'][number]['assert'], operations: string[]) => ({
      id: `outlook.beta/protocol/${id}`,
      level: 'SHOULD' as const,
      levelBasis: { rule: 'observed' as const, note: 'facts' },
      area: 'protocol' as const,
      description: id,
      quote: { text: id, lang: 'en' },
      operations,
      assert,
      sources: [{ source: 'facts.x', ref: 'facts/x.md:3:1', line: 3, column: 1 }],
    });
    spec.requirements.push(
      protocol('error-unauthenticated', { kind: 'error-body', situation: 'unauthenticated', status: 401, code: 'InvalidAuthenticationToken' }, [...reads, ...writes]),
      protocol('not-an-image', { kind: 'error-body', situation: 'not-an-image' }, [...reads, ...writes]),
      protocol('throttling', { kind: 'throttling', header: 'Retry-After' }, reads),
      protocol('client-request-id', { kind: 'response-header', header: 'client-request-id', echo: true }, reads),
    );
    const planned = tests(spec).filter((t) => t.requirement.area === 'protocol');
    const by = (id: string) => planned.filter((t) => t.requirement.id === `outlook.beta/protocol/${id}`);
    assert.equal(by('error-unauthenticated').length, 1, 'one refusal test for the version, not one per operation');
    assert.equal(by('error-unauthenticated')[0]!.annotations.find((a) => a.type === 'operation')!.description.includes('.get.'), true, 'a refusal is asked of a read');
    assert.deepEqual(by('error-unauthenticated')[0]!.check, { check: 'error-body', situation: 'unauthenticated', status: 401, code: 'InvalidAuthenticationToken' });
    assert.ok(writes.length > 0, 'the fixture has a write to refuse bytes on');
    assert.equal(by('not-an-image').length, 1);
    assert.match(by('not-an-image')[0]!.title, / PUT /);
    assert.equal(by('throttling').length, 1);
    // A header is a property of each read: one test per read of the bytes or metadata.
    assert.equal(by('client-request-id').length, reads.length);
    assert.ok(by('client-request-id').every((t) => t.check.check === 'response-header' && t.check.echo === true));
  });

  it('addresses every documented key-segment form of a path once, as written', async () => {
    const spec = await load();
    const withStatus = spec.requirements.find((r) => r.assert.kind === 'status')!;
    const op = spec.operations.find((o) => o.id === withStatus.operations[0])!;
    op.originalPaths = ["/Users('{user_id}')/photo", '/users/{id}/photo', "https://outlook.office.com/api/beta/Users('a@b.com')/photo"];
    const forms = tests(spec).filter((t) => t.check.check === 'status' && t.check.pathForm);
    assert.deepEqual(forms.map((t) => (t.check as { pathForm?: string }).pathForm), ["/Users('{user_id}')/photo"]);
    assert.match(forms[0]!.title, /addressed as \/Users\('\{user_id\}'\)\/photo/);
  });

  it('plans no read-back where the spec documents no read: the harness skips with a reason', async () => {
    const graphRoundTrip = tests(await load()).find((t) => t.check.check === 'round-trip' && t.title.includes('graph'))!;
    assert.deepEqual(graphRoundTrip.related, {});
    const outlookRoundTrip = tests(await load()).find((t) => t.check.check === 'round-trip' && t.annotations.some((a) => a.description.startsWith('outlook.')))!;
    // Every documented read of the resource reads the photo back: bytes, metadata and sizes.
    assert.deepEqual(Object.keys(outlookRoundTrip.related).sort(), ['metadata', 'photoSizeValue', 'photos', 'value']);
    assert.ok(outlookRoundTrip.check.check === 'round-trip' && outlookRoundTrip.check.sizes?.length, 'the sizes to read back are planned');
  });
});

describe('photo-conformance generate --check', () => {
  it('passes on fresh files, fails on a stale or an orphaned one, and rewrites them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'generate-'));
    try {
      const spec = ['--spec', FIXTURE, '--out', dir];
      assert.equal(await main([...spec, '--check']), 1, 'empty directory is stale');
      assert.equal(await main(spec), 0);
      assert.equal(await main([...spec, '--check']), 0);
      const file = join(dir, 'graph-beta.spec.ts');
      await writeFile(file, (await readFile(file, 'utf8')).replace('PATCH', 'DELETE'));
      assert.equal(await main([...spec, '--check']), 1, 'an edited file is stale');
      await writeFile(join(dir, 'old-api.spec.ts'), `${GENERATED_HEADER}\n`);
      await main(spec);
      assert.deepEqual((await readdir(dir)).sort(), ['graph-beta.spec.ts', 'graph-v1.0.spec.ts', 'outlook-beta.spec.ts']);
      assert.equal(await main([...spec, '--check']), 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the file when the spec is invalid', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'generate-'));
    try {
      const bad = join(dir, 'bad.yaml');
      await writeFile(bad, stringify({ specVersion: 2 }));
      const errors: string[] = [];
      const original = console.error;
      console.error = (...args: unknown[]) => void errors.push(args.join(' '));
      try {
        assert.equal(await main(['--spec', bad, '--out', dir]), 1);
      } finally {
        console.error = original;
      }
      assert.match(errors.join('\n'), /bad\.yaml/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
