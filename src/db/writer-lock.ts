// One writer per SQLite file. The issuer's transactions are serialised inside one process (group
// commit, src/db/open-database.ts); a second process on the same file would interleave with them:
// bundle versions seen going backwards, SQLITE_BUSY stalls. So every process that writes the file
// takes this lock first and a second one is refused.
//
// The lock is an exclusive transaction held open on a small side database (<file>.writer-lock).
// SQLite takes it with POSIX advisory locks (fcntl), which the kernel releases when the process
// ends in any way, kill -9 included: no stale lock to clean up, and no pid-liveness guess that a
// reused pid or another pid namespace (containers) could fool, as a pid file with O_EXCL would be.
// Like SQLite itself, it relies on the file system's locks: not on network file systems.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { StoreRefusal } from './store-refusal.ts';

export interface WriterLock {
  readonly path: string;
  release(): void;
}

export function writerLockPath(databasePath: string): string {
  return `${resolve(databasePath)}.writer-lock`;
}

/** Takes the writer lock of `databasePath`, or throws StoreRefusal when another connection holds it. */
export function acquireWriterLock(databasePath: string, holder: string): WriterLock {
  const path = writerLockPath(databasePath);
  mkdirSync(dirname(path), { recursive: true });
  const lock = new Database(path);
  try {
    lock.pragma('busy_timeout = 0');
    lock.pragma('journal_mode = MEMORY');
    lock.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    lock.close();
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) {
      throw new StoreRefusal(`${resolve(databasePath)} is already open for writing by another process (it holds ${path}); ${holder}`);
    }
    throw error;
  }
  return {
    path,
    release() {
      if (lock.open) lock.close();
    },
  };
}
