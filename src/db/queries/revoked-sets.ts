// The revoked key ids and pass ids as sets, for signing-key choice and pass reuse.
import { eq } from 'drizzle-orm';
import type { Queryable } from '../store.ts';
import { prepared } from './prepared.ts';

export async function revokedKeyIds(db: Queryable): Promise<Set<string>> {
  const query = prepared(db, 'revokedKeyIds', ({ orm, t: { revocations } }) => orm.select({ s: revocations.subject }).from(revocations).where(eq(revocations.kind, 'key')).prepare());
  return new Set((await query.all()).map((r) => r.s));
}
