// Revoked passes and keys. Each entry records the first bundle version that lists it, which is
// what revocation deltas (?since=N) select on.
import { and, asc, eq, gt, lte, max, sql } from 'drizzle-orm';
import type { Queryable } from '../store.ts';
import { invalidateHolderAnswersOfPasses, raiseHolderAnswerGeneration } from './holder-answers.ts';
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
export async function insertRevocation(db: Queryable, r: NewRevocation): Promise<boolean> {
  const { revocations } = db.t;
  const inserted = await db.orm
    .insert(revocations)
    .values({ kind: r.kind, subject: r.subject, reason: r.reason ?? null, revokedAt: r.revokedAt, revokedBy: r.revokedBy, bundleVersion: r.bundleVersion })
    .onConflictDoNothing()
    .returning({ id: revocations.id });
  if (inserted.length === 0) return false;
  // The holder's next refresh must not be confirmed from a stored ETag that still lists the pass;
  // a revoked key may void anyone's passes.
  if (r.kind === 'pass') await invalidateHolderAnswersOfPasses(db, [r.subject]);
  else await raiseHolderAnswerGeneration(db);
  return true;
}

export async function findRevocation(db: Queryable, kind: RevocationKind, subject: string) {
  const query = prepared(db, 'findRevocation', ({ orm, t: { revocations } }) =>
    orm.select().from(revocations).where(and(eq(revocations.kind, sql.placeholder('kind')), eq(revocations.subject, sql.placeholder('subject')))).prepare(),
  );
  return (await query.get({ kind, subject })) ?? null;
}

/** Revocations listed in bundle versions (after, upTo]. */
export async function listRevocations(db: Queryable, after: number, upTo: number): Promise<{ passes: string[]; keys: string[] }> {
  const { revocations } = db.t;
  const rows = await db.orm
    .select({ kind: revocations.kind, subject: revocations.subject })
    .from(revocations)
    .where(and(gt(revocations.bundleVersion, after), lte(revocations.bundleVersion, upTo)))
    .orderBy(asc(revocations.id));
  return { passes: rows.filter((r) => r.kind === 'pass').map((r) => r.subject), keys: rows.filter((r) => r.kind === 'key').map((r) => r.subject) };
}

/** The log's entries first listed after bundle version `after` (the ones a publisher has not seen), by version, then in log order. */
export async function revocationsListedAfter(db: Queryable, after: number): Promise<{ id: number; kind: RevocationKind; subject: string; bundleVersion: number }[]> {
  const query = prepared(db, 'revocationsListedAfter', ({ orm, t: { revocations } }) =>
    orm
      .select({ id: revocations.id, kind: revocations.kind, subject: revocations.subject, bundleVersion: revocations.bundleVersion })
      .from(revocations)
      .where(gt(revocations.bundleVersion, sql.placeholder('after')))
      // In the index's order: ordered by id alone, SQLite scans the whole table to skip a sort.
      .orderBy(asc(revocations.bundleVersion), asc(revocations.id))
      .prepare(),
  );
  return query.all({ after });
}

/** The log's sequence: the id of its newest entry (0 when empty). */
export async function lastRevocationId(db: Queryable): Promise<number> {
  const { revocations } = db.t;
  const [row] = await db.orm.select({ id: max(revocations.id) }).from(revocations);
  return row?.id ?? 0;
}

/** Appends many revocations in one statement per 500 (imports and benchmarks); duplicates are skipped. */
export async function insertRevocations(db: Queryable, rows: readonly NewRevocation[]): Promise<void> {
  const { revocations } = db.t;
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500).map((r) => ({ kind: r.kind, subject: r.subject, reason: r.reason ?? null, revokedAt: r.revokedAt, revokedBy: r.revokedBy, bundleVersion: r.bundleVersion }));
    await db.orm.insert(revocations).values(chunk).onConflictDoNothing();
  }
  // A bulk change: every stored holder ETag is void (one statement, not one per holder).
  if (rows.length > 0) await raiseHolderAnswerGeneration(db);
}
