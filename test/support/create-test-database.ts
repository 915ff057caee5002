// A real, migrated store for one test: a SQLite file in a fresh temp directory, or — when the
// suite runs as the PostgreSQL project (VAXPASS_TEST_DB=postgres, see vitest.config.ts) — a fresh
// schema on the test PostgreSQL server. `cleanup()` removes either.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type OpenDatabaseOptions } from '../../src/db/open-database.ts';
import { openPostgres } from '../../src/db/postgres/open-postgres.ts';
import type { Dialect, VaxpassDatabase } from '../../src/db/store.ts';

export const TEST_POSTGRES_URL = process.env.VAXPASS_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** The dialect this test run uses. */
export const testDialect: Dialect = process.env.VAXPASS_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

export interface TestDatabase {
  readonly db: VaxpassDatabase;
  /** The SQLite file (SQLite runs only). */
  readonly path: string;
  readonly dir: string;
  /** Environment that points a server process at this same database (VAXPASS_DB, or DATABASE_URL and VAXPASS_PG_SCHEMA). */
  readonly env: Readonly<Record<string, string>>;
  cleanup(): Promise<void>;
}

/** `sqlite`: options for the SQLite store (a held-back WAL sync); PostgreSQL ignores them. */
export async function createTestDatabase(dialect: Dialect = testDialect, sqlite: OpenDatabaseOptions = {}): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'vaxpass-db-'));
  const path = join(dir, 'vaxpass.sqlite');
  if (dialect === 'sqlite') {
    const db = openDatabase(path, sqlite);
    return {
      db,
      path,
      dir,
      env: { VAXPASS_DB: path },
      async cleanup() {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = freshSchemaName();
  const db = await openPostgres(TEST_POSTGRES_URL, { schema, poolSize: 4 });
  return {
    db,
    path,
    dir,
    env: { DATABASE_URL: TEST_POSTGRES_URL, VAXPASS_PG_SCHEMA: schema },
    async cleanup() {
      await db.close();
      await dropSchema(schema);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function freshSchemaName(): string {
  return `test_${process.pid}_${randomBytes(4).toString('hex')}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
