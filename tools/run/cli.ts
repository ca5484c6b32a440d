/**
 * `photo-conformance run [--target mock|url|tenant] [options]`: runs the generated suite
 * with Playwright against one target, applies the target's expectation file to
 * reports/results.json, grades it (only a broken MUST fails the run unless --strict), and
 * renders the conformance matrix. Playwright's own exit code is not the verdict: a known
 * deviation fails a test but not the run.
 */
import { spawn, type StdioOptions } from 'node:child_process';
import { access, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, writeFileAtomic } from '../spec/io.ts';
import { countVerdicts, readResults, serializeResults, type Results } from '../report/results-model.ts';
import { applyExpectations, expectationName, expectationPath, loadExpectations, type Deviation, type ExpectationFile } from './expectations.ts';
import { grepPattern } from '../../suites/harness/select.ts';
import { CLOUD_NAMES, isCloudName } from '../tenant/clouds.ts';
import { reachability } from './reachability.ts';

export const USAGE = `usage: photo-conformance run [options]
  --target mock|url|tenant  where to run (default mock, or url when --base-url is given)
  --profile docs|live       mock only: what the pages say, or what the service does (default docs)
  --base-url URL            url target: the server (tokens from its token endpoint, or PHOTO_TOKEN_*)
  --tenant-file FILE        url/tenant: who exists there (tenant fixture format; a tenant run
                            touches only the users, groups and contacts it names)
  --allow-writes            tenant only: change the named test photos (journaled and restored)
  --cloud NAME              tenant only: global (default), usgov (L4), usgov-dod (L5) or china
                            (21Vianet): the Graph, Outlook REST and sign-in roots of that cloud
                            (PHOTO_CLOUD); Outlook checks skip where the cloud has no Outlook REST
  --graph-url URL, --outlook-url URL, --authority-host URL
                            tenant only: override a root of the cloud (PHOTO_GRAPH_URL,
                            PHOTO_OUTLOOK_URL, AZURE_AUTHORITY_HOST)
  --spec FILE               the spec the suite was generated from (default spec/profilephoto.yaml)
  --grep RE, --grep-invert RE, --shard I/N, --workers N   as in Playwright
  --fail-on must|should|may the lowest level whose new failure fails the run (default should:
                            a new MUST or SHOULD failure fails it; the report grades each anyway)
  --strict                  every unexpected failure fails the run, whatever its level, and so
                            does an unexpected pass
  --expectations FILE       the baseline (default spec/expectations/<target>.yaml)
  --fault NAME              mock only: switch on a named fault (repeatable)
  --https                   mock only: the mock serves TLS (a certificate of the local CA in
                            .state/tls, which the run trusts through NODE_EXTRA_CA_CERTS)
  --label NAME              what reports call this run's target (default: the target, and
                            the mock's profile), e.g. prism beside the mock
  --results FILE            where results.json goes (default reports/results.json); with
                            --no-report and Playwright's own --reporter and --output after
                            \`--\`, a run that writes nothing into reports/
  --no-report               skip rendering matrix.html and matrix.md`;

export interface RunOptions {
  target: 'mock' | 'url' | 'tenant';
  profile: 'docs' | 'live';
  baseUrl?: string;
  tenantFile?: string;
  allowWrites: boolean;
  specFile?: string;
  grep?: string;
  grepInvert?: string;
  shard?: string;
  workers?: string;
  strict: boolean;
  failOn: FailOn;
  expectations?: string;
  faults: string[];
  report: boolean;
  /** where results.json goes, instead of reports/ */
  results?: string;
  /** what reports call this run's target */
  label?: string;
  /** mock only: serve https from the local CA */
  https: boolean;
  /** tenant only: the cloud, and overrides of its roots */
  cloud?: string;
  graphUrl?: string;
  outlookUrl?: string;
  authorityHost?: string;
  /** extra Playwright arguments (after `--`) */
  passThrough: string[];
}

export const FAIL_ON = ['must', 'should', 'may'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/** The verdicts a new failure gets at each level, and which of them fail the run at each line. */
export const GATED: Record<FailOn, readonly string[]> = {
  must: ['fail'],
  should: ['fail', 'non-strict'],
  may: ['fail', 'non-strict', 'informational'],
};

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseRunArgs(argv: string[]): RunOptions {
  const dashDash = argv.indexOf('--');
  const own = dashDash >= 0 ? argv.slice(0, dashDash) : argv;
  let values;
  try {
    ({ values } = parseArgs({
      args: own,
      strict: true,
      options: {
        target: { type: 'string' },
        profile: { type: 'string' },
        'base-url': { type: 'string' },
        'tenant-file': { type: 'string' },
        'allow-writes': { type: 'boolean' },
        spec: { type: 'string' },
        grep: { type: 'string', short: 'g' },
        'grep-invert': { type: 'string' },
        shard: { type: 'string' },
        workers: { type: 'string', short: 'j' },
        strict: { type: 'boolean' },
        'fail-on': { type: 'string' },
        expectations: { type: 'string' },
        fault: { type: 'string', multiple: true },
        'no-report': { type: 'boolean' },
        results: { type: 'string' },
        label: { type: 'string' },
        https: { type: 'boolean' },
        cloud: { type: 'string' },
        'graph-url': { type: 'string' },
        'outlook-url': { type: 'string' },
        'authority-host': { type: 'string' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  // A server named with --base-url is the one to test: without --target, it means the url target.
  const target = (values.target ?? (values['base-url'] ? 'url' : 'mock')) as RunOptions['target'];
  if (!['mock', 'url', 'tenant'].includes(target)) throw new UsageError(`--target must be mock, url or tenant, not '${target}'`);
  const profile = (values.profile ?? 'docs') as RunOptions['profile'];
  if (!['docs', 'live'].includes(profile)) throw new UsageError(`--profile must be docs or live, not '${profile}'`);
  if (values.profile && target !== 'mock') throw new UsageError('--profile applies to the mock target only');
  if (target === 'url' && !values['base-url']) throw new UsageError('--target url needs --base-url');
  if (values['base-url'] && target !== 'url') throw new UsageError(`--base-url applies to the url target only; the ${target} target was asked for`);
  if (values['base-url']) {
    let protocol: string;
    try {
      protocol = new URL(values['base-url']).protocol;
    } catch {
      throw new UsageError(`--base-url '${values['base-url']}' is not a URL`);
    }
    if (protocol !== 'http:' && protocol !== 'https:') throw new UsageError(`--base-url '${values['base-url']}' must be an http: or https: URL`);
  }
  for (const name of ['grep', 'grep-invert'] as const) {
    const pattern = values[name];
    if (!pattern) continue;
    try {
      grepPattern(pattern);
    } catch (error) {
      throw new UsageError(`--${name} '${pattern}' is not a regular expression: ${(error as Error).message}`);
    }
  }
  if (values.shard && !/^\d+\/\d+$/.test(values.shard)) throw new UsageError(`--shard must look like 1/3, not '${values.shard}'`);
  if (values.workers && !/^\d+%?$/.test(values.workers)) throw new UsageError(`--workers must be a number or a percentage, not '${values.workers}'`);
  if (values['allow-writes'] && target !== 'tenant') throw new UsageError('--allow-writes applies to the tenant target only (a mock is reset, not restored)');
  if (values['allow-writes'] && !values['tenant-file']) throw new UsageError('--allow-writes needs --tenant-file naming the test users, groups and contacts');
  if (target === 'tenant' && !values['tenant-file']) throw new UsageError('--target tenant needs --tenant-file naming the test users, groups and contacts it may address (format: tools/tenant/README.md)');
  const failOn = (values['fail-on'] ?? 'should').toLowerCase() as FailOn;
  if (!FAIL_ON.includes(failOn)) throw new UsageError(`--fail-on must be must, should or may, not '${values['fail-on']}'`);
  if (values.fault?.length && target !== 'mock') throw new UsageError('--fault applies to the mock target only');
  for (const name of ['cloud', 'graph-url', 'outlook-url', 'authority-host'] as const) {
    if (values[name] !== undefined && target !== 'tenant') throw new UsageError(`--${name} applies to the tenant target only`);
  }
  const cloud = values.cloud?.toLowerCase();
  if (cloud !== undefined && !isCloudName(cloud)) throw new UsageError(`--cloud must be one of ${CLOUD_NAMES.join(', ')}, not '${values.cloud}'`);
  for (const name of ['graph-url', 'outlook-url', 'authority-host'] as const) {
    const url = values[name];
    if (url === undefined) continue;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UsageError(`--${name} '${url}' is not a URL`);
    }
    if (parsed.protocol !== 'https:') throw new UsageError(`--${name} '${url}' must be https: a real tenant's tokens never travel in the clear`);
  }
  if (values.https && target !== 'mock') throw new UsageError('--https applies to the mock target only (another server brings its own certificate: trust it with NODE_EXTRA_CA_CERTS)');
  return {
    target,
    profile,
    baseUrl: values['base-url'],
    tenantFile: values['tenant-file'] ? resolve(values['tenant-file']) : undefined,
    allowWrites: values['allow-writes'] ?? false,
    specFile: values.spec ? resolve(values.spec) : undefined,
    grep: values.grep,
    grepInvert: values['grep-invert'],
    shard: values.shard,
    workers: values.workers,
    strict: values.strict ?? false,
    failOn,
    expectations: values.expectations ? resolve(values.expectations) : undefined,
    faults: values.fault ?? [],
    report: !values['no-report'],
    results: values.results ? resolve(values.results) : undefined,
    label: values.label,
    https: values.https ?? false,
    cloud,
    graphUrl: values['graph-url'],
    outlookUrl: values['outlook-url'],
    authorityHost: values['authority-host'],
    passThrough: dashDash >= 0 ? argv.slice(dashDash + 1) : [],
  };
}

/** What the tenant target signs in with (the names Azure's own libraries read). */
export const TENANT_CREDENTIALS = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET'] as const;

export function resultsFileFor(options: Pick<RunOptions, 'shard' | 'results'>): string {
  if (options.results) return options.results;
  const suffix = options.shard ? `-shard-${options.shard.replace('/', '-of-')}` : '';
  return join(REPO_ROOT, `reports/results${suffix}.json`);
}

/** The environment the harness, the config and the reporter read. Secrets pass through untouched and unprinted. */
export function runEnvironment(options: RunOptions, resultsFile: string, env: NodeJS.ProcessEnv = process.env, expectedFailuresFile?: string): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, PHOTO_TARGET: options.target };
  const set = (name: string, value: string | undefined) => {
    if (value === undefined) delete out[name];
    else out[name] = value;
  };
  set('PHOTO_PROFILE', options.target === 'mock' ? options.profile : undefined);
  set('PHOTO_BASE_URL', options.baseUrl);
  set('PHOTO_TENANT_FILE', options.tenantFile);
  set('PHOTO_ALLOW_WRITES', options.allowWrites ? '1' : undefined);
  set('PHOTO_SPEC_FILE', options.specFile);
  set('PHOTO_STRICT', options.strict ? '1' : undefined);
  set('PHOTO_GREP', options.grep);
  set('PHOTO_GREP_INVERT', options.grepInvert);
  set('PHOTO_FAULTS', options.faults.length ? options.faults.join(',') : undefined);
  set('PHOTO_MOCK_HTTPS', options.https ? '1' : undefined);
  set('PHOTO_LABEL', options.label);
  // The environment's own values stand unless an option says otherwise.
  if (options.cloud) set('PHOTO_CLOUD', options.cloud);
  if (options.graphUrl) set('PHOTO_GRAPH_URL', options.graphUrl);
  if (options.outlookUrl) set('PHOTO_OUTLOOK_URL', options.outlookUrl);
  if (options.authorityHost) set('AZURE_AUTHORITY_HOST', options.authorityHost);
  set('PHOTO_RESULTS_FILE', resultsFile);
  // JSON list of the baseline's known deviations, which the harness marks as expected to fail.
  set('PHOTO_EXPECTED_FAILURES_FILE', expectedFailuresFile);
  return out;
}

export function playwrightArgs(options: RunOptions): string[] {
  const args = ['test', '--config', join(REPO_ROOT, 'playwright.config.ts')];
  // --grep and --grep-invert select checks, which are steps of Playwright's tests: the
  // harness and the reporter read them from PHOTO_GREP and PHOTO_GREP_INVERT.
  if (options.shard) args.push('--shard', options.shard);
  if (options.workers) args.push('--workers', options.workers);
  return [...args, ...options.passThrough];
}

/** Playwright's exit code; `stdio` lets a caller that runs several at once send each to a log. */
export function runPlaywright(args: string[], env: NodeJS.ProcessEnv, stdio: StdioOptions = 'inherit'): Promise<number> {
  return new Promise((resolveExit) => {
    const child = spawn(join(REPO_ROOT, 'node_modules/.bin/playwright'), args, { cwd: REPO_ROOT, env, stdio });
    child.on('error', (error) => {
      console.error(`run: cannot start Playwright: ${error.message}`);
      resolveExit(127);
    });
    child.on('exit', (code, signal) => resolveExit(code ?? (signal ? 128 : 1)));
  });
}

/** The target's baseline: its name, its file, and its known deviations (a missing file has none). */
export async function loadBaseline(options: Pick<RunOptions, 'target' | 'profile' | 'expectations'>): Promise<{ file: string; expectations: ExpectationFile }> {
  const name = expectationName(options.target, options.target === 'mock' ? options.profile : null);
  const file = options.expectations ?? expectationPath(name);
  return { file, expectations: await loadExpectations(file, name) };
}

/**
 * Writes the baseline's known deviations where the harness reads them
 * (PHOTO_EXPECTED_FAILURES_FILE: a JSON list of test titles); `remove` deletes it.
 */
export async function writeKnownDeviations(expectations: ExpectationFile): Promise<{ file: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'photo-known-'));
  const file = join(dir, 'expected-failures.json');
  await writeFile(file, JSON.stringify(expectations.deviations.map((d) => d.test)));
  return { file, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** The results this run's reporter wrote; throws when there are none, or only an earlier run's. */
export async function readRunResults(resultsFile: string, startedMs: number): Promise<Results> {
  const results = await readResults(resultsFile);
  if (results.time_start < startedMs - 1000) throw new Error(`${relative(REPO_ROOT, resultsFile)} is from an earlier run`);
  return results;
}

export interface Grade {
  exitCode: number;
  lines: string[];
}

/** The one-screen summary and the exit code, from graded results. */
export function gradeRun(
  results: Results,
  unmatched: Deviation[],
  options: Pick<RunOptions, 'strict'> & Partial<Pick<RunOptions, 'failOn'>> & { partial: boolean; playwrightExit?: number },
): Grade {
  const counts = countVerdicts(results.results);
  const gated = GATED[options.failOn ?? 'should'];
  const loud = results.results.filter((r) => gated.includes(r.verdict) || r.verdict === 'unexpected-pass');
  const lines = [
    `conformance: ${counts.total} tests on ${results.run_info.target}${results.run_info.profile ? ` (${results.run_info.profile})` : ''}: ` +
      `${counts.pass} pass, ${counts.fail} fail, ${counts['expected-fail']} known deviation(s), ${counts['unexpected-pass']} unexpected pass(es), ` +
      `${counts['non-strict']} SHOULD broken, ${counts.informational} MAY broken, ${counts.skip} skipped`,
  ];
  for (const r of loud.slice(0, 15)) {
    const what = r.verdict === 'unexpected-pass' ? 'UNEXPECTED PASS (remove it from the expectations)' : 'NEW FAILURE';
    lines.push(`  ${what} [${r.level ?? '-'}] ${r.test}${r.source ? `  (${r.source})` : ''}`);
  }
  if (loud.length > 15) lines.push(`  ... and ${loud.length - 15} more in reports/matrix.html`);
  if (!options.partial && unmatched.length) {
    lines.push(`  ${unmatched.length} expectation(s) match no test (renamed or removed?): ${unmatched.slice(0, 3).map((d) => d.test).join('; ')}`);
  }
  // A new failure at or above the --fail-on line fails the run (CI gates on SHOULD by
  // default: a SHOULD that breaks is a regression too). An unexpected pass is shown as
  // loudly as a new failure; it fails the run only when strict.
  const failing = results.results.some((r) => gated.includes(r.verdict)) || (options.strict && counts['unexpected-pass'] > 0);
  // A run that checked nothing, or that Playwright failed with no check to show for it (a
  // global setup that threw, a file that did not load), is not conformant to anything.
  const explained = results.results.some((r) => r.verdict !== 'pass' && r.verdict !== 'skip' && r.verdict !== 'expected-fail');
  const broken =
    counts.total === 0 && !options.partial
      ? 'no check ran'
      : options.playwrightExit && !explained
        ? `Playwright exited with ${options.playwrightExit} and no check failed: its own error is above (global setup, a test file that did not load)`
        : counts.total > 0 && counts.skip === counts.total && !options.partial
          ? 'every check was skipped: nothing was checked'
          : undefined;
  if (broken) lines.push(`  RUN BROKEN: ${broken}`);
  return { exitCode: failing || broken ? 1 : 0, lines };
}

async function render(resultsFiles: string[], specFile: string | undefined): Promise<string | undefined> {
  const module = join(REPO_ROOT, 'tools/report/render.ts');
  try {
    await access(module);
  } catch {
    console.log('run: tools/report/render.ts is not there yet; matrix.html and matrix.md were not rendered');
    return undefined;
  }
  const { renderReports } = (await import(module)) as typeof import('../report/render.ts');
  const rendered = await renderReports({ results: resultsFiles, outDir: join(REPO_ROOT, 'reports'), specFile });
  for (const warning of rendered.warnings) console.warn(`run: ${warning}`);
  return rendered.html;
}


export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  let options: RunOptions;
  try {
    options = parseRunArgs(argv);
  } catch (error) {
    console.error(`run: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (options.target === 'tenant') {
    const missing = TENANT_CREDENTIALS.filter((name) => !process.env[name]);
    if (missing.length) {
      console.error(
        `run: the tenant target signs in with an app registration of that tenant: set ${missing.join(', ')} ` +
          '(README, "A real tenant, in any cloud"; rehearse against `photo-conformance mock --https` first).',
      );
      return 2;
    }
  }
  if (options.target === 'url' && options.baseUrl) {
    const unreachable = await reachability(options.baseUrl);
    if (unreachable) {
      console.error(
        `run: cannot reach ${options.baseUrl} (${unreachable}). Is the server running? ` +
          'Start the embedded one with `photo-conformance mock --port N`, or check --base-url.',
      );
      return 2;
    }
  }
  const resultsFile = resultsFileFor(options);
  const started = Date.now();
  // The baseline is read first: a broken one stops the run before it starts, and its known
  // deviations reach the harness, which marks them as expected to fail. Playwright then keeps
  // its worker after such a test, instead of starting a new one after every known failure.
  const { file: expectationsFile, expectations } = await loadBaseline(options);
  const known = await writeKnownDeviations(expectations);
  let playwrightExit: number;
  try {
    const env = runEnvironment(options, resultsFile, process.env, known.file);
    // The local CA exists before the runner starts: its workers read NODE_EXTRA_CA_CERTS at their start.
    if (options.https) {
      const { extraCaCerts, localCa } = await import('../mock/tls.ts');
      env.NODE_EXTRA_CA_CERTS = await extraCaCerts(await localCa(), process.env);
    }
    playwrightExit = await runPlaywright(playwrightArgs(options), env);
  } finally {
    await known.remove();
  }
  let results: Results;
  try {
    results = await readRunResults(resultsFile, started);
  } catch (error) {
    console.error(`run: Playwright exited with ${playwrightExit} and left no usable results: ${(error as Error).message}`);
    return playwrightExit || 1;
  }
  const applied = applyExpectations(results, expectations, { strict: options.strict });
  await writeFileAtomic(resultsFile, serializeResults(applied.results));

  const partial = Boolean(options.grep || options.grepInvert || options.shard || options.passThrough.length);
  const grade = gradeRun(applied.results, applied.unmatched, { strict: options.strict, failOn: options.failOn, partial, playwrightExit });
  let html: string | undefined;
  if (options.report) {
    try {
      html = await render([resultsFile], options.specFile);
    } catch (error) {
      console.error(`run: the matrix could not be rendered: ${(error as Error).message}`);
    }
  }
  console.log('');
  for (const line of grade.lines) console.log(line);
  console.log(`baseline: ${relative(REPO_ROOT, expectationsFile)} (${expectations.deviations.length} known deviation(s))`);
  // Playwright's own reports are the config's unless the command line named its own reporter.
  const playwrightReports = options.passThrough.some((a) => a === '--reporter' || a.startsWith('--reporter=')) ? '' : ', reports/html/index.html, reports/junit.xml';
  console.log(`reports: ${relative(REPO_ROOT, resultsFile)}${html ? `, ${relative(REPO_ROOT, html)}, reports/matrix.md` : ''}${playwrightReports}`);
  console.log(`run: ${grade.exitCode === 0 ? 'conformant to the baseline' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return grade.exitCode;
}
