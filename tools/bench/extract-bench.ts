/**
 * `npm run bench:extract [-- --quick]`: the extractor's speed, scale and coverage, measured
 * side by side in one run and printed as a table with the targets of issue 2.
 *
 *  1. extraction against the parser floor: extractPage() and a bare remark parse (gfm +
 *     front matter) over the same in-memory pages on one thread, each side in its own
 *     process (measure-floor.ts), halves run A-B then B-A so load drift falls on both;
 *  2. the runner on one core against the runner on both, over the scale corpus, halves run
 *     A-B-C then C-B-A, each pass a fresh process as a real run is (module loading, workers,
 *     JIT warm-up):
 *     - one core: jobs=1 (extraction in the runner's thread) in a process pinned to one CPU
 *       with `taskset`, started with the V8 flags the pool gives its workers, so the two
 *       sides run the same engine and differ only in the cores they may use;
 *     - both cores: jobs=2, the pool of two worker processes;
 *     - and, for reference, jobs=1 unpinned with node's default flags, which is not one core:
 *       V8's GC and compiler threads run beside it on the other core;
 *     - the machine's own ceiling for this kind of work, with no project code: the bare remark
 *       parse of the two halves one after the other pinned to one core, against both halves at
 *       once in two processes. Two parsers side by side slow each other down here (shared
 *       caches and memory), so the runner's speed-up is read against this figure;
 *  3. the runner on the scale corpus, cold then warm (jobs=2, same cache), with memory and coverage;
 *  4. the runner on a grown corpus of 5,000+ perturbed pages (temporary, deleted at the end).
 * Runner passes run in child processes (measure-run.ts) so peak memory is each pass's own.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../spec/io.ts';
import { listPages } from '../extract/runner/list-pages.ts';
import { workerV8Flags } from '../extract/runner/worker-pool.ts';
import type { FloorMeasurement, FloorRequest } from './extract/measure-floor.ts';
import type { PassMeasurement, RunRequest } from './extract/measure-run.ts';
import { writePerturbedCorpus } from './extract/perturb-corpus.ts';

const TARGETS = { ratio: 1.3, speedUp: 1.7, warm: 20, coverage: 0.98, memoryGrowth: 1.25, grownPages: 5000 };

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    // Development aid: measure another extractor module.
    extractor: { type: 'string' },
  },
});

const SCALE_DIR = resolve(REPO_ROOT, '../shared/scale');
const MEASURE_RUN = new URL('./extract/measure-run.ts', import.meta.url).pathname;
const MEASURE_FLOOR = new URL('./extract/measure-floor.ts', import.meta.url).pathname;
const extractorHref = flags.extractor
  ? new URL(flags.extractor, `file://${process.cwd()}/`).href
  : new URL('../extract/page.ts', import.meta.url).href;

/** Linux PSI: percentage of the last 60 s in which some runnable task waited for a CPU. */
function cpuPressure(): string | undefined {
  try {
    return /some avg10=[\d.]+ avg60=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}
const log = (line: string) => process.stderr.write(`[bench:extract] ${line}\n`);
const load = () => loadavg().map((n) => n.toFixed(2)).join(' ');

let scratch: string | undefined;
function removeScratch(): void {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    removeScratch();
    process.exit(130);
  });
}

/**
 * Two CPUs this process may run on (Linux): the first and the last allowed. Pinned passes
 * alternate between them, so a core that the host happens to slow down (its interrupts, a
 * neighbour's load) does not weigh on one side of a comparison only.
 */
function pinnableCpus(): [number, number] | undefined {
  try {
    const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    const cpus = (list ?? '').split(',').flatMap((range) => {
      const [from, to = from] = range.split('-').map(Number);
      return from === undefined || Number.isNaN(from) || Number.isNaN(to) ? [] : [from, to];
    });
    if (cpus.length === 0) return undefined;
    const ok = spawnSync('taskset', ['-c', String(cpus[0]), 'true']).status === 0;
    return ok ? [cpus[0]!, cpus[cpus.length - 1]!] : undefined;
  } catch {
    return undefined;
  }
}

interface ChildOptions {
  /** Run pinned to this CPU (taskset). */
  cpu?: number;
  /** V8 flags for node. */
  v8Flags?: readonly string[];
}

/** A bench helper script in a child process: one JSON request in, one JSON line out. */
function runChild<T>(script: string, request: object, options: ChildOptions = {}): Promise<T> {
  return new Promise((resolveChild, reject) => {
    const node = [process.execPath, ...(options.v8Flags ?? []), '--import', 'tsx', script, JSON.stringify(request)];
    const command = options.cpu === undefined ? node : ['taskset', '-c', String(options.cpu), ...node];
    const child = spawn(command[0]!, command.slice(1), {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) reject(new Error(`${script} exited with ${code}: ${out.slice(-2000)}`));
      else resolveChild(JSON.parse(last) as T);
    });
  });
}

/** Step 1: one side of the parser-floor comparison (and of the machine's ceiling in step 2). */
const measureFloor = (request: FloorRequest, options?: ChildOptions) => runChild<FloorMeasurement>(MEASURE_FLOOR, request, options);
/** Steps 2 to 4: one runner pass. */
const measureRun = (request: RunRequest, options?: ChildOptions) => runChild<PassMeasurement>(MEASURE_RUN, request, options);

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const perSecond = (pages: number, ms: number) => `${((pages * 1000) / ms).toFixed(1)} pages/s`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

async function main(): Promise<number> {
  const began = performance.now();
  const loadBefore = load();
  // The bench itself keeps three processes busy (the runner and two workers), so only the
  // figures from before it started say whether other work shared the cores.
  const oneMinuteLoadBefore = loadavg()[0] ?? 0;
  const pressureBefore = cpuPressure();
  const listing = await listPages([SCALE_DIR]);
  const scalePages = flags.quick ? listing.pages.slice(0, 300) : listing.pages;
  const floorPages = flags.quick ? scalePages.slice(0, 150) : scalePages;
  const grownCount = flags.quick ? 600 : Math.max(TARGETS.grownPages, 2 * scalePages.length);
  log(`${scalePages.length} scale pages${flags.quick ? ' (--quick subset)' : ''}; load average ${loadBefore}`);

  scratch = await mkdtemp(join(tmpdir(), 'extract-bench-'));
  try {
    const halvesOf = (count: number): [number, number][] => [
      [0, Math.ceil(count / 2)],
      [Math.ceil(count / 2), count],
    ];
    log(`1/4 extractPage against the bare remark parse over ${floorPages.length} pages, one thread, halves A-B B-A`);
    const floorSides = { parse: [] as FloorMeasurement[], extract: [] as FloorMeasurement[] };
    for (const [i, slice] of halvesOf(floorPages.length).entries()) {
      for (const side of i === 0 ? (['parse', 'extract'] as const) : (['extract', 'parse'] as const)) {
        floorSides[side].push(await measureFloor({ side, inputs: [SCALE_DIR], slice, extractor: extractorHref }));
      }
    }
    const total = (list: FloorMeasurement[], pick: (m: FloorMeasurement) => number) => list.reduce((t, m) => t + pick(m), 0);
    const floor = {
      pages: total(floorSides.extract, (m) => m.pages),
      parseMs: total(floorSides.parse, (m) => m.wallMs),
      extractMs: total(floorSides.extract, (m) => m.wallMs),
      parseCpuMs: total(floorSides.parse, (m) => m.cpuMs),
      extractCpuMs: total(floorSides.extract, (m) => m.cpuMs),
      crashed: floorSides.extract.flatMap((m) => m.crashed),
      unreadable: floorSides.parse.flatMap((m) => m.unreadable),
    };

    const base = { extractor: extractorHref, inputs: [SCALE_DIR], warm: false, coverage: false };
    const halves = halvesOf(scalePages.length);
    const pinned = pinnableCpus();
    const pinning = pinned !== undefined;
    type Side = 'oneCore' | 'jobs1' | 'jobs2';
    const sides: Record<Side, { request: Omit<RunRequest, 'slice'>; options?: ChildOptions }> = {
      // The flags a pool filling its cores gives each worker: here one worker on one core.
      oneCore: { request: { ...base, jobs: 1, cacheDir: false }, options: { v8Flags: workerV8Flags(1, 1) } },
      jobs1: { request: { ...base, jobs: 1, cacheDir: false } },
      jobs2: { request: { ...base, jobs: 2, cacheDir: false } },
    };
    const order: Side[] = pinning ? ['oneCore', 'jobs1', 'jobs2'] : ['jobs1', 'jobs2'];
    const speed: Record<Side, PassMeasurement[]> = { oneCore: [], jobs1: [], jobs2: [] };
    log(
      `2/4 runner on one core${pinning ? ` (CPU ${pinned[0]}, then ${pinned[1]})` : ' (no taskset: skipped)'}, jobs=1 and jobs=2 over ${scalePages.length} pages, cold, halves A-B-C C-B-A`,
    );
    for (const [i, slice] of halves.entries()) {
      for (const side of i === 0 ? order : [...order].reverse()) {
        const options = side === 'oneCore' ? { ...sides[side].options, cpu: pinned?.[i] } : sides[side].options;
        speed[side].push(await measureRun({ ...sides[side].request, slice }, options));
      }
    }
    let ceiling = Number.NaN;
    if (pinning) {
      log(`2/4 the machine's ceiling: bare remark parse, halves one after the other on CPU ${pinned[0]} then ${pinned[1]}, and both at once`);
      const flags = workerV8Flags(1, 1);
      const parse = (slice: [number, number], cpu?: number) =>
        measureFloor({ side: 'parse', inputs: [SCALE_DIR], slice, extractor: extractorHref }, { v8Flags: flags, ...(cpu === undefined ? {} : { cpu }) });
      const [first, second] = halves as [[number, number], [number, number]];
      const alone = [await parse(first, pinned[0])];
      const together = await Promise.all([parse(first), parse(second)]);
      alone.push(await parse(second, pinned[1]));
      const span = Math.max(...together.map((m) => m.endedAtMs)) - Math.min(...together.map((m) => m.startedAtMs));
      ceiling = (alone[0]!.wallMs + alone[1]!.wallMs) / span;
    }
    log(`3/4 runner jobs=2, cold then warm, ${scalePages.length} pages`);
    const scale = await measureRun({
      ...base,
      slice: [0, scalePages.length],
      jobs: 2,
      cacheDir: join(scratch, 'cache-scale'),
      warm: true,
      coverage: true,
    });

    log(`4/4 growing the corpus to ${grownCount} perturbed pages, then runner jobs=2, cold`);
    const grownDir = join(scratch, 'grown');
    await writePerturbedCorpus(scalePages, grownDir, grownCount);
    const grown = await measureRun({ ...base, inputs: [grownDir], jobs: 2, cacheDir: join(scratch, 'cache-grown'), coverage: true });

    const n = scalePages.length;
    const sum = (passes: PassMeasurement[], pick: (p: PassMeasurement) => number) => passes.reduce((t, p) => t + pick(p), 0);
    const wall = {
      oneCore: sum(speed.oneCore, (p) => p.cold.durationMs),
      one: sum(speed.jobs1, (p) => p.cold.durationMs),
      two: sum(speed.jobs2, (p) => p.cold.durationMs),
    };
    const cpu = {
      oneCore: sum(speed.oneCore, (p) => p.cold.cpuMs),
      one: sum(speed.jobs1, (p) => p.cold.cpuMs),
      two: sum(speed.jobs2, (p) => p.cold.cpuMs),
    };
    const ratio = floor.extractCpuMs / floor.parseCpuMs;
    const wallRatio = floor.extractMs / floor.parseMs;
    const speedUp = pinning ? wall.oneCore / wall.two : Number.NaN;
    // Each half on its own: how far two measurements of the same thing in one run disagree
    // on this machine, beside the figure that sums them.
    const spread = (values: number[]) => `halves ${values.map((v) => v.toFixed(2)).join(' / ')}`;
    const ratioHalves = floorSides.extract.map((m, i) => m.cpuMs / floorSides.parse[i]!.cpuMs);
    const speedUpHalves = speed.jobs2.map((p, i) => (speed.oneCore[i]?.cold.durationMs ?? Number.NaN) / p.cold.durationMs);
    const jobsSpeedUp = wall.one / wall.two;
    const warmMs = scale.warm?.durationMs ?? Number.POSITIVE_INFINITY;
    const warmFactor = scale.cold.durationMs / warmMs;
    const rssGrowth = grown.peakRssBytes / scale.peakRssBytes;
    const passes = [...speed.oneCore, ...speed.jobs1, ...speed.jobs2, scale, grown];
    const crashed = [...new Set([...floor.crashed, ...passes.flatMap((p) => p.cold.summary.crashed)])];
    const unreadable = [...new Set([...floor.unreadable, ...passes.flatMap((p) => p.cold.summary.unreadable)])];
    const sameSpec = speed.jobs2.every(
      (p, i) => p.specSha256 === speed.jobs1[i]?.specSha256 && (!pinning || p.specSha256 === speed.oneCore[i]?.specSha256),
    );
    const scaleCoverage = scale.coverage ?? { pagesWithRequestBlock: 0, withOperation: 0, missing: [] };
    const grownCoverage = grown.coverage ?? { pagesWithRequestBlock: 0, withOperation: 0, missing: [] };

    type Row = [measure: string, value: string, target: string, verdict: string];
    type Coverage = NonNullable<PassMeasurement['coverage']>;
    const pct = (c: Coverage) =>
      `${c.withOperation} / ${c.pagesWithRequestBlock} (${((100 * c.withOperation) / Math.max(1, c.pagesWithRequestBlock)).toFixed(1)}%)`;
    const covered = (c: Coverage) => c.withOperation >= TARGETS.coverage * c.pagesWithRequestBlock;
    const rows: Row[] = [
      ['bare remark parse, 1 thread (the floor)', perSecond(floor.pages, floor.parseMs), '', ''],
      ['extractPage, 1 thread, same pages', perSecond(floor.pages, floor.extractMs), '', ''],
      ['  ratio extraction / parse, CPU time', `${ratio.toFixed(2)} (${spread(ratioHalves)})`, `<= ${TARGETS.ratio}`, verdict(ratio <= TARGETS.ratio)],
      ['  ratio extraction / parse, wall time (load-sensitive)', wallRatio.toFixed(2), '', ''],
      [
        `runner on one core (jobs=1 pinned, workers' V8 flags), ${n} pages`,
        pinning ? `${perSecond(n, wall.oneCore)} (${seconds(wall.oneCore)})` : 'not measured (no taskset)',
        '',
        '',
      ],
      [`runner jobs=2 (two worker processes), ${n} pages`, `${perSecond(n, wall.two)} (${seconds(wall.two)})`, '', ''],
      [
        '  speed-up both cores / one core',
        pinning ? `${speedUp.toFixed(2)} (${spread(speedUpHalves)})` : '-',
        `>= ${TARGETS.speedUp}`,
        pinning ? verdict(speedUp >= TARGETS.speedUp) : 'not measured',
      ],
      ['  CPU time (all threads and workers), one core / both', `${seconds(cpu.oneCore)} / ${seconds(cpu.two)}`, '', ''],
      // What the work itself allows when both cores are free: the wall-clock figure above
      // cannot show more than the share of the cores the machine gives this process.
      ['  speed-up the CPU cost allows on 2 idle cores', pinning ? ((2 * cpu.oneCore) / cpu.two).toFixed(2) : '-', '', ''],
      // Above 2, the pinned core itself was slowed during the run, and the speed-up with it.
      ['  the machine\'s ceiling: bare remark parse, both cores / one core', pinning ? ceiling.toFixed(2) : '-', '', ''],
      [`runner jobs=1 unpinned, node's default flags, ${n} pages`, `${perSecond(n, wall.one)} (${seconds(wall.one)}, CPU ${seconds(cpu.one)})`, '', ''],
      ['  speed-up jobs=2 / jobs=1 unpinned (V8 threads use the 2nd core)', jobsSpeedUp.toFixed(2), '', ''],
      ['  spec identical for one core, jobs=1 and jobs=2', sameSpec ? 'yes' : 'no', 'yes', verdict(sameSpec)],
      [`runner jobs=2 cold, ${n} pages, cache on`, `${perSecond(n, scale.cold.durationMs)} (${seconds(scale.cold.durationMs)})`, '', ''],
      [
        `runner jobs=2 warm, ${n} pages`,
        `${perSecond(n, warmMs)} (${seconds(warmMs)}; ${scale.warm?.summary.cacheHits ?? 0} hits, ${scale.warm?.summary.extracted ?? 0} parsed)`,
        '',
        '',
      ],
      ['  warm speed-up over cold', warmFactor.toFixed(1), `>= ${TARGETS.warm}`, verdict(warmFactor >= TARGETS.warm)],
      [`runner jobs=2 cold, ${grownCount} grown pages`, `${perSecond(grownCount, grown.cold.durationMs)} (${seconds(grown.cold.durationMs)})`, '', ''],
      [`peak RSS / main-thread heap, ${n} pages`, `${mb(scale.peakRssBytes)} / ${mb(scale.peakHeapBytes)}`, '', ''],
      [`peak RSS / main-thread heap, ${grownCount} pages`, `${mb(grown.peakRssBytes)} / ${mb(grown.peakHeapBytes)}`, '', ''],
      [
        `  RSS growth for ${(grownCount / n).toFixed(2)}x the pages`,
        rssGrowth.toFixed(2),
        `<= ${TARGETS.memoryGrowth} (flat)`,
        verdict(rssGrowth <= TARGETS.memoryGrowth),
      ],
      ['coverage, scale: pages with an operation / with a request block', pct(scaleCoverage), `>= ${TARGETS.coverage * 100}%`, verdict(covered(scaleCoverage))],
      ['coverage, grown: pages with an operation / with a request block', pct(grownCoverage), `>= ${TARGETS.coverage * 100}%`, verdict(covered(grownCoverage))],
      ['pages the extractor crashed on (all passes)', String(crashed.length), '0', verdict(crashed.length === 0)],
      ['pages that could not be read (all passes)', String(unreadable.length), '', ''],
    ];

    const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c]!.length), 8));
    const line = (r: readonly string[]) => `${r[0]!.padEnd(widths[0]!)}  ${r[1]!.padEnd(widths[1]!)}  ${r[2]!.padEnd(widths[2]!)}  ${r[3]}`;
    console.log(`\nExtractor benchmark${flags.quick ? ' (--quick)' : ''}: ${n} scale pages, ${grownCount} grown pages`);
    console.log(line(['measure', 'value', 'target', 'verdict']));
    console.log(line(widths.map((w) => '-'.repeat(w)).concat('-------')));
    for (const row of rows) console.log(line(row));
    const show = (title: string, paths: string[]) => {
      console.log(`\n${title}: ${paths.length === 0 ? 'none' : paths.length}`);
      for (const path of paths.slice(0, 25)) console.log(`  ${relative(process.cwd(), path)}`);
      if (paths.length > 25) console.log(`  ... and ${paths.length - 25} more`);
    };
    show('Pages with a request block but no operation (scale corpus)', scaleCoverage.missing);
    show('Pages the extractor crashed on', crashed);
    show('Pages that could not be read', unreadable);
    const pressure = cpuPressure();
    if (pressureBefore !== undefined || pressure !== undefined) {
      console.log(`\nCPU pressure (share of time some task waited for a core, last 60 s): before ${pressureBefore ?? '?'}%, after ${pressure ?? '?'}%.`);
    }
    if (oneMinuteLoadBefore > 1 || Number(pressureBefore ?? 0) > 50) {
      console.log(
        'Other work was running when the bench started: wall-clock figures (pages/s, the speed-up) measure the share of\n' +
          'the 2 cores this process got, not the code; the CPU-time rows do not depend on that share.',
      );
    }
    console.log(
      `\nExtraction messages on the scale corpus: ${scale.messages.errors} errors, ${scale.messages.warnings} warnings.` +
        `\nLoad average before ${loadBefore}, after ${load()} (2 cores shared); whole bench ${seconds(performance.now() - began)}.`,
    );
    return 0;
  } finally {
    await rm(scratch, { recursive: true, force: true });
    scratch = undefined;
  }
}

process.exitCode = await main();
