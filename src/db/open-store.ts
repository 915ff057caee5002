// The store the configuration asks for: PostgreSQL when DATABASE_URL is set (several issuer
// processes on one database), else the embedded SQLite file at VAXPASS_DB (one process).
//
// This is the issuer's start, so it refuses what the issuer must not run on (StoreRefusal, one
// line each): a missing or empty database unless a fresh start was confirmed, a schema from a newer
// release, a SQLite file that fails its integrity check or that another process is writing.
import { resolve } from 'node:path';
import type { ServerConfig } from '../server/config.ts';
import { migrateSqlite, openDatabase, sqliteDatabaseState } from './open-database.ts';
import { openPostgres } from './postgres/open-postgres.ts';
import { quickCheck } from './quick-check.ts';
import { StoreRefusal } from './store-refusal.ts';
import type { VaxpassDatabase } from './store.ts';
import { acquireWriterLock } from './writer-lock.ts';

export type StoreConfig = Pick<ServerConfig, 'databasePath' | 'postgres' | 'initDatabase' | 'integrityCheckBudgetMs'>;

export interface OpenStoreOptions {
  /** What to say when the start goes on without something it would have liked (an integrity check that did not finish). */
  readonly warn?: (message: string) => void;
  /** Told to the operator when another process holds the SQLite file (what to do instead). */
  readonly lockHint?: string;
  /**
   * A short-lived command beside a running issuer (reads and one small audit write, which SQLite's
   * own locking and busy timeout serialise): no writer lock and no integrity check. Never for a
   * server or a long write.
   */
  readonly besideIssuer?: boolean;
}

export const FRESH_START_HINT = "outside dev mode a new database is an operator's act";

export async function openStore(config: StoreConfig, options: OpenStoreOptions = {}): Promise<VaxpassDatabase> {
  if (config.postgres) return openPostgres(config.postgres.url, { schema: config.postgres.schema, poolSize: config.postgres.poolSize, create: config.initDatabase });
  const path = config.databasePath;
  if (path === ':memory:') return openDatabase(path);
  if (!config.initDatabase) {
    const state = sqliteDatabaseState(path);
    if (state !== 'initialised') {
      throw new StoreRefusal(
        `${resolve(path)} ${state === 'missing' ? 'does not exist' : 'has no vaxpass tables'}; ${FRESH_START_HINT}: if this is a fresh start, run \`vaxpass db init --db ${path}\` (or start once with --init-database), else check the path, the volume and the restore`,
      );
    }
  }
  if (options.besideIssuer) {
    const db = openDatabase(path, { migrate: false });
    try {
      migrateSqlite(db.client, path);
    } catch (error) {
      await db.close();
      throw error;
    }
    return db;
  }
  const lock = acquireWriterLock(path, options.lockHint ?? 'one SQLite file has one writer: stop the other process first (several instances need PostgreSQL, DATABASE_URL)');
  try {
    const db = openDatabase(path, { migrate: false });
    try {
      const check = await quickCheck(path, config.integrityCheckBudgetMs);
      if (check.status === 'damaged') {
        throw new StoreRefusal(`${resolve(path)} failed its integrity check (PRAGMA quick_check: ${check.problem.slice(0, 200)}); restore the last backup (docs/operations.md "Backups")`);
      }
      if (check.status === 'skipped') options.warn?.(`integrity check of ${resolve(path)} skipped: ${check.reason}`);
      migrateSqlite(db.client, path);
    } catch (error) {
      await db.close();
      throw error;
    }
    const close = db.close.bind(db);
    return Object.assign(db, {
      async close() {
        await close();
        lock.release();
      },
    });
  } catch (error) {
    lock.release();
    throw error;
  }
}
