// Hot queries are built and prepared once per connection instead of on every call: building SQL
// through the query builder and preparing it in SQLite costs more than running it. A transaction
// runs on its database's connection, so statements are keyed by that connection and a statement
// prepared outside a transaction runs inside it when called there. Nothing outlives its database.
import type { Queryable } from '../open-database.ts';

const cache = new WeakMap<object, Map<string, unknown>>();

export function prepared<T>(db: Queryable, name: string, build: (db: Queryable) => T): T {
  const connection = (db as unknown as { session?: { client?: object } }).session?.client ?? db;
  let statements = cache.get(connection);
  if (!statements) cache.set(connection, (statements = new Map()));
  let statement = statements.get(name) as T | undefined;
  if (statement === undefined) {
    statement = build(db);
    statements.set(name, statement);
  }
  return statement;
}
