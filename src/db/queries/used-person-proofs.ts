// Person proofs already spent on an issuance. The row is the proof's single use: a second
// issuance with the same ID token is refused, while a retry of the same request (same partner,
// same Idempotency-Key) is the same use. In the database so it holds across issuer instances.
import { eq, inArray, lt } from 'drizzle-orm';
import { affectedRows, type Queryable } from '../store.ts';

export interface ProofUse {
  readonly tokenHash: string;
  readonly partnerId: string;
  readonly idempotencyKey: string;
  /** Unix seconds after which the proof is refused anyway (stale), so the row can go. */
  readonly expiresAt: number;
}

/** True when this use may proceed: the proof was unused, or this is the same partner's retry with the same key. Run in a transaction. */
export async function claimPersonProof(db: Queryable, use: ProofUse): Promise<boolean> {
  const { usedPersonProofs } = db.t;
  const inserted = await db.orm.insert(usedPersonProofs).values(use).onConflictDoNothing().returning({ tokenHash: usedPersonProofs.tokenHash });
  if (inserted.length > 0) return true;
  const [earlier] = await db.orm.select().from(usedPersonProofs).where(eq(usedPersonProofs.tokenHash, use.tokenHash)).limit(1);
  return earlier !== undefined && earlier.partnerId === use.partnerId && earlier.idempotencyKey === use.idempotencyKey;
}

/**
 * Deletes at most `limit` proofs that went stale before `before`, oldest first, through
 * used_person_proofs_expires_at; the retention job calls it batch by batch (src/server/retention.ts).
 */
export async function deleteUsedPersonProofsExpiredBefore(db: Queryable, before: number, limit: number): Promise<number> {
  const { usedPersonProofs: p } = db.t;
  const batch = db.orm.select({ tokenHash: p.tokenHash }).from(p).where(lt(p.expiresAt, before)).orderBy(p.expiresAt).limit(limit);
  return affectedRows(await db.orm.delete(p).where(inArray(p.tokenHash, batch)));
}
