// Opens the PostgreSQL store: a connection pool shared by every request of this process, the
// schema brought up to date, and transactions that each hold one pooled connection. Several
// issuer processes can share one database; unique constraints and transactions, not process
// memory, keep them consistent.
//
// Driver: node-postgres (`pg`), chosen by measurement (bench/postgres-driver.ts, docs/benchmarks.md):
// on a transaction of three inserts — the shape of an issuance — it did 1.5× the throughput of
// postgres.js with a third less CPU per transaction in this process; single-row round trips were
// even. postgres.js stays selectable (a development dependency) so the comparison can be re-run.
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { drizzle as drizzlePostgresJs } from 'drizzle-orm/postgres-js';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import type { Orm, Queryable, Tables, VaxpassDatabase } from '../store.ts';
import { migratePostgres } from './migrate.ts';
import { pooledTransaction } from './pooled-transaction.ts';
import * as pgSchema from './schema.ts';

export type PostgresDriver = 'postgres.js' | 'pg';

export interface OpenPostgresOptions {
  /** The schema holding vaxpass's tables (default "public"); tests use a fresh one each. */
  readonly schema?: string;
  /** Connections in this process's pool (default 10). */
  readonly poolSize?: number;
  readonly driver?: PostgresDriver;
  /** Apply pending migrations (default true). */
  readonly migrate?: boolean;
  /** Create vaxpass's tables in an empty schema (default true); false refuses with StoreRefusal. */
  readonly create?: boolean;
}

export interface PostgresDatabase extends VaxpassDatabase {
  readonly dialect: 'postgres';
  readonly schema: string;
}

// The pg-core tables have the same columns and value types as the SQLite ones (the drift test
// checks it), so query functions typed through the SQLite tables run on these unchanged.
const tables = pgSchema as unknown as Tables;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The URL with its `options` query parameter taken out, and that parameter's value (startup options such as `-c name=value`). */
export function withoutOptionsParameter(url: string): { connectionString: string; urlOptions: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { connectionString: url, urlOptions: '' };
  }
  const urlOptions = parsed.searchParams.get('options') ?? '';
  if (!parsed.searchParams.has('options')) return { connectionString: url, urlOptions };
  parsed.searchParams.delete('options');
  return { connectionString: parsed.toString(), urlOptions };
}

export async function openPostgres(url: string, options: OpenPostgresOptions = {}): Promise<PostgresDatabase> {
  const schema = options.schema ?? 'public';
  if (!SCHEMA_NAME.test(schema)) throw new TypeError('the PostgreSQL schema name must be lowercase letters, digits and _');
  const poolSize = options.poolSize ?? 10;
  const driver = options.driver ?? 'pg';
  let orm: PgDatabase<PgQueryResultHKT>;
  let end: () => Promise<void>;
  let transact: <T>(work: (tx: unknown) => Promise<T>) => Promise<T>;
  if (driver === 'pg') {
    // node-postgres lets an `options` parameter in the URL replace the pool's `options` wholesale, so
    // a DATABASE_URL carrying one (a statement timeout, say) would silently drop the schema: the
    // URL's settings come first and the schema's search_path last, which wins.
    const { connectionString, urlOptions } = withoutOptionsParameter(url);
    const pool = new pg.Pool({ connectionString, max: poolSize, options: [urlOptions, `-c search_path=${schema}`].filter(Boolean).join(' ') });
    // An idle pooled connection the server dropped must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    // The pool listens only on idle connections. A connection lost while checked out (the server
    // restarted, an operator's pg_terminate_backend) also emits 'error' on its client, which without
    // a listener would end the process; its query fails on its own and becomes a 503.
    pool.on('connect', (client) => void client.on('error', () => undefined));
    orm = drizzlePg({ client: pool, schema: pgSchema }) as unknown as PgDatabase<PgQueryResultHKT>;
    transact = (work) => pooledTransaction(pool, work);
    end = () => pool.end();
  } else {
    const { default: postgres } = await import('postgres');
    const client = postgres(url, { max: poolSize, connection: { search_path: schema }, onnotice: () => undefined });
    orm = drizzlePostgresJs({ client, schema: pgSchema }) as unknown as PgDatabase<PgQueryResultHKT>;
    const postgresJsOrm = orm;
    transact = (work) => postgresJsOrm.transaction(work);
    end = () => client.end({ timeout: 5 });
  }
  try {
    if (options.migrate !== false) await migratePostgres(orm, schema, { create: options.create, location: redact(url) });
  } catch (error) {
    await end();
    throw error;
  }
  let closed: Promise<void> | null = null;
  return {
    dialect: 'postgres',
    orm: orm as unknown as Orm,
    t: tables,
    schema,
    location: `${redact(url)} (schema ${schema})`,
    transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      return transact((tx) => work({ dialect: 'postgres', orm: tx as unknown as Orm, t: tables }));
    },
    // PostgreSQL shows a transaction to others only once its commit record is flushed
    // (synchronous_commit on, the default), so whatever a read sees is already durable.
    durable: () => Promise.resolve(),
    close: () => (closed ??= end()),
  };
}

/** The URL without its password, for logs and the start banner. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return `${u.protocol}//${u.username ? `${u.username}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return 'postgres://…';
  }
}
