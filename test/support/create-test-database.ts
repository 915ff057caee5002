// A real, migrated SQLite file in a fresh temp directory, removed by `cleanup()`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../src/db/open-database.ts';
import type { VaxpassDatabase } from '../../src/db/store.ts';

export interface TestDatabase {
  readonly db: VaxpassDatabase;
  readonly path: string;
  readonly dir: string;
  cleanup(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'vaxpass-db-'));
  const path = join(dir, 'vaxpass.sqlite');
  const db = openDatabase(path);
  return {
    db,
    path,
    dir,
    async cleanup() {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
