/**
 * Before a run:
 *  - mock: one mock server per worker slot, in a child process of its own, for the whole run
 *    (mock-slots.ts). Playwright replaces a worker after every failing test; with the mock
 *    already running, the replacement costs milliseconds, not the mock's start. (Hosted in
 *    the runner process itself, the mock lost its 413 answers to connection resets under
 *    load: hence a process of its own.) Returns the teardown that stops it.
 *  - tenant: every photo a crashed or killed run left changed is restored.
 */
import type { FullConfig } from '@playwright/test';
import { RecordingClient } from './client.ts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MOCK_SLOTS_ENV, MOCK_TENANTS_ENV, startMockSlots } from './mock-slots.ts';
import { restorePending } from './restore.ts';
import { resolveTarget, targetSettingsFromEnv } from './target.ts';

export default async function globalSetup(config: FullConfig): Promise<undefined | (() => Promise<void>)> {
  const settings = targetSettingsFromEnv();
  if (settings.kind === 'mock' && process.env.PHOTO_MOCK_PER_WORKER !== '1') {
    const slots = await startMockSlots(settings, Math.max(1, config.workers));
    const dir = await mkdtemp(join(tmpdir(), 'photo-mock-'));
    const tenantsFile = join(dir, 'tenants.json');
    await writeFile(tenantsFile, JSON.stringify(slots.tenants));
    // Workers are started after the global setup and inherit this environment.
    process.env[MOCK_SLOTS_ENV] = slots.urls.join(',');
    process.env[MOCK_TENANTS_ENV] = tenantsFile;
    return async () => {
      await slots.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  if (settings.kind !== 'tenant') return undefined;
  const target = await resolveTarget(settings);
  try {
    const report = await restorePending(target, new RecordingClient());
    if (report.restored.length) console.log(`photo journal: restored ${report.restored.length} photo(s) left changed by an earlier run`);
    if (report.failed.length) {
      throw new Error(`photo journal: ${report.failed.length} photo(s) from an earlier run could not be restored:\n${report.failed.map((f) => `  ${f.key}: ${f.reason}`).join('\n')}`);
    }
  } finally {
    await target.close();
  }
  return undefined;
}
