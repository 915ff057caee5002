// Personal data where it should not be: idempotency records keep a pass reference only (a replay
// renders the pass again), and the retention job removes records past their time (fake clock):
// idempotency records, issued passes, holder sessions and spent person proofs, in batches.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertIdempotencyRecord } from '../../src/db/queries/idempotency-keys.ts';
import { findIssuedPass } from '../../src/db/queries/issued-passes.ts';
import type { VaxpassDatabase } from '../../src/db/store.ts';
import { removeExpiredRecords } from '../../src/server/retention.ts';
import { unixNow } from '../../src/server/clock.ts';
import { createServerFixture, type ServerFixture } from './support/server-fixture.ts';

let f: ServerFixture;
beforeEach(async () => {
  f = await createServerFixture();
});
afterEach(() => f.cleanup());

const DAY = 86_400;
const idempotencyRows = (fx: ServerFixture) => fx.db.orm.select().from(fx.db.t.idempotencyKeys);

describe('personal data and retention', () => {
  it('an idempotency record holds the pass id only; the replay is rendered again from the stored pass', async () => {
    const key = 'idem-reference-only-0001';
    const first = (await (await f.partnerIssue({ name: 'Maria Gonzalez Lopez', birthDate: '1985-03-14' }, { idempotencyKey: key })).json()) as { passId: string; text: string };
    const rows = await idempotencyRows(f);
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]!.responseBody)).toEqual({ passId: first.passId });
    const stored = JSON.stringify(rows);
    expect(stored).not.toMatch(/Maria|1985-03-14|VP1:/);
    const replay = await f.partnerIssue({ name: 'Maria Gonzalez Lopez', birthDate: '1985-03-14' }, { idempotencyKey: key });
    expect(replay.status).toBe(201);
    expect(await replay.json()).toEqual(first);
  });

  it('the retention job removes idempotency records after 24 h and issued passes a week after they expire', async () => {
    const pass = (await (await f.partnerIssue({ personId: 'demo-0002' })).json()) as { passId: string; expiresAt: string };
    expect(await removeExpiredRecords(f.db, unixNow(f.clock))).toEqual({ idempotencyRecords: 0, issuedPasses: 0, holderSessions: 0, usedPersonProofs: 0 });
    f.clock.advance(DAY + 1);
    expect(await removeExpiredRecords(f.db, unixNow(f.clock))).toEqual({ idempotencyRecords: 1, issuedPasses: 0, holderSessions: 0, usedPersonProofs: 0 });
    expect(await idempotencyRows(f)).toEqual([]);
    expect(await findIssuedPass(f.db, pass.passId)).not.toBeNull();
    // One second short of exp + 7 days: kept; past it: removed.
    const exp = Date.parse(pass.expiresAt) / 1000;
    f.clock.advance(exp + 7 * DAY - unixNow(f.clock));
    expect((await removeExpiredRecords(f.db, unixNow(f.clock))).issuedPasses).toBe(0);
    f.clock.advance(1);
    expect((await removeExpiredRecords(f.db, unixNow(f.clock))).issuedPasses).toBe(1);
    expect(await findIssuedPass(f.db, pass.passId)).toBeNull();
  });

  it('removes expired idempotency records in batches, one transaction each, and keeps the fresh ones', async () => {
    const now = unixNow(f.clock);
    await seedIdempotencyRecords(f.db, 2500, now - 2 * DAY, 'old');
    await seedIdempotencyRecords(f.db, 10, now - 60, 'new');
    let transactions = 0;
    const counting: VaxpassDatabase = Object.assign(Object.create(f.db) as VaxpassDatabase, {
      transaction: (work: Parameters<VaxpassDatabase['transaction']>[0]) => (transactions++, f.db.transaction(work)),
    });
    expect(await removeExpiredRecords(counting, now, 1000)).toEqual({ idempotencyRecords: 2500, issuedPasses: 0, holderSessions: 0, usedPersonProofs: 0 });
    // 1000 + 1000 + 500 idempotency rows, then one (empty) batch each of passes, sessions and proofs.
    expect(transactions).toBe(6);
    expect((await idempotencyRows(f)).map((r) => r.key).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `new-key-${i}`).sort());
  });

  it('removes expired issued passes in batches too, oldest first, one transaction each', async () => {
    const passes: { passId: string; expiresAt: string }[] = [];
    for (let i = 0; i < 5; i++) passes.push((await (await f.partnerIssue({ personId: 'demo-0002' }, { idempotencyKey: `batch-pass-${i}` })).json()) as { passId: string; expiresAt: string });
    expect(new Set(passes.map((p) => p.passId)).size).toBe(5);
    // Past the last pass's exp + 7 days; the idempotency records are long gone by then too.
    const lastExp = Math.max(...passes.map((p) => Date.parse(p.expiresAt) / 1000));
    f.clock.advance(lastExp + 7 * DAY + 1 - unixNow(f.clock));
    let transactions = 0;
    const counting: VaxpassDatabase = Object.assign(Object.create(f.db) as VaxpassDatabase, {
      transaction: (work: Parameters<VaxpassDatabase['transaction']>[0]) => (transactions++, f.db.transaction(work)),
    });
    expect(await removeExpiredRecords(counting, unixNow(f.clock), 2)).toEqual({ idempotencyRecords: 5, issuedPasses: 5, holderSessions: 0, usedPersonProofs: 0 });
    // 2 + 2 + 1 idempotency records, then 2 + 2 + 1 passes, then one (empty) batch each of sessions and proofs.
    expect(transactions).toBe(8);
    for (const pass of passes) expect(await findIssuedPass(f.db, pass.passId)).toBeNull();
  });

  it('removes exactly the expired holder sessions and spent person proofs, in batches, one transaction each', async () => {
    const now = unixNow(f.clock);
    // Expired (removed), expiring this very second (already refused by findHolderSession, kept one
    // more round like before), and live rows.
    await seedHolderSessions(f.db, [...stamps('old-session', 2500, now - 3600), ...stamps('edge-session', 3, now), ...stamps('live-session', 4, now + 3600)]);
    await seedUsedPersonProofs(f.db, [...stamps('old-proof', 1500, now - 60), ...stamps('edge-proof', 2, now), ...stamps('live-proof', 5, now + 600)]);
    let transactions = 0;
    const counting: VaxpassDatabase = Object.assign(Object.create(f.db) as VaxpassDatabase, {
      transaction: (work: Parameters<VaxpassDatabase['transaction']>[0]) => (transactions++, f.db.transaction(work)),
    });
    expect(await removeExpiredRecords(counting, now, 1000)).toEqual({ idempotencyRecords: 0, issuedPasses: 0, holderSessions: 2500, usedPersonProofs: 1500 });
    // One (empty) batch each of idempotency records and passes, 1000 + 1000 + 500 sessions, 1000 + 500 proofs.
    expect(transactions).toBe(7);
    const sessions = (await f.db.orm.select({ idHash: f.db.t.holderSessions.idHash }).from(f.db.t.holderSessions)).map((r) => r.idHash).sort();
    expect(sessions).toEqual([...stamps('edge-session', 3, now), ...stamps('live-session', 4, now)].map((r) => r.id).sort());
    const proofs = (await f.db.orm.select({ tokenHash: f.db.t.usedPersonProofs.tokenHash }).from(f.db.t.usedPersonProofs)).map((r) => r.tokenHash).sort();
    expect(proofs).toEqual([...stamps('edge-proof', 2, now), ...stamps('live-proof', 5, now)].map((r) => r.id).sort());
  });

  it('an expired Idempotency-Key used again replaces its own record only: clearing the others is left to the retention job', async () => {
    const now = unixNow(f.clock);
    await seedIdempotencyRecords(f.db, 5, now - 2 * DAY, 'old');
    const res = await f.partnerIssue({ personId: 'demo-0002' }, { idempotencyKey: 'old-key-0' });
    expect(res.status).toBe(201);
    const keys = (await idempotencyRows(f)).map((r) => r.key).sort();
    expect(keys).toEqual(['old-key-0', 'old-key-1', 'old-key-2', 'old-key-3', 'old-key-4']);
  });
});

async function seedIdempotencyRecords(db: VaxpassDatabase, count: number, createdAt: number, prefix: string): Promise<void> {
  await db.transaction(async (tx) => {
    for (let i = 0; i < count; i++) {
      await insertIdempotencyRecord(tx, { partnerId: 'partner-a', key: `${prefix}-key-${i}`, requestHash: '0'.repeat(64), responseStatus: 201, responseBody: '{"passId":"none"}', createdAt });
    }
  });
}

/** `count` rows named `${prefix}-${i}` expiring at `expiresAt`. */
function stamps(prefix: string, count: number, expiresAt: number): { id: string; expiresAt: number }[] {
  return Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${i}`, expiresAt }));
}

async function seedHolderSessions(db: VaxpassDatabase, rows: { id: string; expiresAt: number }[]): Promise<void> {
  await db.transaction(async (tx) => {
    for (const { id, expiresAt } of rows) {
      await tx.orm.insert(tx.t.holderSessions).values({ idHash: id, personId: null, csrfToken: 'csrf', pkceVerifier: null, state: null, nonce: null, createdAt: expiresAt - 3600, expiresAt });
    }
  });
}

async function seedUsedPersonProofs(db: VaxpassDatabase, rows: { id: string; expiresAt: number }[]): Promise<void> {
  await db.transaction(async (tx) => {
    for (const { id, expiresAt } of rows) await tx.orm.insert(tx.t.usedPersonProofs).values({ tokenHash: id, partnerId: 'partner-a', idempotencyKey: `key-${id}`, expiresAt });
  });
}
