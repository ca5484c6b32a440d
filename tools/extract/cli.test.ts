import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseSpecText, readSpec } from '../spec/io.ts';
import { main, parseArgs } from './cli.ts';

const FIXTURE = fileURLToPath(new URL('./rules/permissions/fixtures/fr-bilingual-table/input.md', import.meta.url));
const FIXTURE_DIR = fileURLToPath(new URL('./rules/responses/fixtures/', import.meta.url));
const dir = await mkdtemp(join(tmpdir(), 'extract-cli-'));
after(() => rm(dir, { recursive: true, force: true }));

/** Runs the CLI capturing what it prints. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { out: (t) => (stdout += t), err: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const common = ['--jobs', '1', '--no-cache'];

test('writes a valid spec for one page and checks it', async () => {
  const out = join(dir, 'one.yaml');
  const first = await run(['--docs', FIXTURE, '--out', out, ...common]);
  assert.equal(first.code, 0, first.stderr);
  const spec = await readSpec(out);
  assert.deepEqual(
    spec.operations.map((o) => o.id),
    ['graph.v1.0.put.group.value', 'graph.v1.0.put.me.value', 'graph.v1.0.put.user.value'],
  );
  assert.match(await readFile(out, 'utf8'), /^# yaml-language-server: \$schema=/);
  const check = await run(['--docs', FIXTURE, '--out', out, '--check', ...common]);
  assert.equal(check.code, 0, check.stderr);
});

test('--check fails with a readable diff when the written spec is stale', async () => {
  const out = join(dir, 'stale.yaml');
  assert.equal((await run(['--docs', FIXTURE, '--out', out, ...common])).code, 0);
  const text = await readFile(out, 'utf8');
  await writeFile(out, text.replace('User.ReadWrite.All', 'User.Read.All'));
  const check = await run(['--docs', FIXTURE, '--out', out, '--check', ...common]);
  assert.equal(check.code, 1);
  assert.match(check.stderr, /^-.*User\.Read\.All/m);
  assert.match(check.stderr, /^\+.*User\.ReadWrite\.All/m);
  assert.match(check.stderr, /stale/);
  // --check never writes.
  assert.match(await readFile(out, 'utf8'), /User\.Read\.All/);
});

test('--format json without --out prints the spec to stdout', async () => {
  const result = await run(['--docs', FIXTURE_DIR, '--format', 'json', ...common]);
  assert.equal(result.code, 0, result.stderr);
  const spec = parseSpecText(result.stdout, 'stdout.json');
  assert.ok(spec.operations.length > 0);
  assert.ok(spec.sources.length >= 3, 'a directory gives every page in it');
});

test('diagnostics are printed file:line:column severity message rule-id; --report json for machines', async () => {
  const human = await run(['--docs', FIXTURE_DIR, '--format', 'json', ...common]);
  assert.match(human.stderr, /^\S+invalid-json-example\/input\.md:9:1 warning response example is not valid JSON: .+ responses$/m);
  const machine = await run(['--docs', FIXTURE_DIR, '--out', join(dir, 'report.yaml'), '--report', 'json', ...common]);
  const report = JSON.parse(machine.stdout) as { diagnostics: { file: string; ruleId: string }[] };
  assert.ok(report.diagnostics.some((d) => d.ruleId === 'responses' && d.file.endsWith('invalid-json-example/input.md')));
});

test('an unreadable page is an error naming the file, and nothing is written', async () => {
  const out = join(dir, 'missing.yaml');
  const missing = join(dir, 'no-such-page.md');
  const result = await run(['--docs', missing, '--out', out, ...common]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /no-such-page\.md:1:1 error .*(not exist|cannot be read)/);
  await assert.rejects(readFile(out, 'utf8'));
});

test('one unreadable page among good ones: spec written, exit code 1', async () => {
  const out = join(dir, 'partial.yaml');
  const result = await run(['--docs', FIXTURE, join(dir, 'gone.md'), '--out', out, ...common]);
  assert.equal(result.code, 1);
  assert.ok((await readSpec(out)).operations.length > 0);
});

test('pages that state no photo operation are an error, and the spec in place is kept', async () => {
  const out = join(dir, 'kept.yaml');
  await writeFile(out, 'the spec in place\n');
  const page = join(dir, 'send-mail.md');
  await writeFile(page, '# Send mail\n\n```http\nPOST https://graph.microsoft.com/v1.0/me/sendMail\n```\n');
  const result = await run(['--docs', page, '--out', out, ...common]);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /error none of the 1 page\(s\) states a profile photo operation.*left as it was/);
  assert.equal(await readFile(out, 'utf8'), 'the spec in place\n');
});

test('usage errors exit 2', async () => {
  assert.equal((await run(['--format', 'xml'])).code, 2);
  assert.equal((await run(['--bogus'])).code, 2);
  assert.throws(() => parseArgs(['--out']), /needs a value/);
  assert.deepEqual(parseArgs(['--docs', 'a', 'b', '--check']).docs, ['a', 'b']);
});
