// Partner issuance's statements (docs/benchmarks.md "Partner issuance: statements"): how many a
// registry-trusted issuance by personId sends, and the guarantees of the write that replaced a
// transaction of three INSERTs: one Idempotency-Key yields one pass whoever writes concurrently
// (also a second store on the same PostgreSQL schema, as a second instance), nothing of an attempt
// whose pass id clashes is kept, and the issuer then signs again with another id.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import { readAuditLog } from '../../src/db/queries/audit-log.ts';
import { findIdempotencyRecord } from '../../src/db/queries/idempotency-keys.ts';
import { countIssuedPasses, findIssuedPass } from '../../src/db/queries/issued-passes.ts';
import { recordIssuance, type IssuanceRecord } from '../../src/db/queries/record-issuance.ts';
import { openPostgres } from '../../src/db/postgres/open-postgres.ts';
import type { VaxpassDatabase } from '../../src/db/store.ts';
import { unixNow } from '../../src/server/clock.ts';
import { passIdTaken } from '../../src/server/issuance/pass-id.ts';
import { TEST_POSTGRES_URL, testDialect } from '../support/create-test-database.ts';
import { countStatements } from '../support/statement-counter.ts';
import { createServerFixture, newIdempotencyKey, type ServerFixture } from './support/server-fixture.ts';

// Pass ids the issuer draws next, ahead of random ones: a test forces a prefix clash with them.
const nextPassIds = vi.hoisted(() => [] as Uint8Array[]);
vi.mock('../../src/server/issuance/pass-id.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/server/issuance/pass-id.ts')>();
  return { ...real, randomPassId: () => nextPassIds.shift() ?? real.randomPassId() };
});

let f: ServerFixture;
beforeEach(async () => {
  f = await createServerFixture();
});
afterEach(() => f.cleanup());

function issuance(key: string, passId: string, partnerId = 'partner-a'): IssuanceRecord {
  const now = unixNow(f.clock);
  return {
    idempotency: { partnerId, key, requestHash: 'h'.repeat(64), responseStatus: 201, responseBody: JSON.stringify({ passId }), createdAt: now },
    pass: { passId, personId: 'demo-0001', kid: 'kid', type: 'vaccination', iat: now, exp: now + 3600, issuedBy: partnerId, factsHash: 'f'.repeat(64), text: `HC1:${passId}`, createdAt: now },
    audit: { at: now, actor: `partner:${partnerId}`, action: 'pass.issued', passId, personId: 'demo-0001', requestId: 'req', detail: { kid: 'kid' } },
  };
}

const hexId = (n: number) => n.toString(16).padStart(16, '0');

async function auditedPasses(db: VaxpassDatabase): Promise<string[]> {
  return (await readAuditLog(db)).filter((e) => e.action === 'pass.issued').map((e) => e.passId!);
}

describe('partner issuance statements', () => {
  it(`a registry-trusted issuance by personId sends ${testDialect === 'postgres' ? '2 statements (2 round trips)' : '8 statements'}; a replay sends 4`, async () => {
    // The first issuance reads the revoked key ids and the partner (both kept for the clock second,
    // which the fixture's clock does not leave: src/server/partner-key-cache.ts).
    expect((await f.partnerIssue({ personId: 'demo-0001' })).status).toBe(201);
    const counts: string[][] = [];
    for (let i = 0; i < 3; i++) {
      const key = newIdempotencyKey();
      const first = await countStatements(async () => expect((await f.partnerIssue({ personId: 'demo-0002' }, { idempotencyKey: key })).status).toBe(201));
      const again = await countStatements(async () => expect((await f.partnerIssue({ personId: 'demo-0002' }, { idempotencyKey: key })).status).toBe(201));
      counts.push(first.sql as string[], again.sql as string[]);
    }
    const fewest = (of: string[][]) => of.reduce((a, b) => (b.length < a.length ? b : a));
    const issued = fewest(counts.filter((_, i) => i % 2 === 0));
    const replayed = fewest(counts.filter((_, i) => i % 2 === 1));
    // The one read, then the write: on PostgreSQL one statement; on SQLite
    // the group commit's BEGIN IMMEDIATE, SAVEPOINT, three INSERTs, RELEASE, COMMIT in process.
    expect(issued, issued.join('\n')).toHaveLength(testDialect === 'postgres' ? 2 : 8);
    // The one read, then the pass and its two revocation checks (pass, key).
    expect(replayed, replayed.join('\n')).toHaveLength(4);
  });

  it('one Idempotency-Key, written concurrently by many requests (and on PostgreSQL by a second store), records one pass and one audit entry', async () => {
    const other = testDialect === 'postgres' ? await openPostgres(TEST_POSTGRES_URL, { schema: f.database.env.VAXPASS_PG_SCHEMA!, poolSize: 4, migrate: false }) : null;
    try {
      const key = newIdempotencyKey();
      const stores = [f.db, other ?? f.db];
      const outcomes = await Promise.all(Array.from({ length: 12 }, (_, i) => recordIssuance(stores[i % 2]!, issuance(key, hexId(0xa0000000000 + i * 0x100000000)))));
      expect(outcomes.filter(Boolean)).toHaveLength(1);
      const winner = JSON.parse((await findIdempotencyRecord(f.db, 'partner-a', key))!.responseBody) as { passId: string };
      expect(await countIssuedPasses(f.db)).toBe(1);
      expect(await findIssuedPass(f.db, winner.passId)).not.toBeNull();
      expect(await auditedPasses(f.db)).toEqual([winner.passId]);
    } finally {
      await other?.close();
    }
  });

  it('an attempt whose pass id prefix is taken writes nothing (no key record, no audit entry), so the same key can be recorded with another id', async () => {
    const taken = hexId(0xb000000000000);
    expect(await recordIssuance(f.db, issuance(newIdempotencyKey(), taken))).toBe(true);
    const key = newIdempotencyKey();
    const clash = await recordIssuance(f.db, issuance(key, `${taken.slice(0, 10)}ffffff`)).then(
      () => null,
      (error: unknown) => error,
    );
    expect(passIdTaken(clash)).toBe(true);
    expect(await findIdempotencyRecord(f.db, 'partner-a', key)).toBeNull();
    expect(await auditedPasses(f.db)).toEqual([taken]);
    expect(await recordIssuance(f.db, issuance(key, hexId(0xc000000000000)))).toBe(true);
    expect(await auditedPasses(f.db)).toEqual([taken, hexId(0xc000000000000)]);
  });

  it('the issuer signs again with another id when the database refuses a pass id prefix', async () => {
    const first = (await (await f.partnerIssue({ personId: 'demo-0001' })).json()) as { passId: string };
    const clashing = Uint8Array.from(Buffer.from(`${first.passId.slice(0, 10)}123456`, 'hex'));
    nextPassIds.push(clashing, clashing);
    const res = await f.partnerIssue({ personId: 'demo-0002' });
    expect(res.status).toBe(201);
    const second = (await res.json()) as { passId: string; text: string };
    expect(nextPassIds).toHaveLength(0);
    expect(second.passId.slice(0, 10)).not.toBe(first.passId.slice(0, 10));
    expect(await f.verifyText(second.text)).toMatchObject({ ok: true, passId: second.passId });
    expect(await auditedPasses(f.db)).toEqual([first.passId, second.passId]);
    const { idempotencyKeys: k } = f.db.t;
    expect(await f.db.orm.select().from(k).where(eq(k.partnerId, 'partner-a'))).toHaveLength(2);
  });
});
