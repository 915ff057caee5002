// Readiness probe for the store: one trivial query through the same connection the API uses.
import { sql } from 'drizzle-orm';
import type { Queryable } from '../open-database.ts';

/** True when the database answers a query. */
export function databaseAnswers(db: Queryable): boolean {
  try {
    db.get(sql`SELECT 1`);
    return true;
  } catch {
    return false;
  }
}
