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
  } else {
    // No photo: the restore removes the one the check may create. Where nothing can remove a
    // photo (405: no DELETE there, as the pages document none), it would stay, and every
    // later run would stop at its journal entry: such a photo is not created at all.
    const probe = await client.send({ method: 'DELETE', url, headers: { authorization: `Bearer ${token}` }, unrecorded: true });
    if (probe.status === 405) {
      // Loaded here, not at the top: the global setup imports this module, and needs no checks.
      const { Skip } = await import('./checks.ts');
      throw new Skip(`there is no photo at ${url} to save, and the target cannot remove one (DELETE answered 405): a tenant run creates no photo it cannot take back`);
    }
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
    if (response.status >= 200 && response.status < 300) return true;
    if (original) return false;
    // Nothing to remove (the check's write was refused, or a run killed between its backup and
    // its write): the photo's absence, read back, is the state the entry promised.
    const read = await client.send({ method: 'GET', url: entry.writeUrl, headers: { authorization: `Bearer ${token}` }, unrecorded: true });
    return read.status === 404;
  });
}
