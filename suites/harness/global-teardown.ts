/** After a run: every photo a real-tenant run changed is put back from the journal. */
import { RecordingClient } from './client.ts';
import { restorePending } from './restore.ts';
import { resolveTarget, targetSettingsFromEnv } from './target.ts';

export default async function globalTeardown(): Promise<void> {
  const settings = targetSettingsFromEnv();
  if (settings.kind !== 'tenant') return;
  const target = await resolveTarget(settings);
  try {
    const report = await restorePending(target, new RecordingClient());
    console.log(`photo journal: restored ${report.restored.length} photo(s)`);
    for (const failure of report.failed) console.error(`photo journal: NOT restored ${failure.key}: ${failure.reason} (kept in ${settings.journalDir}; the next run retries)`);
  } finally {
    await target.close();
  }
}
