// Partner idempotency keys (draft-ietf-httpapi-idempotency-key-header): the unique index on
// (partner, key) is what makes concurrent duplicates produce exactly one pass.
import { and, eq, lt, sql } from 'drizzle-orm';
import { affectedRows, type Queryable } from '../store.ts';
import type { idempotencyKeys } from '../schema.ts';
import { prepared } from './prepared.ts';

export type IdempotencyRecord = typeof idempotencyKeys.$inferSelect;

export async function findIdempotencyRecord(db: Queryable, partnerId: string, key: string): Promise<IdempotencyRecord | null> {
  const query = prepared(db, 'findIdempotencyRecord', ({ orm, t }) =>
    orm.select().from(t.idempotencyKeys).where(and(eq(t.idempotencyKeys.partnerId, sql.placeholder('partnerId')), eq(t.idempotencyKeys.key, sql.placeholder('key')))).prepare(),
  );
  return (await query.get({ partnerId, key })) ?? null;
}

/** Inserts the record; false when the key was taken meanwhile (the caller then replays the stored one). */
export async function insertIdempotencyRecord(db: Queryable, record: IdempotencyRecord): Promise<boolean> {
  const ph = (name: string) => sql.placeholder(name);
  const insert = prepared(db, 'insertIdempotencyRecord', ({ orm, t }) =>
    orm
      .insert(t.idempotencyKeys)
      .values({ partnerId: ph('partnerId'), key: ph('key'), requestHash: ph('requestHash'), responseStatus: ph('responseStatus'), responseBody: ph('responseBody'), createdAt: ph('createdAt') })
      .onConflictDoNothing()
      .returning({ key: t.idempotencyKeys.key })
      .prepare(),
  );
  return (await insert.all({ ...record })).length > 0;
}

/**
 * Forgets at most `limit` records created before `before` (unix seconds); returns how many. The
 * retention job calls it batch by batch (src/server/retention.ts): one DELETE of every expired row
 * held the database, and on SQLite the event loop, for seconds at a time. The batch is picked
 * through the created_at index and deleted by primary key, the same statement on both dialects.
 */
export async function deleteIdempotencyRecordsBefore(db: Queryable, before: number, limit: number): Promise<number> {
  const t = db.t.idempotencyKeys;
  const batch = db.orm.select({ partnerId: t.partnerId, key: t.key }).from(t).where(lt(t.createdAt, before)).orderBy(t.createdAt).limit(limit);
  return affectedRows(await db.orm.delete(t).where(sql`(${t.partnerId}, ${t.key}) in (${batch})`));
}

/** Forgets one partner's record for `key` if it was created before `before` (an expired key used again). */
export async function deleteExpiredIdempotencyRecord(db: Queryable, partnerId: string, key: string, before: number): Promise<boolean> {
  const t = db.t.idempotencyKeys;
  return affectedRows(await db.orm.delete(t).where(and(eq(t.partnerId, partnerId), eq(t.key, key), lt(t.createdAt, before)))) > 0;
}
