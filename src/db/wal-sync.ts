// The SQLite writer's durability point, off the event loop. The writer runs with
// synchronous=NORMAL, so COMMIT writes its WAL frames without an fsync; this makes them durable
// with an fdatasync of the -wal file on the libuv thread pool, and the store acknowledges a
// commit only once a sync that started after it has finished. Why that is as durable as
// synchronous=FULL (which does the same fdatasync, inside COMMIT, on the event loop) is argued in
// docs/operations.md "SQLite durability".
//
// Syncs are coalesced: at most one runs and at most one waits. A commit made while a sync runs
// waits for the next one (the running one may have started before the commit's frames were
// written); every commit made meanwhile shares that next sync.
import Database from 'better-sqlite3';
import { closeSync, fdatasync, openSync, fsyncSync, type PathLike } from 'node:fs';
import { dirname } from 'node:path';

export interface WalSync {
  /** Resolves once every commit made before the call is on disk; rejects if a sync failed. */
  afterCommit(): Promise<void>;
  /** The same promise for the latest commit (resolved when nothing is waiting): the store's `durable()`. */
  durable(): Promise<void>;
  close(): Promise<void>;
}

const RESOLVED = Promise.resolve();

/** For `:memory:` (nothing to make durable) the syncs resolve at once. */
export function noWalSync(): WalSync {
  return { afterCommit: () => RESOLVED, durable: () => RESOLVED, close: () => RESOLVED };
}

/** Makes a file's written data durable; fdatasync on the libuv thread pool unless a test holds it back. */
export type SyncFile = (fd: number) => Promise<void>;

const fdatasyncOnPool: SyncFile = (fd) => new Promise((ok, fail) => fdatasync(fd, (error) => (error ? fail(error) : ok())));

export function createWalSync(databasePath: string, syncFile: SyncFile = fdatasyncOnPool): WalSync {
  const walPath = `${databasePath}-wal`;
  let fd: number | null = null;
  let running: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  let latest: Promise<void> = RESOLVED;
  // After a failed fsync the kernel may have dropped the dirty pages it could not write and a
  // later fsync can then succeed without them, so one failure ends acknowledging for this process:
  // every later commit fails as SQLite's own FULL commit would (SQLITE_IOERR_FSYNC), until restart.
  let failed: Error | null = null;

  function walFd(): number {
    if (fd !== null) return fd;
    // The WAL exists from the writer's first transaction until the last connection closes, and the
    // store's writer holds it open throughout, so one descriptor names it for the store's lifetime
    // (a checkpoint restarts the file in place, it does not replace it). Its directory entry is
    // synced once: SQLite would do that on the WAL's first sync, which under NORMAL comes only with
    // the first checkpoint, and a WAL whose name was not durable could vanish with a power cut.
    fd = openSync(walPath, 'r');
    syncDirectory(dirname(walPath));
    return fd;
  }

  function runSync(): Promise<void> {
    const done = new Promise<void>((ok, fail) => {
      if (failed) return fail(failed);
      let descriptor: number;
      try {
        descriptor = walFd();
      } catch (error) {
        return fail(markFailed(error));
      }
      syncFile(descriptor).then(ok, (error: unknown) => fail(markFailed(error)));
    });
    running = done;
    const clear = () => {
      if (running === done) running = null;
    };
    done.then(clear, clear);
    return done;
  }

  function markFailed(error: unknown): Error {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    failed ??= new Database.SqliteError(`fdatasync of the SQLite WAL failed (${code}); nothing committed since the last sync is acknowledged`, 'SQLITE_IOERR_FSYNC');
    return failed;
  }

  return {
    afterCommit() {
      if (!running) return (latest = runSync());
      next ??= running
        .then(
          () => undefined,
          () => undefined,
        )
        .then(() => {
          next = null;
          return runSync();
        });
      return (latest = next);
    },
    durable: () => latest,
    async close() {
      await latest.catch(() => undefined);
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}

function syncDirectory(path: PathLike): void {
  const dir = openSync(path, 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
