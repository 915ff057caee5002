// Partner idempotency keys (draft-ietf-httpapi-idempotency-key-header): the unique index on
// (partner, key) is what makes concurrent duplicates produce exactly one pass.
import { and, eq, lt, sql } from 'drizzle-orm';
import type { Queryable } from '../open-database.ts';
import { idempotencyKeys } from '../schema.ts';
import { prepared } from './prepared.ts';

export type IdempotencyRecord = typeof idempotencyKeys.$inferSelect;

export function findIdempotencyRecord(db: Queryable, partnerId: string, key: string): IdempotencyRecord | null {
  const query = prepared(db, 'findIdempotencyRecord', (d) =>
    d.select().from(idempotencyKeys).where(and(eq(idempotencyKeys.partnerId, sql.placeholder('partnerId')), eq(idempotencyKeys.key, sql.placeholder('key')))).prepare(),
  );
  return query.get({ partnerId, key }) ?? null;
}

/** Inserts the record; false when the key was taken meanwhile (the caller then replays the stored one). */
export function insertIdempotencyRecord(db: Queryable, record: IdempotencyRecord): boolean {
  const ph = (name: string) => sql.placeholder(name);
  const insert = prepared(db, 'insertIdempotencyRecord', (d) =>
    d
      .insert(idempotencyKeys)
      .values({ partnerId: ph('partnerId'), key: ph('key'), requestHash: ph('requestHash'), responseStatus: ph('responseStatus'), responseBody: ph('responseBody'), createdAt: ph('createdAt') })
      .onConflictDoNothing()
      .prepare(),
  );
  return insert.run({ ...record }).changes > 0;
}

/** Forgets records created before `before` (unix seconds); returns how many. */
export function deleteIdempotencyRecordsBefore(db: Queryable, before: number): number {
  return db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, before)).run().changes;
}
