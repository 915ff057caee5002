// The revoked key ids and pass ids as sets, for signing-key choice and pass reuse.
import { eq } from 'drizzle-orm';
import type { Queryable } from '../open-database.ts';
import { revocations } from '../schema.ts';
import { prepared } from './prepared.ts';

export function revokedKeyIds(db: Queryable): Set<string> {
  const query = prepared(db, 'revokedKeyIds', (d) => d.select({ s: revocations.subject }).from(revocations).where(eq(revocations.kind, 'key')).prepare());
  return new Set(query.all().map((r) => r.s));
}
