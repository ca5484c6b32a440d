import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, truncate, writeFile, mkdir } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Diagnostic, PageResult } from '../types.ts';
import { counter } from './fixtures/fake-extractor/extractor.ts';
import { DEFAULT_PER_WORKER, extractFiles, MAX_PAGE_BYTES, SMALL_RUN_PAGES, type ExtractFilesOptions } from './index.ts';
import { workerModule } from './extractor-bundle.ts';
import { extractorVersion } from './result-cache.ts';
import { WorkerPool, workerV8Flags } from './worker-pool.ts';

const FAKE_EXTRACTOR = new URL('./fixtures/fake-extractor/extractor.ts', import.meta.url).href;
const BROKEN_EXTRACTOR = new URL('./fixtures/broken-extractor/extractor.ts', import.meta.url).href;

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'extract-runner-test-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

let dirCount = 0;
async function corpus(pages: Record<string, string | Uint8Array>): Promise<string> {
  const dir = join(root, `corpus-${dirCount++}`);
  for (const [name, content] of Object.entries(pages)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  return dir;
}

function page(n: number, extra = ''): string {
  return `# Page ${n}\n\n${extra}\n\n\`\`\`http\nGET /me/photo/${n}\n\`\`\`\n`;
}

type Run = { results: PageResult[]; problems: Diagnostic[]; summary: Awaited<ReturnType<typeof extractFiles>> };
async function run(
  inputs: string | string[],
  options: Partial<ExtractFilesOptions> & Pick<ExtractFilesOptions, 'cache'>,
): Promise<Run> {
  const results: PageResult[] = [];
  const problems: Diagnostic[] = [];
  const summary = await extractFiles(inputs, {
    jobs: 1,
    extractor: FAKE_EXTRACTOR,
    onResult: (result) => void results.push(result),
    onError: (_file, diagnostic) => void problems.push(diagnostic),
    ...options,
  });
  return { results, problems, summary };
}

describe('cache', () => {
  it('answers an unchanged page from the cache without calling the extractor', async () => {
    const dir = await corpus({ 'a.md': page(1), 'b.md': page(2), 'sub/c.txt': page(3) });
    const cache = join(root, 'cache-hit');
    const calls = counter.calls;
    const cold = await run(dir, { cache });
    assert.equal(counter.calls - calls, 3);
    assert.equal(cold.summary.extracted, 3);

    const warm = await run(dir, { cache });
    assert.equal(counter.calls - calls, 3, 'a warm run must not call the extractor again');
    assert.equal(warm.summary.cacheHits, 3);
    assert.equal(warm.summary.extracted, 0);
    assert.deepEqual(warm.results, cold.results);
  });

  it('extracts again a page whose bytes, pins or path changed, and only that page', async () => {
    const dir = await corpus({ 'a.md': page(1), 'b.md': page(2) });
    const cache = join(root, 'cache-change');
    await run(dir, { cache });
    await writeFile(join(dir, 'b.md'), page(2, 'edited'));
    const afterEdit = await run(dir, { cache });
    assert.equal(afterEdit.summary.cacheHits, 1);
    assert.equal(afterEdit.summary.extracted, 1);
    assert.match(afterEdit.results[1]?.sha256 ?? '', /^[0-9a-f]{64}$/);

    const pinned = await run(dir, { cache, pins: { [join(dir, 'a.md')]: { locale: 'ru-RU' } } });
    assert.equal(pinned.summary.extracted, 1, 'a new pin changes the key');
    assert.equal(pinned.results[0]?.facts.detection.locale, 'ru-RU');
  });

  it('caches nothing with cache: false', async () => {
    const dir = await corpus({ 'a.md': page(1) });
    await run(dir, { cache: false });
    const again = await run(dir, { cache: false });
    assert.equal(again.summary.extracted, 1);
    assert.equal(again.summary.cacheHits, 0);
  });
});

describe('jobs', () => {
  it('delivers the same results in the same order for jobs=1 and jobs=2', async () => {
    const pages: Record<string, string> = {};
    // Uneven delays make the workers finish out of order; delivery must not follow them.
    for (let n = 0; n < 24; n++) pages[`p${String(n).padStart(2, '0')}.md`] = page(n, n % 5 === 0 ? '<!-- delay-ms: 40 -->' : '');
    pages['crlf.md'] = page(99).replaceAll('\n', '\r\n');
    pages['broken.md'] = page(98, '<!-- throw -->');
    const dir = await corpus(pages);
    const one = await run(dir, { cache: false, jobs: 1 });
    const two = await run(dir, { cache: false, jobs: 2 });
    const fromSource = await run(dir, { cache: false, jobs: 2, bundle: false });
    assert.equal(two.summary.jobs, 2);
    assert.equal(one.results.length, 25);
    assert.deepEqual(
      two.results.map((r) => r.path),
      [...two.results.map((r) => r.path)].sort(),
    );
    assert.deepEqual(two.results, one.results);
    assert.deepEqual(two.problems, one.problems);
    assert.deepEqual(fromSource.results, one.results, 'workers loading the TypeScript source agree with the bundle');
  });

  it('extracts a small run in process and a large one on every core by default', async () => {
    const small = await corpus({ 'a.md': page(1), 'b.md': page(2) });
    assert.equal((await run(small, { cache: false, jobs: undefined })).summary.jobs, 1);
    const pages: Record<string, string> = {};
    for (let n = 0; n < SMALL_RUN_PAGES; n++) pages[`p${n}.md`] = page(n);
    const large = await run(await corpus(pages), { cache: false, jobs: undefined });
    assert.equal(large.summary.jobs, availableParallelism());
    assert.equal(large.results.length, SMALL_RUN_PAGES);
  });

  it('replaces a worker that dies and reports only the page it was extracting', async () => {
    const dir = await corpus({ 'a.md': page(1), 'b.md': page(2, '<!-- exit-worker -->'), 'c.md': page(3), 'd.md': page(4) });
    const { results, problems, summary } = await run(dir, { cache: false, jobs: 2 });
    assert.deepEqual(
      results.map((r) => r.path),
      ['a.md', 'c.md', 'd.md'].map((name) => join(dir, name)),
    );
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.file, join(dir, 'b.md'));
    assert.equal(problems[0]?.ruleId, 'runner/worker-crashed');
    assert.deepEqual(summary.crashed, [join(dir, 'b.md')]);
  });

  it('abandons a page that overruns the time limit and goes on with the others', async () => {
    const dir = await corpus({ 'a.md': page(1), 'b.md': page(2, '<!-- delay-ms: 30000 -->'), 'c.md': page(3) });
    const { results, problems, summary } = await run(dir, { cache: false, jobs: 2, pageTimeoutMs: 1500 });
    assert.deepEqual(
      results.map((r) => r.path),
      ['a.md', 'c.md'].map((name) => join(dir, name)),
    );
    assert.equal(problems[0]?.file, join(dir, 'b.md'));
    assert.equal(problems[0]?.ruleId, 'runner/timeout');
    assert.deepEqual(summary.crashed, [join(dir, 'b.md')]);
  });

  // Workers answer for several pages at once, so a worker can die holding results it has not
  // sent. Every page before the fatal one is slow enough that the next ones are already queued
  // behind it, so the dying worker surely holds finished pages it has not answered for.
  for (const fault of ['crash', 'timeout'] as const) {
    it(`runs again what a worker had not answered for when it ${fault === 'crash' ? 'dies' : 'is stopped'}, and fails only the page at fault`, async () => {
      const pages: Record<string, string> = {};
      const fatal = fault === 'crash' ? '<!-- exit-worker -->' : '<!-- delay-ms: 30000 -->';
      for (let n = 0; n < 12; n++) pages[`p${String(n).padStart(2, '0')}.md`] = page(n, n === 6 ? fatal : '<!-- delay-ms: 20 -->');
      const dir = await corpus(pages);
      const log = join(root, `retried-${fault}.log`);
      await writeFile(log, '');
      process.env.FAKE_EXTRACTOR_LOG = log;
      try {
        const { results, problems, summary } = await run(dir, { cache: false, jobs: 2, pageTimeoutMs: 1500 });
        const names = Object.keys(pages).map((name) => join(dir, name));
        assert.deepEqual(
          results.map((r) => r.path),
          names.filter((_, n) => n !== 6),
        );
        assert.deepEqual(
          problems.map((d) => [d.file, d.ruleId]),
          [[names[6], fault === 'crash' ? 'runner/worker-crashed' : 'runner/timeout']],
        );
        assert.deepEqual(summary.crashed, [names[6]]);
        const runs = new Map<string, number>();
        for (const line of (await readFile(log, 'utf8')).split('\n').filter(Boolean)) runs.set(line, (runs.get(line) ?? 0) + 1);
        assert.equal(runs.get(names[6]!), 2, 'the page at fault runs twice: with the others, then alone');
        assert.ok(
          names.some((name, n) => n !== 6 && runs.get(name) === 2),
          `some finished page the worker had not answered for runs again: ${JSON.stringify([...runs])}`,
        );
      } finally {
        delete process.env.FAKE_EXTRACTOR_LOG;
      }
    });
  }

  it('runs its workers under the V8 flags of the pool, set for the whole process before they start', async () => {
    const version = await extractorVersion(fileURLToPath(FAKE_EXTRACTOR));
    const set: string[][] = [];
    const pool = new WorkerPool({
      size: 2,
      extractor: await workerModule(new URL(FAKE_EXTRACTOR), version),
      pageTask: await workerModule(new URL('./page-task.ts', import.meta.url), version),
      perWorker: 2,
      replyBatch: 1,
      pageTimeoutMs: 30_000,
      setV8Flags: (flags) => void set.push([...flags]),
    });
    try {
      const dir = await corpus({ 'a.md': page(1) });
      const outcome = await pool.run({ path: join(dir, 'a.md') });
      assert.ok('json' in outcome, JSON.stringify(outcome));
    } finally {
      await pool.close();
    }
    assert.deepEqual(set, [workerV8Flags(2)]);
    const lateOptimizing = ['--no-turbo-inlining', '--interrupt-budget=270336'];
    assert.deepEqual(workerV8Flags(2, 2), [...lateOptimizing, '--no-parallel-scavenge', '--no-parallel-compaction', '--no-parallel-pointer-update']);
    assert.deepEqual(
      workerV8Flags(2, 4),
      [...lateOptimizing, '--parallel-scavenge', '--parallel-compaction', '--parallel-pointer-update'],
      "helper GC threads are on again while cores are left over, whatever an earlier pool set",
    );
  });

  it("starts its workers without the runner's own node options", async () => {
    assert.ok(process.execArgv.length > 0, 'the test runs under node options of its own (a TypeScript loader)');
    const dir = await corpus({ 'a.md': page(1, '<!-- exec-argv -->'), 'b.md': page(2, '<!-- exec-argv -->') });
    const { results } = await run(dir, { cache: false, jobs: 2 });
    assert.deepEqual(
      results.map((r) => r.facts.detection.title),
      [undefined, undefined],
    );
  });

  it('fails alone a page that exhausts its worker\'s heap, and goes on with the others', async () => {
    const dir = await corpus({ 'a.md': page(1), 'b.md': page(2, '<!-- exhaust-heap -->'), 'c.md': page(3) });
    const { results, problems, summary } = await run(dir, { cache: false, jobs: 2, workerHeapMb: 64 });
    assert.deepEqual(
      results.map((r) => r.path),
      ['a.md', 'c.md'].map((name) => join(dir, name)),
    );
    assert.deepEqual(
      problems.map((d) => [d.file, d.ruleId]),
      [[join(dir, 'b.md'), 'runner/worker-crashed']],
    );
    assert.match(problems[0]?.message ?? '', /memory/i);
    assert.deepEqual(summary.crashed, [join(dir, 'b.md')]);
  });

  it("sends a worker's stray output to stderr, keeping stdout for the spec", async () => {
    const dir = await corpus({ 'a.md': page(1, '<!-- print -->'), 'b.md': page(2) });
    const script = `
      import { extractFiles } from ${JSON.stringify(new URL('./index.ts', import.meta.url).href)};
      let n = 0;
      await extractFiles(${JSON.stringify(dir)}, { jobs: 2, cache: false, extractor: ${JSON.stringify(FAKE_EXTRACTOR)}, onResult: () => void n++ });
      process.stdout.write(JSON.stringify({ results: n }));`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout), { results: 2 });
    assert.match(child.stderr, /stray output from .*a\.md/);
  });

  it('stops with one clear error when the extractor cannot be loaded', async () => {
    const dir = await corpus({ 'a.md': page(1), 'b.md': page(2) });
    await assert.rejects(run(dir, { cache: false, jobs: 2, extractor: BROKEN_EXTRACTOR }), /cannot be loaded|cannot load/);
    await assert.rejects(run(dir, { cache: false, jobs: 1, extractor: BROKEN_EXTRACTOR }), /cannot load/);
  });
});

describe('bad input', () => {
  // The runner reads a page itself to look up the cache; without one, the page's worker reads it.
  for (const [jobs, cached] of [[1, true], [1, false], [2, true], [2, false]] as const) {
    it(`names every unreadable, binary, non-text or empty page and goes on with the rest (jobs=${jobs}, ${cached ? 'cache' : 'no cache'})`, async () => {
      const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
      const dir = await corpus({
        'good.md': page(1),
        'image.md': png,
        'latin1.md': Uint8Array.from([0x23, 0x20, 0xe9, 0xe8, 0x0a]),
        'empty.md': '',
        'blank.txt': ' \n\r\n\t\n',
        'bom.md': `\uFEFF${page(2)}`,
        'utf16.md': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(page(3), 'utf16le')]),
        'extractor-throws.md': page(4, '<!-- throw -->'),
        'notes.json': '{"not": "a page"}',
      });
      await symlink(join(dir, 'missing-target.md'), join(dir, 'dangling.md'));
      // Sparse, so the test writes nothing like its size.
      await writeFile(join(dir, 'huge.md'), '');
      await truncate(join(dir, 'huge.md'), MAX_PAGE_BYTES + 1);
      const missing = join(root, 'no-such-page.md');
      const { results, problems, summary } = await run([dir, missing], { jobs, cache: cached && join(root, `cache-bad-${jobs}`) });

      const byFile = new Map(problems.map((d) => [d.file, d]));
      const expectRule = (name: string, ruleId: string, severity: Diagnostic['severity']) => {
        const diagnostic = byFile.get(name.startsWith('/') ? name : join(dir, name));
        assert.ok(diagnostic, `no diagnostic for ${name}`);
        assert.equal(diagnostic.ruleId, ruleId, name);
        assert.equal(diagnostic.severity, severity, name);
        assert.equal(diagnostic.line, 1);
      };
      expectRule('image.md', 'runner/binary', 'error');
      expectRule('latin1.md', 'runner/not-text', 'error');
      expectRule('empty.md', 'runner/empty', 'warning');
      expectRule('blank.txt', 'runner/empty', 'warning');
      expectRule('dangling.md', 'runner/unreadable', 'error');
      expectRule(missing, 'runner/unreadable', 'error');
      expectRule('extractor-throws.md', 'runner/extract-failed', 'error');
      expectRule('huge.md', 'runner/too-large', 'error');
      assert.match(byFile.get(join(dir, 'extractor-throws.md'))?.message ?? '', /fixture extractor refuses/);
      assert.equal(problems.length, 8);

      // A UTF-8 BOM is dropped and UTF-16 decoded; the pages themselves are extracted.
      assert.deepEqual(
        results.map((r) => r.facts.detection.title),
        ['Page 2', 'Page 1', 'Page 3'],
      );
      assert.deepEqual(
        summary.unreadable.sort(),
        [missing, ...['dangling.md', 'huge.md', 'image.md', 'latin1.md'].map((n) => join(dir, n))].sort(),
      );
      assert.deepEqual(summary.empty.sort(), ['blank.txt', 'empty.md'].map((n) => join(dir, n)));
      assert.deepEqual(summary.crashed, [join(dir, 'extractor-throws.md')]);
      assert.equal(summary.extracted, 4, 'the extractor ran on the three good pages and the one it refused');
    });
  }

  for (const jobs of [1, 2]) {
    it(`stops with an error naming the cache entry it cannot write (jobs=${jobs})`, async () => {
      const dir = await corpus({ 'a.md': page(1) });
      // A file where the cache directory should be: no entry can be written under it.
      const cache = join(root, `cache-is-a-file-${jobs}`);
      await writeFile(cache, '');
      await assert.rejects(run(dir, { jobs, cache }), (error: Error) => {
        assert.match(error.message, /cannot write the cache entry .*cache-is-a-file/);
        return true;
      });
    });
  }

  it('reports a named file that does not exist without listing anything else', async () => {
    const { results, problems, summary } = await run(join(root, 'nowhere'), { cache: false });
    assert.equal(results.length, 0);
    assert.equal(summary.pages, 0);
    assert.equal(problems[0]?.file, join(root, 'nowhere'));
    assert.match(problems[0]?.message ?? '', /does not exist/);
  });
});

describe('bounded concurrency', () => {
  for (const jobs of [1, 2]) {
    it(`never reads more than the window ahead of delivery (jobs=${jobs})`, async () => {
      const pages: Record<string, string> = {};
      for (let n = 0; n < 60; n++) pages[`p${String(n).padStart(2, '0')}.md`] = page(n, n % 7 === 0 ? '<!-- delay-ms: 15 -->' : '');
      const dir = await corpus(pages);
      // The fixture logs each page as it starts, from whichever thread runs it.
      const log = join(root, `started-${jobs}.log`);
      await writeFile(log, '');
      process.env.FAKE_EXTRACTOR_LOG = log;
      let delivered = 0;
      let mostAhead = 0;
      try {
        const summary = await extractFiles(dir, {
          jobs,
          cache: false,
          extractor: FAKE_EXTRACTOR,
          onResult: async () => {
            delivered++;
            const started = (await readFile(log, 'utf8')).split('\n').length - 1;
            mostAhead = Math.max(mostAhead, started - delivered);
          },
        });
        assert.equal(delivered, 60);
        assert.ok(summary.window <= 2 * jobs * DEFAULT_PER_WORKER, `window ${summary.window}`);
        assert.ok(mostAhead < summary.window, `${mostAhead} pages started ahead of delivery, window ${summary.window}`);
        assert.ok(summary.peakInFlight <= summary.window);
        assert.ok(summary.peakPerWorker <= DEFAULT_PER_WORKER, `a worker held ${summary.peakPerWorker} pages`);
      } finally {
        delete process.env.FAKE_EXTRACTOR_LOG;
      }
    });
  }
});
