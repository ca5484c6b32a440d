import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../spec/io.ts';
import { PLANTED_VALUES, sampleRuns } from './fixtures/sample-results.ts';
import { renderReports, oneLineMessage } from './render.ts';
import type { Results } from './results-model.ts';

const SPEC = resolve(REPO_ROOT, 'tools/report/fixtures/spec.yaml');

async function writeRuns(dir: string, runs: Record<string, Results>): Promise<string[]> {
  const files: string[] = [];
  for (const [name, results] of Object.entries(runs)) {
    const file = join(dir, `${name}.json`);
    await writeFile(file, JSON.stringify(results));
    files.push(file);
  }
  return files;
}

/** The data-count cells of one summary row, as numbers keyed by verdict. */
function summaryRow(html: string, column: number): Record<string, number> {
  const row = new RegExp(`<tr data-column="${column}">([\\s\\S]*?)</tr>`).exec(html)?.[1] ?? '';
  return Object.fromEntries([...row.matchAll(/data-count="([\w-]+)">(\d+)</g)].map((m) => [m[1], Number(m[2])]));
}

/** One requirement row's markup: cells hold tables of their own, so split on rows, not `</tr>`. */
function requirementRow(html: string, requirement: string): string {
  return html.split('<tr class="req"').find((chunk) => chunk.includes(`<code class="req-id">${requirement}</code>`))?.split('</tbody>')[0] ?? '';
}

describe('renderReports', () => {
  let dir: string;
  let outDir: string;
  let html: string;
  let markdown: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'report-render-'));
    outDir = join(REPO_ROOT, 'reports', `.test-render-${process.pid}`);
    const { docs, live } = sampleRuns();
    const files = await writeRuns(dir, { docs, live });
    await renderReports({ results: files, outDir });
    html = await readFile(join(outDir, 'matrix.html'), 'utf8');
    markdown = await readFile(join(outDir, 'matrix.md'), 'utf8');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(outDir, { recursive: true, force: true });
  });

  it('counts each target in the summary', () => {
    assert.deepEqual(summaryRow(html, 0), { total: 7, pass: 2, fail: 1, 'non-strict': 1, informational: 1, 'expected-fail': 1, 'unexpected-pass': 0, skip: 1 });
    assert.deepEqual(summaryRow(html, 1), { total: 7, pass: 5, fail: 1, 'non-strict': 0, informational: 0, 'expected-fail': 0, 'unexpected-pass': 1, skip: 0 });
    assert.match(markdown, /\| mock · docs \| 7 \| 2 \| \*\*1\*\* \| 1 \| 1 \| 1 \| · \| 1 \|/);
    assert.match(markdown, /\| url · live \| 7 \| 5 \| \*\*1\*\* \| · \| · \| · \| \*\*1\*\* \| · \|/);
  });

  it('puts the targets side by side: one header and one cell per run in each requirement row', () => {
    const header = /<table class="matrix"[\s\S]*?<\/thead>/.exec(html)?.[0] ?? '';
    assert.equal([...header.matchAll(/data-column="\d"/g)].length, 2);
    assert.ok(header.indexOf('mock · docs') < header.indexOf('url · live'));
    const row = requirementRow(html, 'graph.v1.0.update-photo/put-me-value/status');
    const verdicts = [...row.matchAll(/<td class="cell v-([\w-]+)"/g)].map((m) => m[1]);
    assert.deepEqual(verdicts, ['pass', 'fail']);
  });

  it('groups requirements by area with a count per area', () => {
    const areas = [...html.matchAll(/<tbody data-area="([\w-]+)">/g)].map((m) => m[1]);
    assert.deepEqual(areas, ['status', 'sizes', 'permissions', 'limits', 'methods', 'headers', 'unclassified']);
    assert.match(html, /<span class="area-name">status<\/span><span class="area-total">1 requirement<\/span>/);
    assert.match(html, /<span class="area-name">unclassified<\/span><span class="area-total">1 test without a requirement<\/span>/);
  });

  it('shows the source sentence in the page language and English, and links the page line relative to the report', () => {
    assert.match(html, /<span lang="ja-JP">現在各 REST 要求の合計サイズは 4 MB/);
    assert.match(html, /<span class="en" lang="en">Since there is currently a limit of 4MB/);
    assert.match(html, /href="\.\.\/\.\.\/\.\.\/shared\/corpus\/000_31941a4cd92466bd\.txt#L19"/);
    assert.match(html, />\.\.\/shared\/corpus\/000_31941a4cd92466bd\.txt:19</);
  });

  it('opens each cell onto its exchange with expected against observed', () => {
    assert.match(html, /<details id="cell-[\w-]+">/);
    assert.match(html, /<pre class="expected">\{\n {2}&quot;status&quot;: 415\n\}<\/pre>/);
    assert.match(html, /<pre class="observed">/);
    assert.match(html, /<span class="added">\+ {3}&quot;status&quot;: 200,<\/span>/);
  });

  it('is self-contained: no script, style or image is fetched', () => {
    assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=/i);
    assert.doesNotMatch(html, /@import|url\(/);
  });

  it('lists failing MUSTs and unexpected passes in matrix.md with source links', () => {
    assert.match(markdown, /### Failing MUSTs \(2\)/);
    assert.match(markdown, /- ✗ `graph\.v1\.0\.update-photo\/put-me-value\/content-type` \(MUST\) on \*\*mock · docs\*\*: PUT without Content-Type was accepted \(expected 415, received 200\) \(\[\.\.\/shared\/corpus\/003_f7595802b704212b\.txt:41\]\(\.\.\/\.\.\/\.\.\/shared\/corpus\/003_f7595802b704212b\.txt#L41\)\)/);
    assert.match(markdown, /### Unexpected passes \(1\)/);
    assert.match(markdown, /`graph\.beta\.update-profilephoto\/put-only` on \*\*url · live\*\*/);
    assert.ok(markdown.split('\n').length < 40, 'concise enough for a job summary');
  });

  it('never writes a planted secret, from headers, bodies, notes or messages', async () => {
    for (const file of await readdir(outDir)) {
      const text = await readFile(join(outDir, file), 'utf8');
      for (const secret of PLANTED_VALUES) assert.ok(!text.includes(secret), `${file} contains ${secret}`);
      assert.ok(!/eyJ[A-Za-z0-9_-]{8,}/.test(text), `${file} contains a JWT`);
    }
    assert.match(html, /\[redacted\]/);
  });
});

describe('renderReports with shards and a spec', () => {
  it('merges shards of one run into one column and shows requirements no run checked', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'report-shards-'));
    try {
      const { docs } = sampleRuns();
      const shard = (n: number, results: Results['results']): Results => ({ ...docs, run_info: { ...docs.run_info, shard: `${n}/2` }, results });
      // The sample run has no test for put-me-value/status' sibling in the spec: drop one row so the spec shows it.
      const files = await writeRuns(dir, {
        one: shard(1, docs.results.slice(0, 3)),
        two: shard(2, docs.results.slice(3).filter((r) => !r.requirement?.endsWith('/put-only'))),
      });
      const rendered = await renderReports({ results: files, outDir: join(dir, 'out'), specFile: SPEC });
      assert.equal(rendered.matrix.columns.length, 1);
      assert.equal(rendered.matrix.columns[0]!.counts.total, 6);
      const html = await readFile(join(dir, 'out', 'matrix.html'), 'utf8');
      const row = requirementRow(html, 'graph.beta.update-profilephoto/put-only');
      assert.match(row, /data-verdicts=" not-run"/);
      assert.match(row, /<span class="badge not-run">not run<\/span>/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a broken results file with its name, and writes nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'report-broken-'));
    try {
      await writeFile(join(dir, 'bad.json'), '{"run_info":{}}');
      await assert.rejects(renderReports({ results: [join(dir, 'bad.json')], outDir: join(dir, 'out') }), /bad\.json: does not match/);
      await assert.rejects(readdir(join(dir, 'out')), /ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('oneLineMessage', () => {
  it("keeps the first line and Playwright's expected and received values", () => {
    assert.equal(oneLineMessage('Error: status of PUT\n\nexpect(received).toBe(expected)\n\nExpected: 200\nReceived: 204'), 'status of PUT (expected 200, received 204)');
    assert.equal(oneLineMessage('Error: expected 200, got 400 BadRequest\n\nExpected: 200\nReceived: 400'), 'expected 200, got 400 BadRequest');
    assert.equal(oneLineMessage(null), '');
  });
});
