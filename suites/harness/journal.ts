/**
 * The photo journal for targets whose state is real (a tenant): before the first change of
 * a photo, its original bytes are saved to disk; at the end of the run every saved photo is
 * put back, and a run that starts after a crash or a kill puts back what the last one left.
 *
 * One entry per photo, as files in one directory, created with an atomic exclusive link so
 * that several workers backing up the same photo keep the first (true) original, and a
 * crash mid-write never leaves a half-written entry. No token is ever written here: an
 * entry names the principal to ask for when restoring, not its credentials.
 */
import { createHash, randomBytes } from 'node:crypto';
import { link, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Api } from '../../tools/spec/model.ts';
import type { PrincipalRequest } from './tokens.ts';

export interface JournalEntry {
  /** what was changed, e.g. `graph v1.0 /users/{id}/photo/$value` with the id filled in */
  key: string;
  api: Api;
  /** the URL the original is restored with (PUT) or removed at (DELETE) */
  writeUrl: string;
  /** where a photo that did not exist before is deleted */
  deleteUrl: string;
  /** who may write it back */
  principal: Pick<PrincipalRequest, 'kind' | 'permissions'>;
  hadPhoto: boolean;
  contentType?: string;
  savedAt: string;
}

export interface SavedOriginal {
  bytes: Buffer;
  contentType: string;
}

/** Performs one restore; resolves true when the target accepted it. */
export type Restorer = (entry: JournalEntry, original: SavedOriginal | undefined) => Promise<boolean>;

export interface RestoreReport {
  restored: string[];
  failed: { key: string; reason: string }[];
}

const entryName = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 32);

export class PhotoJournal {
  constructor(readonly dir: string) {}

  /**
   * Saves the original once: the first backup of a key wins, later ones are no-ops, so a
   * photo changed twice in a run is restored to what it was before the run.
   */
  async backup(entry: Omit<JournalEntry, 'hadPhoto' | 'contentType' | 'savedAt'>, original: SavedOriginal | undefined): Promise<boolean> {
    await mkdir(this.dir, { recursive: true });
    const name = entryName(entry.key);
    const finalJson = join(this.dir, `${name}.json`);
    const record: JournalEntry = {
      ...entry,
      hadPhoto: original !== undefined,
      contentType: original?.contentType,
      savedAt: new Date().toISOString(),
    };
    const unique = `${process.pid}.${randomBytes(4).toString('hex')}`;
    // Bytes first: an entry that exists always has its bytes beside it.
    if (original) {
      const bytesTemp = join(this.dir, `${name}.bin.${unique}.tmp`);
      await writeFile(bytesTemp, original.bytes);
      try {
        await link(bytesTemp, join(this.dir, `${name}.bin`));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      } finally {
        await rm(bytesTemp, { force: true });
      }
    }
    const jsonTemp = join(this.dir, `${name}.json.${unique}.tmp`);
    await writeFile(jsonTemp, `${JSON.stringify(record, null, 2)}\n`);
    try {
      await link(jsonTemp, finalJson);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    } finally {
      await rm(jsonTemp, { force: true });
    }
  }

  async has(key: string): Promise<boolean> {
    return readFile(join(this.dir, `${entryName(key)}.json`)).then(
      () => true,
      () => false,
    );
  }

  async pending(): Promise<JournalEntry[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const entries: JournalEntry[] = [];
    for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
      try {
        entries.push(JSON.parse(await readFile(join(this.dir, name), 'utf8')) as JournalEntry);
      } catch {
        // Entries are linked into place whole; an unreadable one is not ours to guess at.
      }
    }
    return entries;
  }

  /**
   * Puts every saved photo back; an entry is removed only once its restore succeeded.
   * Newest entry first: one photo can have several keys (`/me` and `/users/{id}`, an id and
   * a user principal name, Graph and Outlook, v1.0 and beta), and a later key's "original"
   * is what an earlier check wrote through another. Restored last, the oldest entry of a
   * photo, the one saved before the run changed it, is what stays.
   */
  async restoreAll(restore: Restorer): Promise<RestoreReport> {
    const report: RestoreReport = { restored: [], failed: [] };
    const entries = (await this.pending()).sort((a, b) => (a.savedAt < b.savedAt ? 1 : a.savedAt > b.savedAt ? -1 : 0));
    for (const entry of entries) {
      const name = entryName(entry.key);
      let original: SavedOriginal | undefined;
      if (entry.hadPhoto) {
        const bytes = await readFile(join(this.dir, `${name}.bin`)).catch(() => undefined);
        if (!bytes) {
          report.failed.push({ key: entry.key, reason: 'the saved original is missing' });
          continue;
        }
        original = { bytes, contentType: entry.contentType ?? 'image/jpeg' };
      }
      let ok = false;
      let reason = 'the target refused the restore';
      try {
        ok = await restore(entry, original);
      } catch (error) {
        reason = (error as Error).message;
      }
      if (ok) {
        await rm(join(this.dir, `${name}.json`), { force: true });
        await rm(join(this.dir, `${name}.bin`), { force: true });
        report.restored.push(entry.key);
      } else {
        report.failed.push({ key: entry.key, reason });
      }
    }
    await this.sweep();
    return report;
  }

  /**
   * What a process killed in the middle of a backup left: its temporary files, and saved bytes
   * whose entry was never linked (a backup comes before its change, so no changed photo waits
   * for them). Only where no backup can be under way: a run restores at its start and its end.
   */
  private async sweep(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return;
    }
    const entries = new Set(names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length)));
    for (const name of names) {
      // `<entry>.bin.<pid>.<random>.tmp`, `<entry>.json.<pid>.<random>.tmp`
      const stale = name.endsWith('.tmp') ? !processAlive(Number(name.split('.')[2])) : name.endsWith('.bin') && !entries.has(name.slice(0, -'.bin'.length));
      if (stale) await rm(join(this.dir, name), { force: true });
    }
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
