import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runFixtureSuite } from './fixtures/run-fixture-suite.ts';
import { PLANTED_CLIENT_SECRET, PLANTED_JWT, PLANTED_REFRESH } from './fixtures/playwright-run/planted.ts';
import { renderReports } from './render.ts';
import { parseResultsText, type Results, type TestResult } from './results-model.ts';
import { normalizeExchange, splitOperationId } from './reporter.ts';

// Only in the environment: no pattern would recognise it, so only the literal rule can remove it.
const ENV_SECRET = 'opaque-env-secret-4d1f';

describe('conformance reporter on a real Playwright run', () => {
  let dir: string;
  let results: Results;
  let byRequirement: (suffix: string) => TestResult;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'report-reporter-'));
    const run = await runFixtureSuite({
      variant: 'docs',
      resultsFile: join(dir, 'results.json'),
      outputDir: join(dir, 'test-results'),
      env: { PHOTO_TARGET: 'mock', PHOTO_PROFILE: 'docs', PHOTO_STRICT: '0', FIXTURE_ENV_SECRET_ECHO: ENV_SECRET, PHOTO_CLIENT_SECRET: ENV_SECRET },
    });
    assert.equal(run.code, 1, `the fixture run has failing tests, so Playwright exits 1:\n${run.output}`);
    results = parseResultsText(await readFile(join(dir, 'results.json'), 'utf8'), 'results.json');
    byRequirement = (suffix) => {
      const found = results.results.find((r) => r.requirement?.endsWith(suffix));
      assert.ok(found, `a result for ${suffix}`);
      return found;
    };
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('writes run info from the environment and the spec', () => {
    assert.equal(results.run_info.target, 'mock');
    assert.equal(results.run_info.profile, 'docs');
    assert.equal(results.run_info.strict, false);
    assert.equal(results.run_info.spec_version, 1);
    assert.match(results.run_info.spec_sha256 ?? '', /^[0-9a-f]{64}$/);
    assert.ok(results.time_end >= results.time_start);
  });

  it('records one result per test with the status Playwright saw and the graded verdict', () => {
    assert.equal(results.results.length, 7);
    const summary = Object.fromEntries(results.results.map((r) => [r.requirement ?? r.test, `${r.status}/${r.expected}/${r.verdict}`]));
    assert.deepEqual(summary, {
      'graph.v1.0.update-photo/put-me-value/status': 'PASS/PASS/pass',
      'graph.v1.0.update-photo/put-me-value/content-type': 'FAIL/PASS/fail',
      'graph.beta.update-profilephoto/size-limit': 'SKIP/SKIP/skip',
      'outlook.v2.0.photos/size-variants': 'FAIL/PASS/non-strict',
      'graph.beta.update-profilephoto/work-or-school-only': 'FAIL/PASS/informational',
      'graph.beta.update-profilephoto/put-only': 'FAIL/FAIL/expected-fail',
      'harness: the target answers at all': 'PASS/PASS/pass',
    });
  });

  it('reads the annotations and looks the source sentence up in the spec', () => {
    const status = byRequirement('/put-me-value/status');
    assert.equal(status.level, 'MUST');
    assert.equal(status.area, 'status');
    assert.equal(status.source, '../shared/corpus/003_f7595802b704212b.txt:48');
    assert.equal(status.operation, 'graph.v1.0.PUT.me.value');
    assert.equal(status.api, 'graph');
    assert.equal(status.version, 'v1.0');
    assert.equal(status.file, 'tools/report/fixtures/playwright-run/conformance.spec.ts');
    assert.equal(status.test, 'graph v1.0 PUT /me/photo/$value › returns 200 OK @status @must');
    assert.deepEqual(status.source_sentence, { text: '如果成功，此方法返回 `200 OK` 响应代码。', lang: 'zh-CN' });
    const limit = byRequirement('/size-limit');
    assert.match(limit.source_sentence?.en ?? '', /limit of 4MB/);
    assert.equal(limit.message, 'the target does not allow writes');
  });

  it('keeps the exchange attachment: request, response, expected and observed', () => {
    const sizes = byRequirement('/size-variants');
    assert.equal(sizes.exchanges.length, 1);
    const [exchange] = sizes.exchanges;
    assert.equal(exchange?.request.method, 'GET');
    assert.equal(exchange?.response?.status, 200);
    assert.deepEqual((exchange?.expected as { sizes: string[] }).sizes.at(-1), '504x504');
    assert.deepEqual((exchange?.observed as { sizes: string[] }).sizes.at(-1), '648x648');
    assert.match(sizes.message ?? '', /toEqual/);
    assert.doesNotMatch(sizes.message ?? '', /\u001b\[/, 'no terminal colour codes');
  });

  it('lets no planted secret into results.json or the reports rendered from it', async () => {
    const out = join(dir, 'out');
    await renderReports({ results: [join(dir, 'results.json')], outDir: out });
    const files = [join(dir, 'results.json'), ...(await readdir(out)).map((f) => join(out, f))];
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      for (const secret of [PLANTED_JWT, PLANTED_REFRESH, PLANTED_CLIENT_SECRET, ENV_SECRET]) {
        assert.ok(!text.includes(secret), `${file} contains ${secret}`);
      }
    }
    const leaky = byRequirement('/put-me-value/content-type');
    assert.equal(leaky.exchanges[0]?.request.headers?.Authorization, '[redacted]');
    assert.match(leaky.message ?? '', /client_secret=\[redacted\]/);
    assert.match(leaky.message ?? '', /env secret \[redacted\]/);
  });
});

describe('splitOperationId', () => {
  it('splits api and version although versions contain a dot', () => {
    assert.deepEqual(splitOperationId('graph.v1.0.PUT.me.value'), { api: 'graph', version: 'v1.0' });
    assert.deepEqual(splitOperationId('outlook.beta.GET.user.photos'), { api: 'outlook', version: 'beta' });
    assert.equal(splitOperationId('graph.v9.PUT.me'), null);
  });
});

describe('normalizeExchange', () => {
  it('coerces headers and counts to the schema and drops entries without a request', () => {
    assert.deepEqual(
      normalizeExchange({ request: { method: 'PUT', url: 'http://x/p', headers: { 'content-length': 12, a: ['b', 1] }, bodyBytes: '12' }, response: { status: 200, headers: { n: 1 } }, expected: 1 }),
      { request: { method: 'PUT', url: 'http://x/p', headers: { 'content-length': '12', a: ['b', '1'] }, bodyBytes: 12 }, response: { status: 200, headers: { n: '1' } }, expected: 1 },
    );
    assert.equal(normalizeExchange({ response: { status: 200 } }), null);
    assert.equal(normalizeExchange('text'), null);
    assert.deepEqual(normalizeExchange({ request: { method: 'GET', url: 'u' }, response: null, note: 7 }), { request: { method: 'GET', url: 'u' }, response: null, note: '7' });
  });
});
