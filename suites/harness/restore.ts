/**
 * Backup before a change, restore after the run: the glue between the journal and a
 * target. Only a target with a journal (a real tenant) does anything here; a mock is reset
 * instead. The backup read is the GET of the very URL being written, the service's own
 * read of that photo; it is a safety copy, not a conformance claim.
 */
import type { OperationFacts } from './case.ts';
import type { RecordingClient } from './client.ts';
import type { JournalEntry, RestoreReport, SavedOriginal } from './journal.ts';
import type { ResolvedTarget } from './target.ts';
import type { PrincipalRequest } from './tokens.ts';

async function bearer(target: ResolvedTarget, api: JournalEntry['api'], principal: Pick<PrincipalRequest, 'kind' | 'permissions'>): Promise<string> {
  const outcome = await target.tokens.get(api, principal);
  if ('unavailable' in outcome) throw new Error(`no token to back up or restore a photo: ${outcome.unavailable}`);
  return outcome.token;
}

export async function backupBeforeChange(
  target: ResolvedTarget,
  client: RecordingClient,
  operation: OperationFacts,
  url: string,
  principal: PrincipalRequest,
): Promise<void> {
  const journal = target.journal;
  if (!journal) return;
  const key = `${operation.api} ${url}`;
  if (await journal.has(key)) return;
  const token = await bearer(target, operation.api, principal);
  const read = await client.send({ method: 'GET', url, headers: { authorization: `Bearer ${token}` }, unrecorded: true });
  let original: SavedOriginal | undefined;
  if (read.status === 200 && read.body.length > 0 && read.mediaType.startsWith('image/')) {
    original = { bytes: read.body, contentType: read.headers['content-type'] ?? 'image/jpeg' };
  } else if (read.status !== 404) {
    // Never change a photo that could not be saved first.
    throw new Error(`cannot save the original photo at ${url} before changing it (GET answered ${read.status})`);
  }
  await journal.backup({ key, api: operation.api, writeUrl: url, deleteUrl: url, principal: { kind: principal.kind, permissions: principal.permissions } }, original);
}

/** Puts back every photo the journal holds (end of a run, or the start after a crash). */
export async function restorePending(target: ResolvedTarget, client: RecordingClient): Promise<RestoreReport> {
  const journal = target.journal;
  if (!journal) return { restored: [], failed: [] };
  return journal.restoreAll(async (entry, original) => {
    const token = await bearer(target, entry.api, entry.principal);
    const headers = { authorization: `Bearer ${token}`, 'content-type': original?.contentType };
    const response = original
      ? await client.send({ method: 'PUT', url: entry.writeUrl, headers, body: original.bytes, unrecorded: true })
      : await client.send({ method: 'DELETE', url: entry.deleteUrl, headers, unrecorded: true });
    return response.status >= 200 && response.status < 300;
  });
}
