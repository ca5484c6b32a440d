/**
 * Before a run: a real tenant gets back every photo a crashed or killed run left changed.
 * Nothing to do for a mock: each worker starts its own (suites/harness/fixtures.ts).
 *
 * (Tried and dropped: one mock per worker slot started here, to spare a replaced worker
 * the mock's start. Hosted in the runner process, the mock lost its 413 answers to
 * connection resets under load, so the size-limit checks became flaky.)
 */
import { RecordingClient } from './client.ts';
import { restorePending } from './restore.ts';
import { resolveTarget, targetSettingsFromEnv } from './target.ts';

export default async function globalSetup(): Promise<undefined> {
  const settings = targetSettingsFromEnv();
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
