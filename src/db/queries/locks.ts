// Transactions that read, decide and then write on something no constraint can check (is there
// already a pass for these facts? which bundle version comes next? is this partner id free?) take
// a named lock first, so two issuer processes cannot both decide on the same stale read.
// SQLite needs none: its transactions already run one at a time (BEGIN IMMEDIATE, one writer).
// PostgreSQL: a transaction-scoped advisory lock, released by COMMIT or ROLLBACK.
import { sql } from 'drizzle-orm';
import type { Queryable } from '../store.ts';

/** Names of the decisions that are serialised across processes. */
export const LOCKS = {
  /** Bundle version numbers: publishing a version and stamping a revocation with the next one. */
  bundleVersion: 'bundle-version',
  holderPass: (personId: string) => `holder-pass:${personId}`,
  partner: (partnerId: string) => `partner:${partnerId}`,
  venue: (venueId: string) => `venue:${venueId}`,
} as const;

export async function lockForTransaction(tx: Queryable, name: string): Promise<void> {
  if (tx.dialect === 'sqlite') return;
  const pg = tx.orm as unknown as { execute(query: ReturnType<typeof sql>): Promise<unknown> };
  await pg.execute(sql`select pg_advisory_xact_lock(hashtextextended(${name}, 0))`);
}
