/**
 * `npm run bench:suite`: what does the Playwright suite cost over the HTTP work it does?
 *
 *   1. start N fresh mock tenants in a process of their own (N = workers)
 *   2. run the whole generated suite against them (`playwright test`, url target, one mock
 *      per worker as the mock target gives each worker its own), recording every HTTP
 *      request the workers make (tools/bench/suite/request-recorder.mjs, preloaded)
 *   3. start N fresh mocks again and replay the same requests with a bare fetch client,
 *      one lane per worker (the same concurrency)
 *   4. print the two wall times and their ratio; target: suite / replay <= 3
 *
 * Both wall times exclude starting the mocks; the suite's includes Playwright's start-up,
 * the workers, the harness and the checks, which is the overhead being measured.
 *
 *   5. a failing run: the suite against the mock with a fault failing 100+ tests, over the
 *      conformant run (target <= 2; --fault NAME, --no-faulted to leave it out)
 *   6. the mutation sweep over the whole catalogue, wall time (target < 3 min; --no-sweep)
 *   7. the suite against the mock over HTTPS (`run --https`: the local CA's certificate) beside
 *      the same run over HTTP (--no-https to leave it out)
 *
 *   npm run bench:suite [-- --workers N] [--profile docs|live] [--grep PATTERN]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../spec/io.ts';
import { readRequestLog, replayLanes } from './suite/replay.ts';

const TARGET_RATIO = 3;
/** A fault that fails 150 or so tests (every permission-lacking check): the failing-run figure's. */
const FAILING_FAULT = 'permission-not-checked';
const FAILING_TARGET = 2;
const SWEEP_TARGET_S = 180;
const RECORDER = join(REPO_ROOT, 'tools/bench/suite/request-recorder.mjs');
const BIN = (name: string) => join(REPO_ROOT, 'node_modules/.bin', name);

interface MockHost {
  urls: string[];
  stop(): Promise<void>;
}

async function startMockHost(count: number, profile: string, specFile: string | undefined): Promise<MockHost> {
  const args = ['tools/bench/suite/mock-host.ts', '--count', String(count), '--profile', profile, ...(specFile ? ['--spec', specFile] : [])];
  const child: ChildProcess = spawn(BIN('tsx'), args, { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolveExit) => child.on('exit', () => resolveExit()));
  const firstLine = await new Promise<string>((resolveLine, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolveLine);
    child.once('exit', (code) => reject(new Error(`mock host exited (${code}) before it was ready`)));
  });
  const { urls } = JSON.parse(firstLine) as { urls: string[] };
  return {
    urls,
    stop: async () => {
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGTERM'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function runSuite(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; wallMs: number; startedAt: number; tail: string }> {
  return new Promise((resolveRun, reject) => {
    const started = performance.now();
    const startedAt = performance.timeOrigin + started;
    const child = spawn(BIN('playwright'), ['test', ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('exit', (code) => resolveRun({ code, wallMs: performance.now() - started, startedAt, tail: output }));
  });
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      workers: { type: 'string', default: String(Math.max(1, Math.floor(availableParallelism() / 2))) },
      profile: { type: 'string', default: 'docs' },
      grep: { type: 'string' },
      spec: { type: 'string' },
      fault: { type: 'string', default: FAILING_FAULT },
      'no-faulted': { type: 'boolean' },
      'no-https': { type: 'boolean' },
      'no-sweep': { type: 'boolean' },
    },
  });
  const workers = Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 16) {
    console.error(`bench:suite: --workers must be 1..16, not ${values.workers}`);
    return 2;
  }
  const profile = values.profile === 'live' ? 'live' : 'docs';
  const specFile = values.spec ?? process.env.PHOTO_SPEC;
  // Private: the log holds the tokens the suite used; it is deleted at the end.
  const logDir = await mkdtemp(join(tmpdir(), 'photo-suite-bench-'));
  try {
    console.log(`bench:suite: ${workers} worker(s), profile ${profile}${values.grep ? `, grep ${values.grep}` : ''}`);

    const suiteMocks = await startMockHost(workers, profile, specFile);
    let suite;
    try {
      suite = await runSuite(
        ['--workers', String(workers), '--reporter', 'dot', '--output', join(logDir, 'test-results'), ...(values.grep ? ['--grep', values.grep] : [])],
        {
          ...process.env,
          PHOTO_TARGET: 'url',
          PHOTO_PROFILE: profile,
          PHOTO_BASE_URL: suiteMocks.urls[0],
          PHOTO_BENCH_BASE_URLS: suiteMocks.urls.join(','),
          PHOTO_BENCH_REQUEST_LOG: logDir,
          PHOTO_RESULTS_FILE: join(logDir, 'results.json'),
          ...(specFile ? { PHOTO_SPEC: specFile } : {}),
          NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${RECORDER}`.trim(),
        },
      );
    } finally {
      await suiteMocks.stop();
    }
    // Failing checks are the suite's business (a deviation is a finding); a run that could
    // not start is not a measurement.
    if (suite.code !== 0 && suite.code !== 1) {
      console.error(`bench:suite: playwright exited ${suite.code}:\n${suite.tail}`);
      return 1;
    }

    const { lanes, bodies, processes } = await readRequestLog(logDir);
    const freshMocks = await startMockHost(lanes.length, profile, specFile);
    let replay;
    try {
      replay = await replayLanes(lanes, bodies, freshMocks.urls);
    } finally {
      await freshMocks.stop();
    }

    const ratio = suite.wallMs / replay.wallMs;
    // Where the suite's time goes, summed over workers (with one lane, parts of the wall time).
    const runnerMs = processes[0] ? Math.max(0, processes[0].startedAt - suite.startedAt) : 0;
    const startupMs = processes.reduce((sum, p) => sum + (p.firstRequestAt - p.startedAt), 0);
    const httpMs = processes.reduce((sum, p) => sum + p.httpMs, 0);
    const agreement = replay.requests ? (100 * replay.sameStatus) / replay.requests : 0;
    const rows: [string, string][] = [
      [`suite (playwright test${values.grep ? `, grep ${values.grep}` : ', whole suite'})`, seconds(suite.wallMs)],
      [`bare replay (fetch, ${lanes.length} lane(s))`, seconds(replay.wallMs)],
      ['requests replayed', String(replay.requests)],
      ['same status as in the suite', `${replay.sameStatus} (${agreement.toFixed(1)}%)`],
      ['no response (server closed early)', String(replay.noResponse)],
      // Playwright replaces a worker after every failing test; each new one loads the harness again.
      ['worker processes (1 per lane + 1 per failing group)', String(processes.length)],
      ['  of the suite: runner start-up until the first worker', seconds(runnerMs)],
      ['  of the suite: worker start-up before the first request', seconds(startupMs)],
      ['  of the suite: waiting on HTTP requests', seconds(httpMs)],
      ['  of the suite: the rest (fixtures, checks, images, reporting)', seconds(Math.max(0, suite.wallMs - runnerMs - startupMs - httpMs))],
    ];
    const width = Math.max(...rows.map(([label]) => label.length));
    for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);
    console.log(`  ${'ratio suite / bare replay'.padEnd(width)}  ${ratio.toFixed(2)}  target <= ${TARGET_RATIO}  ${ratio <= TARGET_RATIO ? 'PASS' : 'MISS'}`);
    if (agreement < 95 && replay.differing.length) {
      console.log('  replayed statuses that differ from the suite (first few):');
      for (const d of replay.differing.slice(0, 8)) console.log(`    ${d.method} ${d.path}: suite ${d.recorded ?? '-'}, replay ${d.replayed ?? 'no response'}`);
    }
    if (!values['no-faulted']) await failingRun(values.fault!, workers, logDir);
    if (!values['no-https']) await httpsRun(workers, logDir);
    if (!values['no-sweep']) await sweep();
    return 0;
  } finally {
    await rm(logDir, { recursive: true, force: true });
  }
}

/**
 * The third figure: a run against the mock with a fault that fails many tests, over the same
 * run without it. Playwright replaces its worker after every failing test; this is what a
 * user pays for a wrong server.
 */
async function failingRun(fault: string, workers: number, logDir: string): Promise<void> {
  const once = async (faults: string) => {
    const results = join(logDir, `results-${faults || 'none'}.json`);
    // The config's html, junit and json reporters stay out (they would write into reports/); the
    // conformance reporter writes the results the failing tests are counted from.
    const run = await runSuite(['--workers', String(workers), '--reporter', `dot,${join(REPO_ROOT, 'tools/report/reporter.ts')}`, '--output', join(logDir, 'test-results')], {
      ...process.env,
      PHOTO_TARGET: 'mock',
      PHOTO_PROFILE: 'docs',
      PHOTO_FAULTS: faults,
      PHOTO_RESULTS_FILE: results,
    });
    const { results: list } = JSON.parse(await readFile(results, 'utf8')) as { results: { status: string }[] };
    return { ...run, failed: list.filter((r) => r.status === 'FAIL').length, total: list.length };
  };
  const conformant = await once('');
  const faulted = await once(fault);
  const ratio = faulted.wallMs / conformant.wallMs;
  console.log(`\nbench:suite: a failing run (mock, ${workers} worker(s))`);
  console.log(`  conformant run                     ${seconds(conformant.wallMs)}  (${conformant.failed} of ${conformant.total} failing)`);
  console.log(`  with fault ${fault.padEnd(24)} ${seconds(faulted.wallMs)}  (${faulted.failed} of ${faulted.total} failing)`);
  const enough = faulted.failed >= 100 ? '' : `  (the fault fails ${faulted.failed} tests, under the 100 the figure asks for)`;
  console.log(`  ratio faulted / conformant          ${ratio.toFixed(2)}  target <= ${FAILING_TARGET}  ${ratio <= FAILING_TARGET ? 'PASS' : 'MISS'}${enough}`);
}

/**
 * The suite against the mock over HTTPS beside the same run over HTTP: what TLS costs a run
 * (handshakes, encryption) once the mock serves it, as `run --https` does.
 */
async function httpsRun(workers: number, logDir: string): Promise<void> {
  const { extraCaCerts, localCa } = await import('../mock/tls.ts');
  const caFile = await extraCaCerts(await localCa());
  const once = async (https: boolean) => {
    const results = join(logDir, `results-${https ? 'https' : 'http'}.json`);
    const run = await runSuite(['--workers', String(workers), '--reporter', `dot,${join(REPO_ROOT, 'tools/report/reporter.ts')}`, '--output', join(logDir, 'test-results')], {
      ...process.env,
      PHOTO_TARGET: 'mock',
      PHOTO_PROFILE: 'docs',
      PHOTO_RESULTS_FILE: results,
      ...(https ? { PHOTO_MOCK_HTTPS: '1', NODE_EXTRA_CA_CERTS: caFile } : {}),
    });
    const { results: list } = JSON.parse(await readFile(results, 'utf8')) as { results: { status: string; exchanges?: { request: { url: string } }[] }[] };
    const schemes = new Set(list.flatMap((r) => (r.exchanges ?? []).map((e) => new URL(e.request.url).protocol)));
    return { ...run, passed: list.filter((r) => r.status === 'PASS').length, total: list.length, schemes: [...schemes].join(' ') };
  };
  const http = await once(false);
  const https = await once(true);
  console.log(`\nbench:suite: the suite over HTTPS (mock, ${workers} worker(s))`);
  console.log(`  over HTTP                          ${seconds(http.wallMs)}  (${http.passed} of ${http.total} passing; ${http.schemes})`);
  console.log(`  over HTTPS                         ${seconds(https.wallMs)}  (${https.passed} of ${https.total} passing; ${https.schemes})`);
  console.log(`  ratio HTTPS / HTTP                 ${(https.wallMs / http.wallMs).toFixed(2)}  info (no target)`);
}

/** The fourth figure: `photo-conformance mutate` over the whole catalogue, wall time. */
async function sweep(): Promise<void> {
  const started = performance.now();
  const code = await new Promise<number | null>((resolveExit) => {
    const child = spawn(BIN('tsx'), ['tools/cli/main.ts', 'mutate'], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (exitCode) => resolveExit(exitCode));
  });
  const wallMs = performance.now() - started;
  const strength = JSON.parse(await readFile(join(REPO_ROOT, 'reports/strength.json'), 'utf8')) as { killed: number; swept: number };
  console.log(`\nbench:suite: the mutation sweep (photo-conformance mutate, exit ${code})`);
  console.log(`  faults killed                      ${strength.killed} of ${strength.swept}`);
  console.log(`  sweep wall time                    ${seconds(wallMs)}  target < ${SWEEP_TARGET_S} s  ${wallMs < SWEEP_TARGET_S * 1000 ? 'PASS' : 'MISS'}`);
}

process.exitCode = await main();
