// Nothing issued is disclosed before it is durable. On SQLite a commit is visible to readers just
// before the WAL sync that makes it durable ends (src/db/wal-sync.ts); an issuance is answered only
// after that sync, and so is anything that reads it back meanwhile: an idempotent replay of the
// same request, or a holder refresh that hands the same pass out again.
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../src/db/open-database.ts';
import { findIdempotencyRecord } from '../../src/db/queries/idempotency-keys.ts';
import { countIssuedPasses, findIssuedPass } from '../../src/db/queries/issued-passes.ts';
import { heldWalSync, settledWithin, type HeldWalSync } from '../support/held-wal-sync.ts';
import { createServerFixture, newIdempotencyKey, type ServerFixture } from './support/server-fixture.ts';

let f: ServerFixture;
let wal: HeldWalSync;
afterEach(async () => {
  wal.release();
  await f.cleanup();
});

async function fixture(): Promise<void> {
  wal = heldWalSync();
  f = await createServerFixture({}, { sqlite: { syncWal: wal.syncWal } });
}

/**
 * Holds back the WAL syncs from the first commit that stored a pass on: the first request's own
 * earlier writes (its bundle publication) go through, so it gets as far as storing its pass.
 */
function holdOncePassStored(): void {
  const writer = (f.db as SqliteDatabase).client;
  const stored = writer.prepare('select count(*) from issued_passes').pluck();
  wal.hold(() => (stored.get() as number) > 0);
}

/** Whether `p` has settled within a short while. */
const answered = (p: Promise<unknown>) => settledWithin(p, 100);

// The held sync is SQLite's; PostgreSQL shows a commit only once it is flushed.
describe.skipIf(process.env.VAXPASS_TEST_DB === 'postgres')('issuance durability (SQLite)', () => {
  it('answers an issuance, and a replay of it, only once the WAL sync after its commit has ended', async () => {
    await fixture();
    const key = newIdempotencyKey();
    holdOncePassStored();
    const first = f.partnerIssue({ personId: 'demo-0001' }, { idempotencyKey: key });
    // The pass and its idempotency record are committed and readable, but not yet durable.
    await expect.poll(async () => (await findIdempotencyRecord(f.db, f.partnerA.id, key)) !== null).toBe(true);
    const replay = f.partnerIssue({ personId: 'demo-0001' }, { idempotencyKey: key });
    expect(await answered(first)).toBe(false);
    expect(await answered(replay)).toBe(false);
    wal.release();
    const [a, b] = await Promise.all([first, replay]);
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.headers.get('idempotent-replayed')).toBe('true');
    expect(((await b.json()) as { passId: string }).passId).toBe(((await a.json()) as { passId: string }).passId);
  });

  it('hands a holder pass out again only once it is durable', async () => {
    await fixture();
    holdOncePassStored();
    const issuing = f.holderPasses('demo-0001');
    // The first refresh's pass is committed and readable, but not yet durable.
    await expect.poll(() => countIssuedPasses(f.db)).toBeGreaterThan(0);
    const again = f.holderPasses('demo-0001');
    expect(await answered(issuing)).toBe(false);
    expect(await answered(again)).toBe(false);
    wal.release();
    const [a, b] = await Promise.all([issuing, again]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
  });

  it('an acknowledged issuance is in the database after the store is closed and opened again', async () => {
    await fixture();
    const res = await f.partnerIssue({ personId: 'demo-0002' });
    expect(res.status).toBe(201);
    const { passId } = (await res.json()) as { passId: string };
    // A second, independent connection (as after a restart) reads it from the file.
    const reopened = openDatabase(f.database.path, { migrate: false });
    try {
      expect(await findIssuedPass(reopened, passId)).toMatchObject({ passId });
    } finally {
      await reopened.close();
    }
  });
});
