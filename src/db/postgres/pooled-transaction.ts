// A transaction on a connection of its own from the pool, given back to the pool on every path.
//
// drizzle's node-postgres transaction() over a pool takes a connection and sends BEGIN before its
// try/finally: when BEGIN fails, the connection is never released. That happens whenever the pool
// hands out a connection the server has just ended (a failover, a restart, an operator's
// pg_terminate_backend: 57P01) before the client has noticed. Each such loss shrinks the pool for
// good; once all are lost, every request waits for a connection forever and closing the store
// never returns. test/server/storage-errors.test.ts (57P01 mid-traffic) reproduces it.
import { drizzle } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { storageFailureOf } from '../storage-failure.ts';

type PgTx = PgTransaction<PgQueryResultHKT, Record<string, unknown>>;

export async function pooledTransaction<T>(pool: pg.Pool, work: (tx: PgTx) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let lost: Error | undefined;
  try {
    // Over one client, drizzle runs BEGIN … COMMIT (or ROLLBACK) on it and leaves releasing to us.
    const orm = drizzle({ client }) as unknown as PgDatabase<PgQueryResultHKT>;
    return await orm.transaction((tx) => work(tx as unknown as PgTx));
  } catch (error) {
    // A connection the server dropped is destroyed rather than handed to the next request. Only
    // then: a live one keeps its session (a read-only one answering 25006 stays read-only).
    if (connectionLost(error)) lost = error instanceof Error ? error : new Error('connection lost');
    throw error;
  } finally {
    client.release(lost);
  }
}

/** Shutdown (57P01–57P05), a connection exception (08xxx), a socket error, or node-postgres's own "connection terminated". */
function connectionLost(error: unknown): boolean {
  const code = storageFailureOf(error)?.driverCode ?? '';
  return code === 'CONNECTION_LOST' || code.startsWith('57P') || code.startsWith('08') || code.startsWith('E');
}
