// vaxpass db init: the operator's confirmation that a database is new. Outside dev mode the issuer
// refuses to start on a missing or empty database (a wrong path, an unmounted volume or a failed
// restore would otherwise start over with no partners and no revocations); this creates it and
// applies the migrations. On a database that exists it applies pending migrations and changes nothing else.
import type { Command } from 'commander';
import { openStore } from '../../db/open-store.ts';
import { sqliteDatabaseState } from '../../db/open-database.ts';
import { ConfigError, postgresConfig } from '../../server/config.ts';
import type { CliContext } from '../support/cli-io.ts';
import { commandAt, withExamples } from '../support/command-tree.ts';
import { CliError } from '../support/exit-codes.ts';
import { DEFAULT_DATABASE_PATH } from './registry-import.ts';

interface DbInitOptions {
  readonly db: string;
}

export function registerDbInit(program: Command, ctx: CliContext): void {
  const command = commandAt(program, 'db init')
    .summary('create a new, empty issuer database (a fresh start)')
    .description(
      'Create the issuer database and apply the migrations: the SQLite file at --db, or the PostgreSQL schema of ' +
        'DATABASE_URL and VAXPASS_PG_SCHEMA when DATABASE_URL is set. Outside dev mode the issuer refuses to start on a ' +
        'missing or empty database until this has been run (or it is started once with --init-database). ' +
        'Run it with the issuer stopped; on an existing database it only applies pending migrations.',
    )
    .option('--db <path>', 'SQLite database (env VAXPASS_DB)', DEFAULT_DATABASE_PATH)
    .action(async (options: DbInitOptions) => {
      let postgres;
      try {
        postgres = postgresConfig(process.env);
      } catch (error) {
        throw new CliError(error instanceof ConfigError ? error.message : String(error));
      }
      const existed = postgres ? null : sqliteDatabaseState(options.db) === 'initialised';
      let db;
      try {
        db = await openStore({ databasePath: options.db, postgres, initDatabase: true, integrityCheckBudgetMs: 60_000 }, { lockHint: 'stop the issuer first' });
      } catch (error) {
        throw new CliError(`cannot initialise the database: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      }
      const location = db.location;
      await db.close();
      ctx.io.stdout(existed ? `already initialised: ${location} (pending migrations applied)\n` : `database ready: ${location}\n`);
    });
  withExamples(command, ['vaxpass db init --db /var/lib/vaxpass/vaxpass.sqlite', 'DATABASE_URL=postgres://issuer@db/vaxpass vaxpass db init']);
}
