// Hot queries are built and prepared once per connection instead of on every call: building SQL
// through the query builder and preparing it costs more than running it. Statements are keyed by
// the connection their drizzle instance runs on, so the store's and its transactions' statements
// are kept apart. Nothing outlives its database.
import type { Queryable } from '../store.ts';

const cache = new WeakMap<object, Map<string, unknown>>();

export function prepared<T>(db: Queryable, name: string, build: (db: Queryable) => T): T {
  const connection = (db.orm as unknown as { session?: { client?: object } }).session?.client ?? db.orm;
  let statements = cache.get(connection);
  if (!statements) cache.set(connection, (statements = new Map()));
  let statement = statements.get(name) as T | undefined;
  if (statement === undefined) {
    statement = build(db);
    statements.set(name, statement);
  }
  return statement;
}
