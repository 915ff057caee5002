// Hot queries are built and prepared once per connection (or transaction object) instead of on
// every call: building SQL through the query builder and preparing it in SQLite costs more than
// running it. Keyed by the Queryable, so nothing outlives its database.
import type { Queryable } from '../open-database.ts';

const cache = new WeakMap<object, Map<string, unknown>>();

export function prepared<T>(db: Queryable, name: string, build: (db: Queryable) => T): T {
  let statements = cache.get(db);
  if (!statements) cache.set(db, (statements = new Map()));
  let statement = statements.get(name) as T | undefined;
  if (statement === undefined) {
    statement = build(db);
    statements.set(name, statement);
  }
  return statement;
}
