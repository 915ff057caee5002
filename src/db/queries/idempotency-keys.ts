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

/** Forgets records created before `before` (unix seconds); returns how many. */
export async function deleteIdempotencyRecordsBefore(db: Queryable, before: number): Promise<number> {
  const { idempotencyKeys } = db.t;
  return affectedRows(await db.orm.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, before)));
}
