/**
 * A rehearsal of the tenant target: `photo-conformance run --target tenant`, its code as a
 * real tenant runs it, against the embedded mock served over HTTPS as if it were one. The
 * Graph and Outlook roots and the sign-in authority are overridden to the mock
 * (`--graph-url`, `--outlook-url`, `--authority-host`), MSAL signs in for real (client
 * credentials and the password grant) against the mock's identity platform, and the photo
 * journal lives in a folder of the case's own.
 *
 * Each case starts its own mock in this process (127.0.0.1, port 0, TLS from the local CA in
 * .state/tls, the `live` profile: what the service is observed to do, where `$value` serves
 * the stored original, so a photo read back and written again is the same bytes) and watches
 * it through its admin state: the stored photos with a digest of their bytes, requests by
 * route and method, and the log of requests in the order they were answered.
 *
 * A run is `photo-conformance run`'s, built from its own functions (as the mutation sweep
 * builds its runs): the same arguments, baseline, environment and Playwright, and the same
 * grading of its results. It is spawned here rather than through the CLI's `main` so that it
 * writes nothing into reports/ (its results file, Playwright's output folder, its JSON report
 * and its log are the case's) and so that it leads a process group of its own, which the
 * kill case kills whole and every case kills on failure.
 *
 *   node --import tsx --test tools/run/tenant-rehearsal.test.ts
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LoggedRequest, MockServer } from '../mock/server.ts';
import { startMockServer } from '../mock/server.ts';
import { extraCaCerts, serverTls, type ServerTls } from '../mock/tls.ts';
import type { Results } from '../report/results-model.ts';
import { readSpec } from '../spec/io.ts';
import { DEFAULT_SPEC_PATH, REPO_ROOT } from '../spec/paths.ts';
import type { Spec } from '../spec/model.ts';
import { DEFAULT_TENANT_PATH, loadTenantFixture } from '../tenant/load.ts';
import type { TenantFixture } from '../tenant/model.ts';
import { applyExpectations } from './expectations.ts';
import { gradeRun, loadBaseline, parseRunArgs, playwrightArgs, readRunResults, runEnvironment, writeKnownDeviations } from './cli.ts';

const FIXTURES = join(REPO_ROOT, 'tools/run/fixtures/tenant-rehearsal');
/** The users, group and contact the runs may touch (a subset of the mock's tenant). */
const TENANT_FILE = join(FIXTURES, 'tenant.yaml');
/** The same, with a user who has no mailbox and no photo. */
const NO_PHOTO_TENANT_FILE = join(FIXTURES, 'tenant-no-photo.yaml');
const REPORTER = join(REPO_ROOT, 'tools/report/reporter.ts');

// Who signs in: ids of the mock's default tenant; the secrets are read from the mock's own
// tenant (server.tenants), never written here.
const TENANT_ID = '8f3c2a10-0001-4c5e-9a7b-000000000001';
const ADMIN_APP = '3e9a4b7c-0001-4d2e-8f1a-000000000301';
const LACKING_APP = '3e9a4b7c-0004-4d2e-8f1a-000000000304';
const SIGNED_IN = 'adele.vance@contoso.onmicrosoft.com';
const ADELE = '5b2e7c41-0001-4a1f-8d3e-000000000101';
const ISAIAH = '5b2e7c41-0005-4a1f-8d3e-000000000105'; // no mailbox, a photo
const DIEGO = '5b2e7c41-0004-4a1f-8d3e-000000000104'; // no mailbox, no photo

/**
 * Short but meaningful: updates (round trips, and plain updates by id and by user principal
 * name) of Graph v1.0 `/me`, `/users/{id}` and a group, of the signed-in user's contact, an
 * app setting another user's photo, the update of a user without a mailbox (beta's fallback
 * to the directory), and reads of `/me` and `/users/{id}`. About 30 checks, 8 photos journaled.
 */
const GREP =
  '/graph\\.v1\\.0\\.(put|patch)\\.(user|me|group)\\.value\\/response\\/status' +
  '|graph\\.v1\\.0\\.put\\.me\\.contact\\.value\\/response\\/status' +
  '|graph\\/behaviours\\/(mailbox-fallback|admin-any-user) ' +
  '|graph\\.v1\\.0\\.get\\.(me|user)\\.(metadata|value)\\/response\\/status/';
/** Updates of a user without a mailbox only. */
const FALLBACK_GREP = '/graph\\/behaviours\\/mailbox-fallback /';

const RUN_TIMEOUT_MS = 150_000;
const CASE_TIMEOUT_MS = 240_000;
/** Per app, for the throttling case: a run sends about 260 photo requests in 4 s unthrottled. */
const THROTTLE_RPS = 20;

// ---------------------------------------------------------------------------------------
// Clean-up: every child process group and temporary folder, whatever happens.

const children = new Set<ChildProcess>();
const folders = new Set<string>();
const mocks = new Set<MockServer>();

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SIGKILL to the whole process group a run leads (the runner and its workers), then wait until it is gone. */
async function killGroup(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
  for (let i = 0; i < 200 && groupAlive(pid); i++) await sleep(25);
  children.delete(child);
}

async function tempFolder(label: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `tenant-rehearsal-${label}-`));
  folders.add(dir);
  return dir;
}

async function cleanUp(): Promise<void> {
  for (const child of [...children]) await killGroup(child);
  for (const mock of [...mocks]) {
    mocks.delete(mock);
    await mock.close().catch(() => undefined);
  }
  for (const dir of [...folders]) {
    folders.delete(dir);
    await rm(dir, { recursive: true, force: true });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------
// The mock, and what it shows

let spec: Spec;
let tls: ServerTls;
let fixture: TenantFixture;

async function startMock(throttle?: number): Promise<MockServer> {
  const server = await startMockServer({
    host: '127.0.0.1',
    port: 0,
    profile: 'live',
    spec,
    tenantFixture: fixture,
    tls,
    ...(throttle ? { throttle: { requestsPerSecond: throttle } } : {}),
  });
  mocks.add(server);
  return server;
}

/** The end of a case, passed or not: no run of it goes on, then its mock stops. */
async function stopMock(server: MockServer): Promise<void> {
  for (const child of [...children]) await killGroup(child);
  mocks.delete(server);
  await server.close();
}

interface PhotoState {
  key: string;
  etag: string;
  store: string;
  updatedAt: string;
  original: { width: number; height: number; contentType: string; bytes: number; sha256: string };
  served: { contentType: string; bytes: number; sha256: string };
}
interface AdminState {
  photos: PhotoState[];
  stats: { requests: number; status: Record<string, number>; methods: Record<string, Record<string, number>> };
  requests?: LoggedRequest[];
}

/** `GET /_mock/state` over TLS, trusting the local CA (this process has no NODE_EXTRA_CA_CERTS). */
function adminState(server: MockServer, requestsAfter?: number): Promise<AdminState> {
  const url = `${server.url}/_mock/state${requestsAfter === undefined ? '' : `?requests=${requestsAfter}`}`;
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca: tls.ca.cert, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`${url}: ${res.statusCode}`));
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as AdminState);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** What "the same photo" means after a restore: the bytes and their type (a new ETag is the service's). */
type Photos = Map<string, { store: string; width: number; height: number; contentType: string; sha256: string; servedType: string; served: string }>;
function photosOf(state: AdminState): Photos {
  return new Map(
    state.photos.map((p) => [
      p.key,
      { store: p.store, width: p.original.width, height: p.original.height, contentType: p.original.contentType, sha256: p.original.sha256, servedType: p.served.contentType, served: p.served.sha256 },
    ]),
  );
}

const userKey = (id: string) => `${TENANT_ID}|user|${id}`;

/** Photos whose bytes differ between two states, and keys only one of them has. */
function differences(before: Photos, after: Photos): string[] {
  const out: string[] = [];
  for (const [key, photo] of before) {
    const now = after.get(key);
    if (!now) out.push(`${key}: gone`);
    else if (JSON.stringify(now) !== JSON.stringify(photo)) out.push(`${key}: changed (${photo.sha256.slice(0, 12)} -> ${now.sha256.slice(0, 12)})`);
  }
  for (const key of after.keys()) if (!before.has(key)) out.push(`${key}: did not exist before`);
  return out;
}

/** Photo-route writes that succeeded, from the admin log. */
const successfulWrites = (log: readonly LoggedRequest[]) =>
  log.filter((r) => r.route === 'photo' && r.method !== 'GET' && r.status >= 200 && r.status < 300 && r.photo);

// ---------------------------------------------------------------------------------------
// A run of the tenant target

interface RunOptions {
  label: string;
  server: MockServer;
  journalDir: string;
  writes: boolean;
  tenantFile?: string;
  grep?: string;
}

interface Run {
  dir: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  finish(): Promise<Finished>;
}

interface Finished {
  /** the run's verdict as `photo-conformance run` grades it */
  exitCode: number;
  playwrightExit: number | null;
  results: Results;
  status: Map<string, string>;
  stdout: string;
  stderr: string;
}

/** Every folder a run wrote into, for the secrets case. */
const written: string[] = [];

/** The secrets the runs sign in with, from the tenant the mocks serve. */
function credentials() {
  const tenant = fixture.tenants.find((t) => t.id === TENANT_ID)!;
  const secret = (clientId: string) => tenant.apps.find((a) => a.clientId === clientId)!.clientSecret;
  const password = tenant.users.find((u) => u.userPrincipalName === SIGNED_IN)!.password!;
  return { adminSecret: secret(ADMIN_APP), lackingSecret: secret(LACKING_APP), password };
}

async function startRun(options: RunOptions): Promise<Run> {
  const dir = join(await tempFolder(options.label), 'run');
  await mkdir(dir, { recursive: true });
  written.push(dir);
  const base = options.server.url;
  const baselineFile = join(dir, 'baseline.yaml');
  // An empty baseline: a failure of any check the grep selects is a new one.
  await writeFile(baselineFile, 'target: tenant\ndeviations: []\n');
  const resultsFile = join(dir, 'results.json');
  const runOptions = parseRunArgs([
    '--target', 'tenant',
    '--tenant-file', options.tenantFile ?? TENANT_FILE,
    '--graph-url', base,
    '--outlook-url', `${base}/api`,
    '--authority-host', base,
    '--grep', options.grep ?? GREP,
    '--expectations', baselineFile,
    ...(options.writes ? ['--allow-writes'] : []),
    '--',
    // The conformance reporter alone (the config's others write into reports/), the list
    // reporter for the log, and Playwright's JSON report (every step's attachments, before
    // the conformance reporter's redaction pass) for the secrets case.
    '--reporter', `list,json,${REPORTER}`,
    '--output', join(dir, 'output'),
  ]);
  const { expectations } = await loadBaseline(runOptions);
  const known = await writeKnownDeviations(expectations);
  folders.add(dirname(known.file));
  const { adminSecret, lackingSecret, password } = credentials();
  const inherited: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(PHOTO_|AZURE_|PLAYWRIGHT_)/.test(name) && name !== 'NODE_TEST_CONTEXT') inherited[name] = value;
  }
  const env = runEnvironment(
    runOptions,
    resultsFile,
    {
      ...inherited,
      NODE_EXTRA_CA_CERTS: await extraCaCerts(tls.ca, process.env),
      AZURE_TENANT_ID: TENANT_ID,
      AZURE_CLIENT_ID: ADMIN_APP,
      AZURE_CLIENT_SECRET: adminSecret,
      AZURE_LACKING_CLIENT_ID: LACKING_APP,
      AZURE_LACKING_CLIENT_SECRET: lackingSecret,
      PHOTO_TENANT_USERNAME: SIGNED_IN,
      PHOTO_TENANT_PASSWORD: password,
      PHOTO_JOURNAL_DIR: options.journalDir,
      PLAYWRIGHT_JSON_OUTPUT_FILE: join(dir, 'playwright.json'),
    },
    known.file,
  );
  const stdoutFile = join(dir, 'stdout.log');
  const stderrFile = join(dir, 'stderr.log');
  const [stdout, stderr] = await Promise.all([open(stdoutFile, 'w'), open(stderrFile, 'w')]);
  const started = Date.now();
  let child: ChildProcess;
  try {
    // Its own process group: a kill of -pid reaches the runner and every worker.
    child = spawn(join(REPO_ROOT, 'node_modules/.bin/playwright'), playwrightArgs(runOptions), {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', stdout.fd, stderr.fd],
      detached: true,
    });
  } finally {
    await Promise.all([stdout.close(), stderr.close()]);
  }
  children.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
    child.on('error', () => resolve({ code: 127, signal: null }));
  });
  void exited.then(() => known.remove());

  const finish = async (): Promise<Finished> => {
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      exited,
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), RUN_TIMEOUT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
    const logs = async () => `${await readFile(stdoutFile, 'utf8').catch(() => '')}\n${await readFile(stderrFile, 'utf8').catch(() => '')}`;
    if (outcome === 'timeout') {
      await killGroup(child);
      assert.fail(`the ${options.label} run did not finish within ${RUN_TIMEOUT_MS / 1000} s:\n${(await logs()).slice(-3000)}`);
    }
    // The runner is gone; a worker it left behind would still hold the mock.
    await killGroup(child);
    let read: Results;
    try {
      read = await readRunResults(resultsFile, started);
    } catch (error) {
      assert.fail(`the ${options.label} run (exit ${outcome.code ?? outcome.signal}) left no results: ${(error as Error).message}\n${(await logs()).slice(-3000)}`);
    }
    const applied = applyExpectations(read, expectations, { strict: false });
    const grade = gradeRun(applied.results, applied.unmatched, { strict: false, failOn: 'should', partial: true });
    return {
      exitCode: grade.exitCode,
      playwrightExit: outcome.code,
      results: applied.results,
      status: new Map(applied.results.results.map((r) => [r.test, r.status])),
      stdout: await readFile(stdoutFile, 'utf8'),
      stderr: await readFile(stderrFile, 'utf8'),
    };
  };
  return { dir, child, exited, finish };
}

async function run(options: RunOptions): Promise<Finished> {
  return (await startRun(options)).finish();
}

/** A failed run's story, for an assertion message. */
function story(run: Finished): string {
  const notable = run.results.results.filter((r) => r.status !== 'PASS').map((r) => `  ${r.status} ${r.test}: ${(r.message ?? '').split('\n')[0]}`);
  return `exit ${run.exitCode} (Playwright ${run.playwrightExit})\n${notable.join('\n')}\n--- stdout (tail)\n${run.stdout.slice(-2000)}\n--- stderr (tail)\n${run.stderr.slice(-2000)}`;
}

const journalFiles = async (dir: string) => readdir(dir).catch(() => [] as string[]);

async function journalFolder(label: string): Promise<string> {
  const dir = join(await tempFolder(`${label}-journal`), 'journal');
  written.push(dir);
  return dir;
}

/** The statuses of the checks that update a photo (PUT or PATCH in their title). */
const updates = (finished: Finished) => [...finished.status].filter(([title]) => / (PUT|PATCH) \//.test(title));

// ---------------------------------------------------------------------------------------

describe('the tenant target rehearsed against the HTTPS mock', { timeout: 15 * 60_000 }, () => {
  before(async () => {
    [spec, tls, fixture] = await Promise.all([readSpec(DEFAULT_SPEC_PATH), serverTls(), loadTenantFixture(DEFAULT_TENANT_PATH)]);
  });
  after(cleanUp);

  it('read-only: reads are judged, nothing is written, every photo stays as it was', { timeout: CASE_TIMEOUT_MS }, async () => {
    const server = await startMock();
    try {
      const before = await adminState(server);
      const journalDir = await journalFolder('read-only');
      const finished = await run({ label: 'read-only', server, journalDir, writes: false });

      assert.equal(finished.exitCode, 0, story(finished));
      assert.equal(finished.playwrightExit, 0, story(finished));
      const failed = finished.results.results.filter((r) => r.status === 'FAIL' || r.status === 'TIMEOUT');
      assert.deepEqual(failed.map((r) => r.test), [], story(finished));
      const passed = finished.results.results.filter((r) => r.status === 'PASS');
      assert.ok(passed.length >= 6, `the reads pass (${passed.length} passed):\n${story(finished)}`);
      // MSAL signed in for real: app-only and delegated reads both answered.
      assert.equal(finished.status.get('graph v1.0 › graph.v1.0.get.me.value/response/status GET /me/photo/$value: -> 200'), 'PASS', story(finished));
      assert.equal(finished.status.get('graph v1.0 › graph.v1.0.get.user.value/response/status GET /users/{userId}/photo/$value: -> 200 (user by id)'), 'PASS', story(finished));
      const writes = updates(finished);
      assert.ok(writes.length >= 10, `the grep selects updates (${writes.length})`);
      assert.deepEqual(writes.filter(([, status]) => status !== 'SKIP'), [], 'every update is skipped on a read-only run');
      assert.ok(
        finished.results.results.some((r) => / (PUT|PATCH) \//.test(r.test) && /read-only on a real tenant/.test(r.message ?? '')),
        'the updates say why they were skipped',
      );

      const after = await adminState(server, 0);
      const log = after.requests ?? [];
      assert.ok(log.some((r) => r.route === 'photo' && r.method === 'GET'), 'the run read photos');
      assert.deepEqual(Object.keys(after.stats.methods.photo ?? {}), ['GET'], `photo routes saw only GET: ${JSON.stringify(after.stats.methods)}`);
      const notRead = log.filter((r) => r.method !== 'GET' && !(r.route === 'identity' && r.method === 'POST' && /^\/[^/]+\/oauth2\/v2\.0\/token$/.test(r.path)));
      assert.deepEqual(notRead.map((r) => `${r.method} ${r.path}`), [], 'no PUT, PATCH or DELETE, and no POST but to the token endpoint');
      assert.ok(log.some((r) => r.route === 'identity' && r.method === 'POST' && r.status === 200), 'MSAL signed in at the token endpoint');
      // Nothing changed at all: not even an ETag.
      assert.deepEqual(after.photos, before.photos);
      assert.deepEqual(await journalFiles(journalDir), [], 'a read-only run journals nothing');
    } finally {
      await stopMock(server);
    }
  });

  it('--allow-writes: every photo the run changed is put back, byte for byte, and the journal is empty', { timeout: CASE_TIMEOUT_MS }, async () => {
    const server = await startMock();
    try {
      const before = photosOf(await adminState(server));
      const journalDir = await journalFolder('writes');
      const finished = await run({ label: 'writes', server, journalDir, writes: true });

      assert.equal(finished.exitCode, 0, story(finished));
      const passedUpdates = updates(finished).filter(([, status]) => status === 'PASS').map(([title]) => title);
      assert.ok(passedUpdates.length >= 15, `updates ran and passed (${passedUpdates.length}):\n${story(finished)}`);
      // A user with a mailbox (by id, by user principal name, as /me) and one without.
      for (const title of [
        'graph v1.0 › graph.v1.0.put.user.value/response/status PUT /users/{userId}/photo/$value: round trip: read back bytes, metadata and every size, ETag changed',
        'graph v1.0 › graph.v1.0.patch.user.value/response/status PATCH /users/{userId}/photo/$value: -> 200 (user by userPrincipalName)',
        'graph v1.0 › graph.v1.0.put.me.value/response/status PUT /me/photo/$value: round trip: read back bytes, metadata and every size, ETag changed',
        'graph beta › graph/behaviours/mailbox-fallback PUT /users/{userId}/photo/$value: user without a mailbox: update kept, read back',
      ]) {
        assert.equal(finished.status.get(title), 'PASS', `${title}\n${story(finished)}`);
      }

      const after = await adminState(server, 0);
      const touched = new Set(successfulWrites(after.requests ?? []).filter((r) => r.clientRequestId).map((r) => r.photo!.key));
      assert.ok(touched.has(userKey(ADELE)) && touched.has(userKey(ISAIAH)), `the run changed the photos of users with and without a mailbox: ${[...touched].join(', ')}`);
      assert.ok(touched.size >= 4, `photos changed: ${[...touched].join(', ')}`);
      assert.deepEqual(differences(before, photosOf(after)), [], 'every photo is byte-identical to before, and none is new');
      assert.deepEqual(await journalFiles(journalDir), [], 'the journal is empty');
      assert.match(finished.stdout, /photo journal: restored \d+ photo\(s\)/);
    } finally {
      await stopMock(server);
    }
  });

  it('--allow-writes: a photo that did not exist is not created, for nothing could remove it', { timeout: CASE_TIMEOUT_MS }, async () => {
    const server = await startMock();
    try {
      const before = photosOf(await adminState(server));
      assert.equal(before.has(userKey(DIEGO)), false, 'the fixture: Diego has no photo');
      const journalDir = await journalFolder('no-photo');
      const finished = await run({ label: 'no-photo', server, journalDir, writes: true, tenantFile: NO_PHOTO_TENANT_FILE, grep: FALLBACK_GREP });

      assert.equal(finished.exitCode, 0, story(finished));
      const byId = finished.results.results.find((r) => r.test === 'graph beta › graph/behaviours/mailbox-fallback PUT /users/{userId}/photo/$value: user without a mailbox: update kept, read back');
      assert.equal(byId?.status, 'SKIP', story(finished));
      assert.match(byId?.message ?? '', /cannot remove one/);
      const after = await adminState(server, 0);
      assert.deepEqual(successfulWrites(after.requests ?? []).map((r) => `${r.method} ${r.path}`), [], 'no photo was written');
      assert.deepEqual(differences(before, photosOf(after)), [], 'no photo is new, none changed');
      assert.deepEqual(await journalFiles(journalDir), [], 'the journal is empty: the next run starts clean');
    } finally {
      await stopMock(server);
    }
  });

  it('kill -9 mid-run: the next run restores every journaled photo before any test, and ends where the first began', { timeout: CASE_TIMEOUT_MS }, async () => {
    const server = await startMock();
    try {
      const original = photosOf(await adminState(server));
      const journalDir = await journalFolder('kill');
      const first = await startRun({ label: 'killed', server, journalDir, writes: true });
      const testWrites = () => {
        const photo = server.stats().methods.photo ?? {};
        return (photo.PUT ?? 0) + (photo.PATCH ?? 0);
      };
      const deadline = Date.now() + 90_000;
      let exitedEarly = false;
      void first.exited.then(() => {
        exitedEarly = true;
      });
      while (testWrites() < 4 && Date.now() < deadline && !exitedEarly) await sleep(10);
      assert.equal(exitedEarly, false, `the run ended before it was killed:\n${await readFile(join(first.dir, 'stdout.log'), 'utf8').catch(() => '')}`);
      assert.ok(testWrites() >= 4, 'the run wrote photos within 90 s');
      await killGroup(first.child);
      const killed = await first.exited;
      assert.equal(killed.signal, 'SIGKILL');

      const atKill = await adminState(server, 0);
      const cut = Math.max(0, ...(atKill.requests ?? []).map((r) => r.seq));
      const changed = differences(original, photosOf(atKill));
      assert.ok(changed.length > 0, 'photos are changed when the run dies');
      const entries = (await journalFiles(journalDir)).filter((n) => n.endsWith('.json'));
      assert.ok(entries.length > 0, 'the killed run left its journal');
      // Kept for the secrets case: the journal as a crash leaves it.
      const leftBehind = join(first.dir, 'journal-at-kill');
      await cp(journalDir, leftBehind, { recursive: true });

      const second = await run({ label: 'after-kill', server, journalDir, writes: true });
      assert.equal(second.exitCode, 0, story(second));
      assert.match(second.stdout, new RegExp(`photo journal: restored ${entries.length} photo\\(s\\) left changed by an earlier run`), story(second));

      // Before any test: replay the photo writes the second run made before its first check's
      // request (the checks' requests carry a client-request-id; the journal's do not).
      const log = (await adminState(server, cut)).requests ?? [];
      const firstCheck = log.findIndex((r) => r.route === 'photo' && r.clientRequestId);
      assert.ok(firstCheck > 0, 'the second run restored, then tested');
      const beforeTests = log.slice(0, firstCheck).filter((r) => r.route === 'photo');
      assert.ok(beforeTests.every((r) => !r.clientRequestId));
      const restores = successfulWrites(beforeTests);
      assert.ok(restores.length >= entries.length, `${restores.length} restore writes for ${entries.length} journal entries`);
      const replayed = new Map([...photosOf(atKill)].map(([key, p]) => [key, p.sha256]));
      for (const r of restores) {
        if (r.photo!.sha256 === null) replayed.delete(r.photo!.key);
        else replayed.set(r.photo!.key, r.photo!.sha256);
      }
      assert.deepEqual(
        [...replayed].sort(),
        [...original].map(([key, p]) => [key, p.sha256]).sort(),
        'after the restore at the start, before any test, every photo is the original',
      );

      assert.deepEqual(differences(original, photosOf(await adminState(server))), [], 'after the second run every photo is the original');
      assert.deepEqual(await journalFiles(journalDir), [], 'the journal is empty');
    } finally {
      await stopMock(server);
    }
  });

  it('429: a throttled tenant is waited for (Retry-After), with the verdicts of an unthrottled run', { timeout: CASE_TIMEOUT_MS }, async () => {
    const plain = await startMock();
    let unthrottled: Finished;
    try {
      unthrottled = await run({ label: 'unthrottled', server: plain, journalDir: await journalFolder('unthrottled'), writes: true });
      assert.equal(unthrottled.exitCode, 0, story(unthrottled));
      assert.equal((await adminState(plain)).stats.status['429'] ?? 0, 0);
    } finally {
      await stopMock(plain);
    }

    const server = await startMock(THROTTLE_RPS);
    try {
      const original = photosOf(await adminState(server));
      const journalDir = await journalFolder('throttled');
      const throttled = await run({ label: 'throttled', server, journalDir, writes: true });
      const state = await adminState(server);
      assert.ok((state.stats.status['429'] ?? 0) >= 1, `the mock throttled (${JSON.stringify(state.stats.status)})`);

      assert.equal(throttled.exitCode, 0, story(throttled));
      assert.deepEqual(Object.fromEntries([...throttled.status].sort()), Object.fromEntries([...unthrottled.status].sort()), 'the same verdict for every check');
      // The client waited what Retry-After said, and says so on the exchange.
      const notes = throttled.results.results.flatMap((r) => r.exchanges.map((e) => e.note ?? '')).filter((n) => n.includes('429'));
      assert.ok(notes.length > 0, 'a check was throttled and retried');
      for (const note of notes) {
        const m = /429 throttled, waited (\d+) ms \(Retry-After: (\d+)\)/.exec(note);
        assert.ok(m, note);
        assert.equal(Number(m[1]), Number(m[2]) * 1000, note);
      }
      assert.deepEqual(differences(original, photosOf(await adminState(server))), [], 'every photo is put back, throttled or not');
      assert.deepEqual(await journalFiles(journalDir), []);
    } finally {
      await stopMock(server);
    }
  });

  it('no token, client secret or password in any file the runs wrote', { timeout: CASE_TIMEOUT_MS }, async () => {
    if (written.length === 0) {
      // Run on its own: one writing run to look at.
      const server = await startMock();
      try {
        await run({ label: 'secrets', server, journalDir: await journalFolder('secrets'), writes: true });
      } finally {
        await stopMock(server);
      }
    }
    const { adminSecret, lackingSecret, password } = credentials();
    const secrets = [adminSecret, lackingSecret, password];
    const jwt = /eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/;
    const files: string[] = [];
    const walk = async (dir: string) => {
      for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) await walk(path);
        else if (entry.isFile()) files.push(path);
      }
    };
    for (const dir of written) await walk(dir);
    const leaks: string[] = [];
    let redactedSeen = false;
    const search = (where: string, text: string) => {
      for (const secret of secrets) if (text.includes(secret)) leaks.push(`${where}: a secret (${secret.slice(0, 4)}…)`);
      const token = jwt.exec(text);
      if (token) leaks.push(`${where}: a JWT (${token[0].slice(0, 16)}…)`);
      if (/authorization"?\s*:\s*"(Bearer )?\[redacted\]/i.test(text)) redactedSeen = true;
    };
    for (const file of files) {
      const where = relative(tmpdir(), file);
      const text = (await readFile(file)).toString('latin1');
      search(where, text);
      // Playwright's JSON report holds attachments (each check's exchanges) in base64.
      if (file.endsWith('.json')) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          continue;
        }
        const walk = (value: unknown): void => {
          if (typeof value === 'string') {
            if (value.length >= 24 && value.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(value)) search(`${where} (base64)`, Buffer.from(value, 'base64').toString('latin1'));
          } else if (Array.isArray(value)) value.forEach(walk);
          else if (value && typeof value === 'object') Object.values(value).forEach(walk);
        };
        walk(parsed);
      }
    }
    const names = files.map((f) => f.split('/').pop());
    for (const expected of ['results.json', 'playwright.json', 'stdout.log', 'stderr.log']) assert.ok(names.includes(expected), `${expected} was looked at`);
    assert.ok(redactedSeen, 'the files record exchanges (their Authorization redacted): the search looked where a token would be');
    assert.deepEqual(leaks, [], `searched ${files.length} files`);
  });
});
