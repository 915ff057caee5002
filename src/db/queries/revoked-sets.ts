// The revoked key ids and pass ids as sets, for signing-key choice and pass reuse.
import { eq } from 'drizzle-orm';
import type { Queryable } from '../open-database.ts';
import { revocations } from '../schema.ts';

export function revokedKeyIds(db: Queryable): Set<string> {
  return new Set(db.select({ s: revocations.subject }).from(revocations).where(eq(revocations.kind, 'key')).all().map((r) => r.s));
}
