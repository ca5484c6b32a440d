/**
 * A third-party mock on trial, end to end: Stoplight Prism serves the OpenAPI export, the
 * suite runs against it by URL with tokens from the environment, and the run must be
 * conformant to spec/expectations/prism.yaml, whose every deviation says why Prism differs
 * from the pages (stateless, no token checks, generated headers...). A change that makes the
 * export or Prism serve something else shows here as a new failure or an unexpected pass.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseResultsText } from '../report/results-model.ts';
import { REPO_ROOT } from '../spec/paths.ts';
import { PRISM_TOKENS, startPrismMocks, type PrismMocks } from './serve.ts';

describe('Prism serving the OpenAPI export', { timeout: 900_000 }, () => {
  let prism: PrismMocks;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'prism-trial-'));
    prism = await startPrismMocks();
  });
  after(async () => {
    await prism?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves each API and version under its own prefix of one origin, and nothing else', async () => {
    const auth = { authorization: `Bearer ${PRISM_TOKENS.PHOTO_TOKEN_APP}` };
    const graph = await fetch(`${prism.url}/v1.0/me/photo`, { headers: auth });
    assert.equal(graph.status, 200);
    assert.equal(((await graph.json()) as { width?: unknown }).width !== undefined, true, 'Graph metadata in camelCase');
    const outlook = await fetch(`${prism.url}/api/v2.0/me/photo`, { headers: auth });
    assert.equal(outlook.status, 200);
    assert.equal(((await outlook.json()) as { Width?: unknown }).Width !== undefined, true, 'Outlook metadata in PascalCase');
    const unknown = await fetch(`${prism.url}/v2.0/me/photo`, { headers: auth });
    assert.equal(unknown.status, 404);
    const anonymous = await fetch(`${prism.url}/v1.0/me/photo`);
    assert.equal(anonymous.status, 401, 'the OAuth 2.0 requirement is one thing Prism does check');
  });

  it('is conformant to its baseline when the suite runs against it by URL', async () => {
    const resultsFile = join(dir, 'results.json');
    const args = [
      '--import', 'tsx', 'tools/cli/main.ts', 'run',
      '--base-url', prism.url,
      '--tenant-file', 'tools/tenant/default-tenant.yaml',
      '--expectations', 'spec/expectations/prism.yaml',
      '--results', resultsFile,
      '--label', 'prism',
      '--no-report',
      '--', '--reporter', join(REPO_ROOT, 'tools/report/reporter.ts'), '--output', join(dir, 'output'),
    ];
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, ...PRISM_TOKENS }, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d));
      child.stderr.on('data', (d: Buffer) => (text += d));
      child.on('close', (exit) => resolve({ code: exit, output: text }));
    });
    assert.equal(code, 0, output.slice(-4000));
    assert.match(output, /0 fail, [1-9]\d* known deviation\(s\), 0 unexpected pass/);
    const results = parseResultsText(await readFile(resultsFile, 'utf8'), resultsFile);
    assert.ok(results.results.some((r) => r.status === 'PASS'), 'Prism passes part of the suite');
    assert.equal(results.run_info.label, 'prism', 'the column a report gives it');
    assert.ok(results.results.every((r) => r.verdict !== 'fail' && r.verdict !== 'unexpected-pass'));
  });
});
