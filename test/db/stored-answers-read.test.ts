// The stored-ETag read of a batch of sessions (storedHolderAnswersForSessions), on both dialects:
// every batch size finds exactly the sessions with a valid stored answer, whatever statement size
// it is rounded up to and however its ids repeat; and on PostgreSQL the server keeps one generic
// plan for each statement instead of planning every execution again (the ids as one array made a
// batch of one session be planned again on every execution, docs/benchmarks.md).
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPostgres, type PostgresDatabase } from '../../src/db/postgres/open-postgres.ts';
import { storedHolderAnswersForSessions } from '../../src/db/queries/holder-answers.ts';
import { sessionIdHash } from '../../src/db/queries/holder-sessions.ts';
import { createTestDatabase, TEST_POSTGRES_URL, testDialect, type TestDatabase } from '../support/create-test-database.ts';

const NOW = 1_000_000;
const SESSIONS = 3_000;
/** Session i is person p-i's; every third person's stored answer is expired and every fifth session is, so those find nothing. */
const cookie = (i: number) => `stored-answers-read-${i}`;
const sessionExpired = (i: number) => i % 5 === 0;
const found = (i: number) => i % 3 !== 0 && !sessionExpired(i);

let t: TestDatabase;
beforeEach(async () => {
  t = await createTestDatabase();
  for (let from = 0; from < SESSIONS; from += 500) {
    const ids = Array.from({ length: Math.min(500, SESSIONS - from) }, (_, k) => from + k);
    await t.db.transaction(async ({ orm, t: { holderSessions, holderAnswers } }) => {
      await orm.insert(holderSessions).values(ids.map((i) => ({ idHash: sessionIdHash(cookie(i)), personId: `p-${i}`, csrfToken: 'x', pkceVerifier: null, state: null, nonce: null, createdAt: 0, expiresAt: sessionExpired(i) ? NOW : NOW + 3600 })));
      await orm.insert(holderAnswers).values(ids.map((i) => ({ personId: `p-${i}`, changes: 0, etag: `"etag-${i}"`, validUntil: i % 3 !== 0 ? NOW + 60 : NOW, generation: 0 })));
    });
  }
  // The planner's estimates come from the statistics; a server's autovacuum would have taken them.
  if (t.db.dialect === 'postgres') await (t.db.orm as unknown as { execute(q: unknown): Promise<unknown> }).execute(sql`analyze ${t.db.t.holderSessions}, ${t.db.t.holderAnswers}`);
});
afterEach(() => t.cleanup());

describe('storedHolderAnswersForSessions', () => {
  it('finds exactly the sessions with a valid stored answer, for every batch size and with repeated ids', async () => {
    for (const size of [1, 2, 3, 5, 8, 9, 17, 64, 65]) {
      const ids = Array.from({ length: size }, (_, k) => 7 * k + size);
      const asked = [...ids.map(cookie), 'no such session', cookie(ids[0]!)];
      const answers = await storedHolderAnswersForSessions(t.db, asked, NOW);
      expect([...answers.keys()].sort()).toEqual(ids.filter(found).map(cookie).sort());
      for (const i of ids.filter(found)) expect(answers.get(cookie(i))).toEqual({ personId: `p-${i}`, etag: `"etag-${i}"`, sessionExpiresAt: NOW + 3600 });
    }
    expect((await storedHolderAnswersForSessions(t.db, [], NOW)).size).toBe(0);
  });
});

describe.runIf(testDialect === 'postgres')('storedHolderAnswersForSessions on PostgreSQL', () => {
  let one: PostgresDatabase | undefined;
  afterEach(() => one?.close());

  it('is planned once per connection and batch size, not on every execution', async () => {
    // One connection, so every execution below is on the connection whose statements are listed.
    one = await openPostgres(TEST_POSTGRES_URL, { schema: (t.db as PostgresDatabase).schema, poolSize: 1, migrate: false });
    for (let k = 0; k < 20; k++) {
      const batch = [3 * k + 1, 3 * k + 2, 3 * k + 4];
      expect((await storedHolderAnswersForSessions(one, [cookie(batch[0]!)], NOW)).size).toBe(found(batch[0]!) ? 1 : 0);
      expect((await storedHolderAnswersForSessions(one, batch.map(cookie), NOW)).size).toBe(batch.filter(found).length);
    }
    const orm = one.orm as unknown as { execute(q: unknown): Promise<{ rows: { name: string; generic_plans: string; custom_plans: string }[] }> };
    const { rows } = await orm.execute(sql`select name, generic_plans, custom_plans from pg_prepared_statements where name like 'vaxpass_storedHolderAnswersForSessions%'`);
    expect(rows.length).toBeGreaterThan(0);
    // PostgreSQL plans a named statement with its values five times before it may keep a generic plan.
    for (const row of rows) {
      expect(Number(row.custom_plans), row.name).toBeLessThanOrEqual(5);
      expect(Number(row.generic_plans), row.name).toBeGreaterThanOrEqual(15);
    }
  });
});
