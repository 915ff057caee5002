// Backups that are restored, not just taken: SQLite's online backup while the store is open, and
// pg_dump / pg_restore of the issuer's PostgreSQL schema (docs/operations.md "Backups").
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../src/db/open-database.ts';
import { appendAudit, readAuditLog } from '../../src/db/queries/audit-log.ts';
import { createPartner, findPartnerById } from '../../src/db/queries/partners.ts';
import { openPostgres, type PostgresDatabase } from '../../src/db/postgres/open-postgres.ts';
import { createTestDatabase, dropSchema, TEST_POSTGRES_URL, testDialect, type TestDatabase } from '../support/create-test-database.ts';

const run = promisify(execFile);
let t: TestDatabase;
beforeEach(async () => {
  t = await createTestDatabase();
  await t.db.transaction(async (tx) => {
    await createPartner(tx, { id: 'portal', name: 'Portal', now: 1, apiKey: 'vxp_backup-test-key' });
    for (let i = 0; i < 50; i++) await appendAudit(tx, { at: i, actor: 'system', action: 'bundle.published' });
  });
});
afterEach(() => t.cleanup());

const pgTools = ['/usr/bin/pg_dump', '/usr/bin/pg_restore'].every((p) => existsSync(p));

describe('backup and restore', () => {
  it.runIf(testDialect === 'sqlite')('SQLite: an online backup taken while the store is open restores every row', async () => {
    const copy = join(t.dir, 'backup.sqlite');
    // Writes keep coming while the backup runs; the copy is one consistent snapshot.
    const backup = (t.db as SqliteDatabase).client.backup(copy);
    await t.db.transaction((tx) => appendAudit(tx, { at: 999, actor: 'system', action: 'bundle.published' }));
    await backup;
    const restored = openDatabase(copy);
    try {
      expect(await findPartnerById(restored, 'portal')).toMatchObject({ id: 'portal', name: 'Portal' });
      const ats = (await readAuditLog(restored)).map((e) => e.at);
      expect(ats.slice(0, 50)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    } finally {
      await restored.close();
    }
  });

  describe.runIf(testDialect === 'postgres')('PostgreSQL', () => {
    if (!pgTools) it.skip('pg_dump / pg_restore are not installed: backup test skipped', () => {});
    it.runIf(pgTools)('pg_dump of the schema, the schema dropped, pg_restore: every row is back', async () => {
      const schema = (t.db as PostgresDatabase).schema;
      const file = join(t.dir, 'vaxpass.dump');
      await run('pg_dump', ['--format=custom', `--schema=${schema}`, `--file=${file}`, TEST_POSTGRES_URL]);
      await t.db.close();
      await dropSchema(schema);
      await run('pg_restore', ['--exit-on-error', `--dbname=${TEST_POSTGRES_URL}`, file]);
      const restored = await openPostgres(TEST_POSTGRES_URL, { schema, poolSize: 1 });
      try {
        expect(await findPartnerById(restored, 'portal')).toMatchObject({ id: 'portal', name: 'Portal' });
        expect((await readAuditLog(restored)).map((e) => e.at)).toEqual(Array.from({ length: 50 }, (_, i) => i));
        // The restored store takes writes (its identity sequences came back too).
        await restored.transaction((tx) => appendAudit(tx, { at: 50, actor: 'system', action: 'bundle.published' }));
      } finally {
        await restored.close();
      }
    });
  });
});
