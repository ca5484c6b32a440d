/**
 * The mock target's servers for a whole run: one per worker slot, in a child process the
 * global setup starts (tools/mock/slots.ts). A worker connects to the server of its slot
 * (`parallelIndex`), so a worker that replaces a failed one starts in milliseconds.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { REPO_ROOT } from '../../tools/spec/paths.ts';
import type { Tenant } from '../../tools/tenant/model.ts';

/** Where the global setup leaves the slots' base URLs for the workers (comma-separated). */
export const MOCK_SLOTS_ENV = 'PHOTO_MOCK_SLOTS';
/** A JSON file with the tenants the slots' mocks serve: a replaced worker reads it, not the YAML fixture. */
export const MOCK_TENANTS_ENV = 'PHOTO_MOCK_TENANTS_FILE';

export interface MockSlots {
  urls: string[];
  tenants: Tenant[];
  stop(): Promise<void>;
}

/** What the slots' mocks serve (the run's target settings, in part). */
export interface MockSlotSettings {
  profile: string;
  specFile: string;
  tenantFile?: string;
  faults: readonly string[];
  /** serve https (the local CA's certificate; the run trusts it through NODE_EXTRA_CA_CERTS) */
  https?: boolean;
}

export async function startMockSlots(settings: MockSlotSettings, count: number): Promise<MockSlots> {
  const args = ['--import', 'tsx', join(REPO_ROOT, 'tools/mock/slots.ts'), '--count', String(count), '--profile', settings.profile, '--spec', settings.specFile];
  if (settings.tenantFile) args.push('--tenant', settings.tenantFile);
  for (const fault of settings.faults) args.push('--fault', fault);
  if (settings.https) args.push('--https');
  const child: ChildProcess = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const firstLine = new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve(line));
    child.once('error', reject);
    void exited.then((code) => reject(new Error(`the mock servers' process exited (${code}) before it listened`)));
  });
  const line = await firstLine;
  const { urls, tenants } = JSON.parse(line) as { urls: string[]; tenants: Tenant[] };
  return {
    urls,
    tenants,
    async stop() {
      child.stdin?.end();
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The base URL of this worker slot's mock, when the global setup started them. */
export function mockSlotUrl(parallelIndex: number, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const urls = (env[MOCK_SLOTS_ENV] ?? '').split(',').filter(Boolean);
  return urls[parallelIndex];
}

/** The tenants the global setup wrote for the workers, when it started the slots. */
export async function mockSlotTenants(env: NodeJS.ProcessEnv = process.env): Promise<Tenant[] | undefined> {
  const file = env[MOCK_TENANTS_ENV];
  if (!file) return undefined;
  const { readFile } = await import('node:fs/promises');
  return JSON.parse(await readFile(file, 'utf8')) as Tenant[];
}
