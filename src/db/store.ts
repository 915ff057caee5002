// The one seam every read and write of the issuer goes through. Query functions (src/db/queries)
// stay database-first — `findX(db, …)` — and are all async, so the same function runs on the
// embedded SQLite file and on a shared PostgreSQL server.
//
// How one set of query functions serves both dialects: each store carries its own drizzle
// instance (`orm`) and its own table objects (`t`) with the same TypeScript shape. Queries are
// written with the builder calls both dialects share (select/insert/update/delete, onConflict…,
// returning) against `db.t.<table>`, and are typed once, through the SQLite declarations; the
// PostgreSQL store supplies pg-core tables whose columns have the same names and value types.
// Writing each query twice, or dropping to raw SQL strings, would lose the type checking that
// keeps the SQL honest; a thin table object per dialect keeps it at the price of one cast here.
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type * as schema from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';

/** The drizzle query builder as query functions see it (typed through the SQLite tables). */
export type Orm = BaseSQLiteDatabase<'async', unknown, typeof schema>;

/** The table objects of one dialect, all with the TypeScript shape of src/db/schema.ts. */
export type Tables = typeof schema;

/** What query functions take: the store itself or a transaction on it. */
export interface Queryable {
  readonly dialect: Dialect;
  readonly orm: Orm;
  readonly t: Tables;
}

/**
 * The database as the issuer uses it. Writes happen inside `transaction`: on SQLite the store's
 * top-level queries run on a read-only connection, so a write outside a transaction fails loudly
 * instead of slipping into another request's open transaction.
 */
export interface VaxpassDatabase extends Queryable {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Resolves once everything committed so far is durable. A transaction's own promise already
   * waits for that; a read that discloses rows another request may just have committed (an
   * idempotent replay, a pass handed out again) awaits this before answering, because on SQLite
   * a commit is visible to readers slightly before its WAL sync ends (wal-sync.ts). Rejects if
   * that sync failed: the rows must then not be disclosed.
   */
  durable(): Promise<void>;
  /** A human-readable location for logs and the start banner (a path, or host/database without credentials). */
  readonly location: string;
  close(): Promise<void>;
}

/**
 * Rows an UPDATE or DELETE touched, whichever driver ran it: better-sqlite3 reports `changes`,
 * postgres.js `count`, node-postgres `rowCount`.
 */
export function affectedRows(result: unknown): number {
  const r = result as { changes?: number; count?: number; rowCount?: number | null };
  return r.changes ?? r.count ?? r.rowCount ?? 0;
}
