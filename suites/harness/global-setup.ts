/**
 * Before a run: a real tenant gets back every photo a crashed or killed run left changed.
 * Nothing to do for a mock (it starts from its seed state in each worker).
 */
import { RecordingClient } from './client.ts';
import { restorePending } from './restore.ts';
import { resolveTarget, targetSettingsFromEnv } from './target.ts';

export default async function globalSetup(): Promise<void> {
  const settings = targetSettingsFromEnv();
  if (settings.kind !== 'tenant') return;
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
}
