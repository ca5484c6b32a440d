/**
 * One mock per Playwright worker slot, in a process of its own: started once per run by the
 * suite's global setup, so a worker that Playwright replaces after a failing test finds its
 * mock already running instead of building one (spec, seed photos, keys: a second or more).
 * A failing run then costs about what a passing one does.
 *
 * Why a child process and not the runner: hosted in Playwright's runner process, the mock
 * lost its 413 answers to connection resets while the runner was busy (see global-setup.ts).
 * Here it has an event loop to itself, like `photo-conformance mock`.
 *
 * Protocol: prints one JSON line `{"urls": [...], "tenants": [...]}` on stdout once every server listens; exits
 * when its stdin closes (the runner went away, however it went) or on SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startMockServer, type MockServer } from './server.ts';
import { serverTls } from './tls.ts';

export interface SlotsReady {
  urls: string[];
  /** who exists on the mocks (the fixture as loaded and validated), so workers need not load it again */
  tenants: unknown[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      count: { type: 'string' },
      profile: { type: 'string' },
      spec: { type: 'string' },
      tenant: { type: 'string' },
      fault: { type: 'string', multiple: true },
      https: { type: 'boolean' },
    },
  });
  // One certificate for every slot: they all listen on 127.0.0.1.
  const tls = values.https ? await serverTls() : undefined;
  const count = Number(values.count ?? '1');
  if (!Number.isInteger(count) || count < 1 || count > 64) throw new Error(`--count must be a whole number from 1 to 64, got '${values.count}'`);
  const servers: MockServer[] = [];
  const closeAll = async () => {
    await Promise.allSettled(servers.map((s) => s.close()));
    process.exit(0);
  };
  process.on('SIGTERM', () => void closeAll());
  process.stdin.on('end', () => void closeAll());
  process.stdin.on('close', () => void closeAll());
  process.stdin.resume();
  // One at a time: the seed photos are made with sharp, which has its own thread pool.
  for (let i = 0; i < count; i++) {
    servers.push(
      await startMockServer({
        host: '127.0.0.1',
        port: 0,
        profile: (values.profile ?? 'docs') as 'docs' | 'live',
        ...(values.spec ? { specFile: values.spec } : {}),
        ...(values.tenant ? { tenantFile: values.tenant } : {}),
        faults: values.fault ?? [],
        ...(tls ? { tls } : {}),
      }),
    );
  }
  const ready: SlotsReady = { urls: servers.map((s) => s.url), tenants: [...(servers[0]?.tenants ?? [])] };
  process.stdout.write(`${JSON.stringify(ready)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`mock slots: ${(error as Error).message}\n`);
  process.exit(1);
});
