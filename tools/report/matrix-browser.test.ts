/**
 * Opens matrix.html in a real browser (Debian's chromium through playwright-core) and
 * checks what a person sees: the counts, a failing cell opening onto its exchange with
 * expected against observed, filters, and no secret anywhere on screen.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from '../spec/io.ts';
import { PLANTED_VALUES, sampleRuns } from './fixtures/sample-results.ts';
import { renderReports } from './render.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-gpu',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

describe('matrix.html in chromium', { skip: existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (.ci/run installs it)` }, () => {
  let dir: string;
  let outDir: string;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'report-browser-'));
    // Inside the repository, so the relative source links resolve as they do in reports/.
    outDir = join(REPO_ROOT, 'reports', `.test-browser-${process.pid}`);
    const { docs, live } = sampleRuns();
    await writeFile(join(dir, 'docs.json'), JSON.stringify(docs));
    await writeFile(join(dir, 'live.json'), JSON.stringify(live));
    await renderReports({ results: [join(dir, 'docs.json'), join(dir, 'live.json')], outDir, specFile: join(REPO_ROOT, 'tools/report/fixtures/spec.yaml') });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(join(outDir, 'matrix.html')).href);
    if (process.env.MATRIX_SCREENSHOT) await page.screenshot({ path: process.env.MATRIX_SCREENSHOT, fullPage: true });
  });
  after(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
    await rm(outDir, { recursive: true, force: true });
  });

  it('shows the counts of each target in the summary', async () => {
    const counts = async (label: string) => {
      const row = page.locator('table.summary tbody tr', { has: page.locator('th', { hasText: label }) });
      return Object.fromEntries(
        await Promise.all(
          ['total', 'pass', 'fail', 'non-strict', 'informational', 'expected-fail', 'unexpected-pass', 'skip'].map(async (v) => [v, Number(await row.locator(`td[data-count="${v}"]`).innerText())]),
        ),
      );
    };
    assert.deepEqual(await counts('mock · docs'), { total: 7, pass: 2, fail: 1, 'non-strict': 1, informational: 1, 'expected-fail': 1, 'unexpected-pass': 0, skip: 1 });
    assert.deepEqual(await counts('url · live'), { total: 7, pass: 5, fail: 1, 'non-strict': 0, informational: 0, 'expected-fail': 0, 'unexpected-pass': 1, skip: 0 });
  });

  it('shows both targets as columns and a verdict in words, not only colour', async () => {
    const headers = await page.locator('table.matrix thead th').allInnerTexts();
    assert.equal(headers.length, 3);
    assert.match(headers[1]!, /mock · docs/);
    assert.match(headers[2]!, /url · live/);
    const row = page.locator('tr.req', { has: page.locator('code', { hasText: 'put-me-value/content-type' }) });
    assert.deepEqual(
      (await row.locator('td.cell .verdict-text').allInnerTexts()).map((t) => t.trim()),
      ['fail', 'pass'],
    );
  });

  it('opens a failing cell onto its exchange: request, response, expected against observed', async () => {
    const row = page.locator('tr.req', { has: page.locator('code', { hasText: 'put-me-value/content-type' }) });
    const cell = row.locator('td.cell').first();
    const drawer = cell.locator('.drawer');
    assert.equal(await drawer.isVisible(), false, 'closed until clicked');
    await cell.locator('summary').click();
    await drawer.waitFor({ state: 'visible' });
    const text = await drawer.innerText();
    assert.match(text, /PUT http:\/\/127\.0\.0\.1:4010\/v1\.0\/me\/photo\/\$value/);
    assert.match(text, /PUT without Content-Type was accepted/);
    assert.equal((await drawer.locator('pre.expected').innerText()).replace(/\s+/g, ''), '{"status":415}');
    assert.match(await drawer.locator('pre.observed').innerText(), /"status": 200/);
    assert.match(text, /Authorization\s+\[redacted\]/);
    if (process.env.MATRIX_SCREENSHOT) await page.screenshot({ path: process.env.MATRIX_SCREENSHOT.replace(/\.png$/, '-open.png') });
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });
  });

  it('filters rows by area and by verdict', async () => {
    const visibleRows = () => page.locator('tr.req:visible').count();
    const all = await visibleRows();
    assert.equal(all, 7);
    await page.selectOption('#filter-area', 'sizes');
    assert.equal(await visibleRows(), 1);
    await page.selectOption('#filter-area', '');
    await page.selectOption('#filter-verdict', 'unexpected-pass');
    assert.deepEqual(await page.locator('tr.req:visible code.req-id').allInnerTexts(), ['graph.beta.update-profilephoto/put-only']);
    assert.match(await page.locator('#filter-count').innerText(), /1 of 7/);
    await page.selectOption('#filter-verdict', '');
  });

  it('shows no secret anywhere, even with every cell opened, and fetches nothing', async () => {
    // A string, not a function: the project compiles without the DOM library.
    await page.evaluate("document.querySelectorAll('details').forEach((d) => d.setAttribute('open', ''))");
    const text = await page.locator('body').innerText();
    const markup = await page.content();
    for (const secret of PLANTED_VALUES) {
      assert.ok(!text.includes(secret), `visible text contains ${secret}`);
      assert.ok(!markup.includes(secret), `markup contains ${secret}`);
    }
    assert.ok(!/eyJ[A-Za-z0-9_-]{8,}/.test(markup));
    assert.deepEqual(requests.filter((url) => !url.startsWith('file://')), []);
  });

  it('links each requirement to its page and line', async () => {
    const link = page.locator('tr.req', { has: page.locator('code', { hasText: 'size-limit' }) }).locator('.sources a').first();
    assert.equal(await link.innerText(), '../shared/corpus/000_31941a4cd92466bd.txt:19');
    const href = new URL((await link.getAttribute('href')) ?? '', page.url()).href;
    assert.equal(href, `${pathToFileURL(join(REPO_ROOT, '../shared/corpus/000_31941a4cd92466bd.txt')).href}#L19`);
  });
});
