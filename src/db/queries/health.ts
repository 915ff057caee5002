// Readiness probe for the store: one trivial query through the same connection the API uses.
import { sql } from 'drizzle-orm';
import type { Queryable } from '../store.ts';

/** True when the database answers a query. */
export async function databaseAnswers(db: Queryable): Promise<boolean> {
  try {
    await db.orm.select({ one: sql<number>`1` }).from(db.t.partners).limit(1);
    return true;
  } catch {
    return false;
  }
}
