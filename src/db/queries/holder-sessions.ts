// Holder sessions (backend-for-frontend sign-in), by the SHA-256 of the cookie's random id.
import { hash } from 'node:crypto';
import { and, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import type { holderSessions } from '../schema.ts';
import { affectedRows, type Queryable } from '../store.ts';
import { prepared } from './prepared.ts';

export type HolderSessionRow = typeof holderSessions.$inferSelect;

export function sessionIdHash(sessionId: string): string {
  // One-shot hash(): far cheaper than createHash() for one short value (holder refreshes hash on every read).
  return hash('sha256', sessionId, 'hex');
}

export async function insertHolderSession(db: Queryable, row: HolderSessionRow): Promise<void> {
  await db.orm.insert(db.t.holderSessions).values(row);
}

/** The unexpired session or pending sign-in with this cookie id, or null. */
export async function findHolderSession(db: Queryable, sessionId: string, now: number): Promise<HolderSessionRow | null> {
  // Every holder refresh starts here: built and prepared once per connection (prepared.ts). The
  // primary key makes it one row at most; no LIMIT, which drizzle would bind as a parameter (on
  // SQLite a bound limit made a prepared read 3× dearer, see holder-answers.ts).
  const query = prepared(db, 'findHolderSession', ({ orm, t: { holderSessions: s } }) =>
    orm.select().from(s).where(and(eq(s.idHash, sql.placeholder('idHash')), gt(s.expiresAt, sql.placeholder('now')))).prepare(),
  );
  return (await query.get({ idHash: sessionIdHash(sessionId), now })) ?? null;
}

export async function deleteHolderSession(db: Queryable, sessionId: string): Promise<boolean> {
  const { holderSessions: s } = db.t;
  return affectedRows(await db.orm.delete(s).where(eq(s.idHash, sessionIdHash(sessionId)))) > 0;
}

/**
 * Deletes at most `limit` sessions that expired before `before`, oldest first, through
 * holder_sessions_expires_at; the retention job calls it batch by batch (src/server/retention.ts).
 */
export async function deleteHolderSessionsExpiredBefore(db: Queryable, before: number, limit: number): Promise<number> {
  const { holderSessions: s } = db.t;
  const batch = db.orm.select({ idHash: s.idHash }).from(s).where(lt(s.expiresAt, before)).orderBy(s.expiresAt).limit(limit);
  return affectedRows(await db.orm.delete(s).where(inArray(s.idHash, batch)));
}
