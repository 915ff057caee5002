// SQLite durability without an fsync on the event loop: the writer runs synchronous=NORMAL and the
// store syncs the WAL on the thread pool, answering a transaction only after a sync that started
// after its COMMIT; store.durable() lets reads wait for the same point (wal-sync.ts).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../src/db/open-database.ts';
import { appendAudit, readAuditLog } from '../../src/db/queries/audit-log.ts';
import { heldWalSync, settledWithin, type HeldWalSync } from '../support/held-wal-sync.ts';

const entry = (at: number) => ({ at, actor: 'system', action: 'bundle.published' as const });
let dir: string;
let db: SqliteDatabase;
let wal: HeldWalSync;

function open(): void {
  dir = mkdtempSync(join(tmpdir(), 'vaxpass-wal-sync-'));
  wal = heldWalSync();
  db = openDatabase(join(dir, 'db.sqlite'), { syncWal: wal.syncWal });
}
afterEach(async () => {
  wal.release();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const settled = (p: Promise<unknown>) => settledWithin(p, 50);

// The store is SQLite's whichever project runs this file: run it once.
describe.skipIf(process.env.VAXPASS_TEST_DB === 'postgres')('SQLite WAL sync', () => {
  it('commits with synchronous=NORMAL and answers only after a WAL sync that started after the COMMIT', async () => {
    open();
    expect(db.client.pragma('synchronous', { simple: true })).toBe(1);
    wal.hold();
    const committing = db.transaction((tx) => appendAudit(tx, entry(1)));
    // Committed (readers see it) but not yet durable: neither the transaction nor durable() answers.
    await expect.poll(async () => (await readAuditLog(db)).length).toBe(1);
    expect(await settled(committing)).toBe(false);
    expect(await settled(db.durable())).toBe(false);
    wal.release();
    await committing;
    await db.durable();
    // The sync that let it through saw the whole WAL as it is now: every frame of that commit.
    expect(Math.max(...wal.started)).toBe(statSync(join(dir, 'db.sqlite-wal')).size);
  });

  it('holds the next batch until the running sync ends, and lets everything that arrived meanwhile share one commit and one sync', async () => {
    open();
    await db.transaction((tx) => appendAudit(tx, entry(0)));
    const before = wal.started.length;
    wal.hold();
    const first = db.transaction((tx) => appendAudit(tx, entry(1)));
    await expect.poll(() => wal.started.length).toBe(before + 1);
    const later = [2, 3, 4].map((at) => db.transaction((tx) => appendAudit(tx, entry(at))));
    // Writing the WAL while it is being flushed made commits wait on the pages under writeback:
    // the next batch starts only once the running sync has ended.
    await new Promise((ok) => setTimeout(ok, 50));
    expect((await readAuditLog(db)).length).toBe(2);
    wal.release();
    await first;
    await Promise.all(later);
    expect(wal.started.length).toBe(before + 2);
    expect(Math.max(...wal.started)).toBe(statSync(join(dir, 'db.sqlite-wal')).size);
  });

  it('a failed sync fails its commit, durable() and every later commit of this process (SQLITE_IOERR_FSYNC)', async () => {
    open();
    await db.transaction((tx) => appendAudit(tx, entry(0)));
    wal.failNext('EIO');
    await expect(db.transaction((tx) => appendAudit(tx, entry(1)))).rejects.toMatchObject({ code: 'SQLITE_IOERR_FSYNC' });
    await expect(db.durable()).rejects.toMatchObject({ code: 'SQLITE_IOERR_FSYNC' });
    // After a failed fsync the kernel may have dropped the pages: a later sync proves nothing.
    await expect(db.transaction((tx) => appendAudit(tx, entry(2)))).rejects.toMatchObject({ code: 'SQLITE_IOERR_FSYNC' });
  });
});
