// Person proofs already spent on an issuance. The row is the proof's single use: a second
// issuance with the same ID token is refused, while a retry of the same request (same partner,
// same Idempotency-Key) is the same use. In the database so it holds across issuer instances.
import { eq, lt } from 'drizzle-orm';
import type { Queryable } from '../open-database.ts';
import { usedPersonProofs } from '../schema.ts';

export interface ProofUse {
  readonly tokenHash: string;
  readonly partnerId: string;
  readonly idempotencyKey: string;
  /** Unix seconds after which the proof is refused anyway (stale), so the row can go. */
  readonly expiresAt: number;
}

/** True when this use may proceed: the proof was unused, or this is the same partner's retry with the same key. */
export function claimPersonProof(db: Queryable, use: ProofUse): boolean {
  const inserted = db.insert(usedPersonProofs).values(use).onConflictDoNothing().run().changes > 0;
  if (inserted) return true;
  const earlier = db.select().from(usedPersonProofs).where(eq(usedPersonProofs.tokenHash, use.tokenHash)).get();
  return earlier !== undefined && earlier.partnerId === use.partnerId && earlier.idempotencyKey === use.idempotencyKey;
}

export function deleteUsedPersonProofsBefore(db: Queryable, now: number): number {
  return db.delete(usedPersonProofs).where(lt(usedPersonProofs.expiresAt, now)).run().changes;
}
