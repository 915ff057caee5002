// Retention of the venue entry log on the server. The period is the published policy's
// retentionDays (data in the entry-log policy file and the signed bundle, so changing it needs no
// release); scanners apply the same number to the records they still hold.
import type { EntryLogPolicy } from '../core/entry-log.ts';
import { deleteEntryBatchesBefore } from '../db/queries/entry-batches.ts';
import type { VaxpassDatabase } from '../db/store.ts';

const DAY = 86_400;

/**
 * Deletes batches whose day is more than retentionDays before `now` (unix seconds). A batch's day
 * is the day of its oldest record, so a batch goes when its oldest record's period ends.
 */
export async function removeExpiredEntryBatches(db: VaxpassDatabase, policy: EntryLogPolicy, now: number): Promise<number> {
  const today = Math.floor(now / DAY);
  return db.transaction((tx) => deleteEntryBatchesBefore(tx, today - policy.retentionDays));
}
