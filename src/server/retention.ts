// The retention job: removes what is past its time. Partner idempotency records after 24 hours;
// issued passes (whose QR text carries a name and birth date) a week after they expire, when no
// scanner accepts them and revoking them would change nothing; holder sessions and spent person
// proofs as soon as they expire (neither is accepted after that). The audit log keeps pass ids only.
import { deleteHolderSessionsExpiredBefore } from '../db/queries/holder-sessions.ts';
import { deleteIdempotencyRecordsBefore } from '../db/queries/idempotency-keys.ts';
import { deleteIssuedPassesExpiredBefore } from '../db/queries/issued-passes.ts';
import { deleteUsedPersonProofsExpiredBefore } from '../db/queries/used-person-proofs.ts';
import type { Queryable, VaxpassDatabase } from '../db/store.ts';
import { IDEMPOTENCY_RETENTION_SECONDS } from './issuance/partner-issuance.ts';

/** How long an issued pass's record (and QR text) is kept after its exp. */
export const ISSUED_PASS_RETENTION_AFTER_EXP_SECONDS = 7 * 86_400;

export interface RetentionReport {
  readonly idempotencyRecords: number;
  readonly issuedPasses: number;
  readonly holderSessions: number;
  readonly usedPersonProofs: number;
}

/**
 * Rows deleted per transaction. Each batch is one short write (a few ms on SQLite, where it runs on
 * the event loop), with a turn of the event loop between batches for requests, so clearing 200 k
 * expired rows of any kind never holds the server for long (bench/retention-purge.ts).
 */
export const RETENTION_BATCH_ROWS = 1000;

export async function removeExpiredRecords(db: VaxpassDatabase, now: number, batchRows = RETENTION_BATCH_ROWS): Promise<RetentionReport> {
  const idempotencyRecords = await inBatches(db, batchRows, (tx) => deleteIdempotencyRecordsBefore(tx, now - IDEMPOTENCY_RETENTION_SECONDS, batchRows));
  const issuedPasses = await inBatches(db, batchRows, (tx) => deleteIssuedPassesExpiredBefore(tx, now - ISSUED_PASS_RETENTION_AFTER_EXP_SECONDS, batchRows));
  const holderSessions = await inBatches(db, batchRows, (tx) => deleteHolderSessionsExpiredBefore(tx, now, batchRows));
  const usedPersonProofs = await inBatches(db, batchRows, (tx) => deleteUsedPersonProofsExpiredBefore(tx, now, batchRows));
  return { idempotencyRecords, issuedPasses, holderSessions, usedPersonProofs };
}

/** Runs `deleteBatch` in its own transaction until it removes fewer than `batchRows`; returns the total. */
async function inBatches(db: VaxpassDatabase, batchRows: number, deleteBatch: (tx: Queryable) => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const removed = await db.transaction(deleteBatch);
    total += removed;
    if (removed < batchRows) return total;
    await new Promise((next) => setImmediate(next));
  }
}
