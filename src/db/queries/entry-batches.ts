// Entry-log batches as uploaded by venues: ciphertext the issuer cannot open, stored once per
// (venue, batch id), read back only by the authority's offline query and removed by retention.
import { and, asc, eq, gte, lt, lte } from 'drizzle-orm';
import { affectedRows, type Queryable } from '../store.ts';

export interface NewEntryBatch {
  readonly venueId: string;
  readonly batchId: string;
  readonly day: number;
  readonly recordCount: number;
  readonly digest: string;
  readonly records: string;
}

export type StoreBatchOutcome = 'stored' | 'replayed' | 'conflict';

/**
 * Stores a batch unless this venue already sent one under the same id: the same content again is a
 * retry ('replayed', stored once); other content under a used id is refused ('conflict').
 */
export async function storeEntryBatch(tx: Queryable, batch: NewEntryBatch): Promise<StoreBatchOutcome> {
  const { entryBatches: b } = tx.t;
  const inserted = await tx.orm.insert(b).values(batch).onConflictDoNothing();
  if (affectedRows(inserted) === 1) return 'stored';
  const [existing] = await tx.orm.select({ digest: b.digest }).from(b).where(and(eq(b.venueId, batch.venueId), eq(b.batchId, batch.batchId))).limit(1);
  return existing?.digest === batch.digest ? 'replayed' : 'conflict';
}

/** A venue's batches with day in [fromDay, toDay], oldest first. */
export async function listEntryBatches(db: Queryable, venueId: string, fromDay: number, toDay: number) {
  const { entryBatches: b } = db.t;
  return db.orm.select().from(b).where(and(eq(b.venueId, venueId), gte(b.day, fromDay), lte(b.day, toDay))).orderBy(asc(b.day), asc(b.batchId));
}

export async function deleteEntryBatchesBefore(tx: Queryable, day: number): Promise<number> {
  return affectedRows(await tx.orm.delete(tx.t.entryBatches).where(lt(tx.t.entryBatches.day, day)));
}
