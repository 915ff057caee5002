// Revoked passes and keys. Each entry records the first bundle version that lists it, which is
// what revocation deltas (?since=N) select on.
import { and, asc, eq, gt, lte, max, sql } from 'drizzle-orm';
import type { Queryable } from '../open-database.ts';
import { revocations } from '../schema.ts';
import { prepared } from './prepared.ts';

export type RevocationKind = 'pass' | 'key';

export interface NewRevocation {
  readonly kind: RevocationKind;
  readonly subject: string;
  readonly reason?: string | null;
  readonly revokedAt: number;
  readonly revokedBy: string;
  readonly bundleVersion: number;
}

/** Inserts a revocation; false when the subject was already revoked (revoking twice is a no-op). */
export function insertRevocation(db: Queryable, r: NewRevocation): boolean {
  const result = db
    .insert(revocations)
    .values({ kind: r.kind, subject: r.subject, reason: r.reason ?? null, revokedAt: r.revokedAt, revokedBy: r.revokedBy, bundleVersion: r.bundleVersion })
    .onConflictDoNothing()
    .run();
  return result.changes > 0;
}

export function findRevocation(db: Queryable, kind: RevocationKind, subject: string) {
  const query = prepared(db, 'findRevocation', (d) =>
    d.select().from(revocations).where(and(eq(revocations.kind, sql.placeholder('kind')), eq(revocations.subject, sql.placeholder('subject')))).prepare(),
  );
  return query.get({ kind, subject }) ?? null;
}

/** Revocations listed in bundle versions (after, upTo]. */
export function listRevocations(db: Queryable, after: number, upTo: number): { passes: string[]; keys: string[] } {
  const rows = db
    .select({ kind: revocations.kind, subject: revocations.subject })
    .from(revocations)
    .where(and(gt(revocations.bundleVersion, after), lte(revocations.bundleVersion, upTo)))
    .orderBy(asc(revocations.id))
    .all();
  return { passes: rows.filter((r) => r.kind === 'pass').map((r) => r.subject), keys: rows.filter((r) => r.kind === 'key').map((r) => r.subject) };
}

/** The log's entries first listed after bundle version `after` (the ones a publisher has not seen), in log order. */
export function revocationsListedAfter(db: Queryable, after: number): { id: number; kind: RevocationKind; subject: string; bundleVersion: number }[] {
  const query = prepared(db, 'revocationsListedAfter', (d) =>
    d
      .select({ id: revocations.id, kind: revocations.kind, subject: revocations.subject, bundleVersion: revocations.bundleVersion })
      .from(revocations)
      .where(gt(revocations.bundleVersion, sql.placeholder('after')))
      .orderBy(asc(revocations.id))
      .prepare(),
  );
  return query.all({ after });
}

/** The log's sequence: the id of its newest entry (0 when empty). */
export function lastRevocationId(db: Queryable): number {
  return prepared(db, 'lastRevocationId', (d) => d.select({ id: max(revocations.id) }).from(revocations).prepare()).get()?.id ?? 0;
}
