// The store the configuration asks for: PostgreSQL when DATABASE_URL is set (several issuer
// processes on one database), else the embedded SQLite file at VAXPASS_DB (one process).
import type { ServerConfig } from '../server/config.ts';
import { openDatabase } from './open-database.ts';
import { openPostgres } from './postgres/open-postgres.ts';
import type { VaxpassDatabase } from './store.ts';

export async function openStore(config: Pick<ServerConfig, 'databasePath' | 'postgres'>): Promise<VaxpassDatabase> {
  if (config.postgres) return openPostgres(config.postgres.url, { schema: config.postgres.schema, poolSize: config.postgres.poolSize });
  return openDatabase(config.databasePath);
}
