// A real, migrated SQLite file in a fresh temp directory, removed by `cleanup()`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeDatabase, openDatabase, type VaxpassDatabase } from '../../src/db/open-database.ts';

export interface TestDatabase {
  readonly db: VaxpassDatabase;
  readonly path: string;
  readonly dir: string;
  cleanup(): void;
}

export function createTestDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'vaxpass-db-'));
  const path = join(dir, 'vaxpass.sqlite');
  const db = openDatabase(path);
  return {
    db,
    path,
    dir,
    cleanup() {
      closeDatabase(db);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
