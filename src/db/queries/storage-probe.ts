// The write readiness tries after a storage failure: a row that needs a fresh page, written and
// deleted in one committed transaction, so it fails exactly when real writes would (a full disk,
// SQLite's page limit, a lost connection) and leaves the table empty.
import { eq } from 'drizzle-orm';
import type { VaxpassDatabase } from '../store.ts';

const FILLER = 'x'.repeat(8192);

export async function probeWrite(db: VaxpassDatabase): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.orm.insert(tx.t.storageProbe).values({ id: 1, filler: FILLER });
    await tx.orm.delete(tx.t.storageProbe).where(eq(tx.t.storageProbe.id, 1));
  });
}
