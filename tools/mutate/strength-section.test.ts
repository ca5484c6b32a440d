// The "suite strength" section of matrix.html and matrix.md (tools/report/templates/strength-*.eta),
// tested here beside the sweep that writes strength.json.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sampleRuns } from '../report/fixtures/sample-results.ts';
import { buildMatrix, buildStrengthView } from '../report/matrix.ts';
import { renderMatrixFiles, renderReports } from '../report/render.ts';
import { allKilled, sampleStrength } from './fixtures/sample-strength.ts';
import { serializeStrength } from './strength.ts';

const outDir = '/tmp/strength-section';
const matrix = () => buildMatrix({ runs: [{ file: 'results.json', results: sampleRuns().docs }], outDir, now: new Date('2026-12-05T12:00:00Z') });

/** One fault's row of the HTML section. */
function faultRow(html: string, fault: string): string {
  return new RegExp(`<tr data-fault="${fault}"[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';
}

describe('the suite strength section', () => {
  it('names a survivor loudly in both files, with the totals of a partial sweep', () => {
    const { html, markdown } = renderMatrixFiles(matrix(), { outDir, strength: buildStrengthView(sampleStrength()) });
    assert.match(html, /<h2 id="strength-title">Suite strength<\/h2>/);
    assert.match(html, /<strong data-count="killed">2\/4<\/strong> faults of the mock killed \(a partial sweep: 4 of the catalogue&#39;s 5\) · sweep 33\.3 s wall, 2 at once/);
    assert.match(html, /SURVIVED: <code>stale-etag<\/code>: no test notices these faults/);
    assert.match(html, /Not judged \(a run that did not happen, or a kill the control run did not confirm; the row says which\): <code>torn-write<\/code>/);
    assert.match(faultRow(html, 'stale-etag'), /data-outcome="survived"[\s\S]*<span class="badge v-fail">SURVIVED<\/span>/);
    const killed = faultRow(html, 'upload-status-204');
    assert.match(killed, /<small>a successful photo update answers 204 instead of the documented 200<\/small>/);
    assert.match(killed, /<code class="req-id">graph\.v1\.0\.update-photo\/put-me-value\/status<\/code>/);
    assert.match(killed, /PUT \/me\/photo\/\$value: answers 200 \| not 204 · previous killer/);
    assert.match(killed, /<span class="level MUST">MUST<\/span>[\s\S]*3\.2 s/);
    assert.match(faultRow(html, 'torn-write'), /<pre class="strength-error">Playwright exited with 1/);
    assert.match(faultRow(html, 'etag-weak'), /W\/&quot;\.\.\.&quot;/, 'descriptions are escaped');

    assert.match(markdown, /^### Suite strength: 2\/4 faults killed$/m);
    assert.match(markdown, /^\*\*SURVIVED\*\* \(no test notices them\): `stale-etag`$/m);
    assert.match(markdown, /^\| `stale-etag` \| \*\*SURVIVED\*\* \| – \| – \| – \| 28\.7 s \|$/m);
    assert.match(markdown, /^\| `upload-status-204` \| killed \| `graph\.v1\.0\.update-photo\/put-me-value\/status` \| PUT \/me\/photo\/\$value: answers 200 \\\| not 204 \| MUST \| 3\.2 s \|$/m);
    assert.match(markdown, /^\| `torn-write` \| \*\*ERROR\*\* \| – \| Playwright exited with 1 without a failing test \(global setup, \.\.\.\) \| – \| 1\.2 s \|$/m);
    // a table needs a blank line before it, and the report's last line still follows
    assert.match(markdown, /\n\n\| fault \| result \|/);
    assert.match(markdown, /Full matrix: `[^`]*matrix\.html`/);
  });

  it('says every fault was killed, with no alarm, when none survived', () => {
    const { html, markdown } = renderMatrixFiles(matrix(), { outDir, strength: buildStrengthView(allKilled()) });
    assert.match(html, /<strong data-count="killed">5\/5<\/strong> faults of the mock killed · sweep 12\.5 s wall/);
    assert.doesNotMatch(html, /SURVIVED|Not judged/);
    assert.equal([...html.matchAll(/<tr data-fault=/g)].length, 5);
    assert.match(markdown, /^### Suite strength: 5\/5 faults killed$/m);
    assert.doesNotMatch(markdown, /SURVIVED|partial/);
  });

  it('is absent without a sweep', () => {
    const { html, markdown } = renderMatrixFiles(matrix(), { outDir });
    assert.doesNotMatch(html, /Suite strength/);
    assert.doesNotMatch(markdown, /Suite strength/);
  });
});

describe('renderReports and strength.json', () => {
  let dir: string;
  let results: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'strength-render-'));
    results = join(dir, 'results.json');
    await writeFile(results, JSON.stringify(sampleRuns().docs));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('shows the strength.json beside the reports, leaves a broken one out with a warning, and insists on a named one', async () => {
    await writeFile(join(dir, 'strength.json'), serializeStrength(sampleStrength()));
    const found = await renderReports({ results: [results], outDir: dir });
    assert.equal(found.strength?.killed, 2);
    assert.match(await readFile(join(dir, 'matrix.md'), 'utf8'), /Suite strength: 2\/4/);

    await writeFile(join(dir, 'strength.json'), '{"schemaVersion": 9}');
    const broken = await renderReports({ results: [results], outDir: dir });
    assert.equal(broken.strength, null);
    assert.match(broken.warnings.join('\n'), /strength\.json: does not match the strength schema.*section is left out/);

    assert.equal((await renderReports({ results: [results], outDir: dir, strengthFile: null })).strength, null);
    await assert.rejects(renderReports({ results: [results], outDir: dir, strengthFile: join(dir, 'nowhere.json') }), /nowhere\.json: not found/);
  });
});
