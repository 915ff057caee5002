// Hot queries are built and prepared once per connection instead of on every call: building SQL
// through the query builder and preparing it costs more than running it. Statements are keyed by
// the connection their drizzle instance runs on, so the store's and its transactions' statements
// are kept apart. Nothing outlives its database.
//
// The two dialects run prepared queries differently (SQLite: all/get/run, synchronous;
// PostgreSQL: execute, which maps rows to the declared columns), so each statement is wrapped in
// the same three async methods.
import type { Queryable } from '../store.ts';

type Values = Record<string, unknown>;

export interface Statement<Row> {
  all(values?: Values): Promise<Row[]>;
  get(values?: Values): Promise<Row | undefined>;
  run(values?: Values): Promise<void>;
}

/** What drizzle's `.prepare()` returns (typed through the SQLite tables; both dialects have `execute`). */
interface Preparable {
  execute(values?: Values): unknown;
}

type RowOf<Q> = Q extends { all(values?: Values): Promise<(infer Row)[]> } ? Row : never;
type Built = Preparable | Record<string, Preparable>;
type Wrapped<T> = T extends Preparable ? Statement<RowOf<T>> : { [K in keyof T]: Statement<RowOf<T[K]>> };

const cache = new WeakMap<object, Map<string, unknown>>();

export function prepared<T extends Built>(db: Queryable, name: string, build: (db: Queryable) => T): Wrapped<T> {
  const connection = (db.orm as unknown as { session?: { client?: object } }).session?.client ?? db.orm;
  let statements = cache.get(connection);
  if (!statements) cache.set(connection, (statements = new Map()));
  let statement = statements.get(name) as Wrapped<T> | undefined;
  if (statement === undefined) {
    const built = build(db);
    const one = (q: Preparable, as: string) => (db.dialect === 'sqlite' ? sqliteStatement(q) : postgresStatement(q, as));
    statement = (isPreparable(built) ? one(built, name) : Object.fromEntries(Object.entries(built).map(([k, q]) => [k, one(q, `${name}.${k}`)]))) as Wrapped<T>;
    statements.set(name, statement);
  }
  return statement;
}

function isPreparable(value: Built): value is Preparable {
  return typeof (value as Preparable).execute === 'function';
}

function sqliteStatement<Row>(q: Preparable): Statement<Row> {
  // better-sqlite3 answers synchronously; the values are handed back as resolved promises.
  const s = q as unknown as { all(v?: Values): Row[]; get(v?: Values): Row | undefined; run(v?: Values): unknown };
  return {
    all: async (v) => s.all(v),
    get: async (v) => s.get(v),
    run: async (v) => void s.run(v),
  };
}

/**
 * On PostgreSQL the statement gets a name, so each pooled connection parses and plans it once
 * instead of on every call (node-postgres prepares a named statement per connection on first use).
 * drizzle names a query only through `.prepare(name)`, which the SQLite-typed builders the query
 * functions use do not offer; its node-postgres query keeps the name in these two configs.
 */
function postgresStatement<Row>(q: Preparable, name: string): Statement<Row> {
  const configs = q as unknown as { queryConfig?: { name?: string }; rawQueryConfig?: { name?: string } };
  for (const config of [configs.queryConfig, configs.rawQueryConfig]) if (config) config.name = `vaxpass_${name}`;
  const s = q as unknown as { execute(v?: Values): Promise<Row[]> };
  return {
    all: (v) => s.execute(v),
    get: async (v) => (await s.execute(v))[0],
    run: async (v) => void (await s.execute(v)),
  };
}
