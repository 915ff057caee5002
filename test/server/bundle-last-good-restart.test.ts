// The last good trust bundle survives a restart on storage that cannot be written (issue 8): an
// issuer that starts while its SQLite file is full, or read-only, cannot publish the version that
// has fallen due; it serves the stored, still-valid latest version (the very bytes scanners hold,
// re-derived from the database) and its revocation deltas, while /readyz reports the storage
// condition. Once writes succeed again it publishes a newer version; versions never go backwards
// and never repeat with other content. Reproduced for real: a new app (fresh publisher, as after a
// restart) on a new connection to the file, whose writer has `PRAGMA query_only` (SQLITE_READONLY)
// or a `max_page_count` with every page filled (SQLITE_FULL); on PostgreSQL a new pool of one
// connection to the same schema, read-only from its start (25006, what a hot standby answers).
import type Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../src/db/open-database.ts';
import { openPostgres } from '../../src/db/postgres/open-postgres.ts';
import type { VaxpassDatabase } from '../../src/db/store.ts';
import { watchedKeyDirectory } from '../../src/server/issuer-keys.ts';
import { createApp, type VaxpassApp } from '../../src/server/create-app.ts';
import { createLogger } from '../../src/server/logger.ts';
import { TEST_POSTGRES_URL, testDialect } from '../support/create-test-database.ts';
import { ADMIN_TOKEN, createServerFixture, type ServerFixture } from './support/server-fixture.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

/** The published bundle and a revocation delta, before the restart. */
async function publishTwoVersions(f: ServerFixture): Promise<{ version: number; text: string; etag: string; delta: string; since: number }> {
  const first = await f.app.request('/api/v1/trust-bundle');
  const since = Number(first.headers.get('x-bundle-version'));
  const issued = (await (await f.partnerIssue({ personId: 'demo-0001' })).json()) as { passId: string };
  expect((await f.admin('/revocations/passes', { passId: issued.passId, reason: 'test' })).status).toBe(201);
  const second = await f.app.request('/api/v1/trust-bundle');
  const version = Number(second.headers.get('x-bundle-version'));
  expect(version).toBeGreaterThan(since);
  const delta = await f.app.request(`/api/v1/trust-bundle/revocations?since=${since}`);
  expect(delta.status).toBe(200);
  return { version, text: await second.text(), etag: second.headers.get('etag')!, delta: await delta.text(), since };
}

interface Restarted {
  readonly app: VaxpassApp;
  readonly db: VaxpassDatabase;
  readonly logs: string[];
  /** Makes the restarted issuer's connection writable again (an operator remounting the volume, the standby promoted). */
  writable(): Promise<void>;
}

/**
 * A new app on a new connection to the same database: what a restarted issuer process is. Read-only:
 * on SQLite `PRAGMA query_only` on the new writer (the file must open first); on PostgreSQL a pool of
 * one connection that is read-only from its first statement, so the start itself (the migration
 * check) meets a read-only server, as on a hot standby.
 */
async function restart(f: ServerFixture, options: { readOnly: boolean }): Promise<Restarted> {
  const schema = f.database.env.VAXPASS_PG_SCHEMA!;
  // Connection options in the URL replace the pool's, so the search path goes along.
  const readOnlyUrl = `${TEST_POSTGRES_URL}?options=${encodeURIComponent(`-c search_path=${schema} -c default_transaction_read_only=on`)}`;
  const db = testDialect === 'sqlite' ? openDatabase(f.database.path) : await openPostgres(options.readOnly ? readOnlyUrl : TEST_POSTGRES_URL, { schema, poolSize: 1 });
  cleanups.push(() => db.close());
  if (options.readOnly && db.dialect === 'sqlite') (db as SqliteDatabase).client.pragma('query_only = ON');
  const logs: string[] = [];
  const app = createApp({ db, signer: watchedKeyDirectory(f.keysDir, 0), clock: f.clock, config: { ...f.app.config, adminToken: ADMIN_TOKEN }, logger: createLogger('debug', (line) => void logs.push(line)) });
  cleanups.push(() => app.close());
  const writable = async () => {
    if (db.dialect === 'sqlite') (db as SqliteDatabase).client.pragma('query_only = OFF');
    // A session setting on the pool's one connection overrides the one it connected with.
    else await (db.orm as unknown as { execute(q: ReturnType<typeof sql>): Promise<unknown> }).execute(sql`set default_transaction_read_only = off`);
  };
  return { app, db, logs, writable };
}

const READ_ONLY_CODE = testDialect === 'sqlite' ? 'SQLITE_READONLY' : '25006';

/** Fills the file up to `max_page_count` so that no further row fits anywhere: every write then fails with SQLITE_FULL. */
function fillFile(writer: Database.Database): void {
  writer.exec('create table if not exists filler (pad blob)');
  writer.pragma(`max_page_count = ${writer.pragma('page_count', { simple: true }) as number}`);
  const fill = (table: string, column: string, statement: string) => {
    // Rows of shrinking size take the free pages, then the room left in every table's last page.
    for (const size of [8192, 2048, 512, 128, 32, 8, 1, 0]) {
      for (;;) {
        try {
          writer.prepare(statement).run(Buffer.alloc(size), Buffer.alloc(size).toString('hex'));
        } catch (error) {
          if ((error as { code?: string }).code === 'SQLITE_FULL') break;
          throw new Error(`filling ${table}.${column}: ${String(error)}`);
        }
      }
    }
  };
  fill('filler', 'pad', 'insert into filler (pad) select ? where ? is not null');
  // What a publication writes besides bundle_versions (whose new row would go past the last one): the audit log.
  fill('audit_log', 'detail', "insert into audit_log (at, actor, action, detail) select 0, 'filler', 'filler', ? || ? ");
}

describe('the last good bundle across a restart on unwritable storage', () => {
  // A full file is provoked on SQLite only (a full disk under PostgreSQL cannot be made for one schema).
  for (const condition of testDialect === 'sqlite' ? (['read-only', 'full'] as const) : (['read-only'] as const)) {
    it(`${condition}: the stored bundle and its deltas are served as they were, /readyz says why, and a newer version follows once writes succeed`, async () => {
      const f = await createServerFixture();
      cleanups.push(() => f.cleanup());
      const before = await publishTwoVersions(f);

      const restarted = await restart(f, { readOnly: condition === 'read-only' });
      if (condition === 'full') fillFile((restarted.db as SqliteDatabase).client);
      // A new version falls due (refresh period over) just as the restarted issuer meets its first request.
      f.clock.advance(f.app.config.bundleRefreshSeconds + 60);

      const served = await restarted.app.request('/api/v1/trust-bundle');
      expect(served.status).toBe(200);
      expect(Number(served.headers.get('x-bundle-version'))).toBe(before.version);
      expect(served.headers.get('etag')).toBe(before.etag);
      expect(await served.text()).toBe(before.text);
      const delta = await restarted.app.request(`/api/v1/trust-bundle/revocations?since=${before.since}`);
      expect(delta.status).toBe(200);
      expect(await delta.text()).toBe(before.delta);
      expect((await restarted.app.request('/api/v1/trust-bundle', { headers: { 'If-None-Match': before.etag } })).status).toBe(304);

      const ready = await restarted.app.request('/readyz');
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ code: 'NOT_READY', storage: condition === 'full' ? 'full' : 'unavailable' });
      const warned = restarted.logs.filter((l) => l.includes('serving the last good version'));
      expect(warned.length).toBeGreaterThan(0);
      expect(JSON.parse(warned[0]!)).toMatchObject({ version: before.version, code: condition === 'full' ? 'SQLITE_FULL' : READ_ONLY_CODE });

      // Writes succeed again (space freed, the volume remounted read-write): a newer version, never an older one.
      if (condition === 'read-only') await restarted.writable();
      else {
        (restarted.db as SqliteDatabase).client.exec('drop table filler');
        (restarted.db as SqliteDatabase).client.pragma('max_page_count = 1073741823');
      }
      await sleep(1100);
      expect((await restarted.app.request('/readyz')).status).toBe(200);
      f.clock.advance(1);
      const next = await restarted.app.request('/api/v1/trust-bundle');
      expect(next.status).toBe(200);
      expect(Number(next.headers.get('x-bundle-version'))).toBeGreaterThan(before.version);
    }, 60_000);
  }

  it('a stored bundle that has expired is not served: the bundle endpoint answers the storage problem', async () => {
    const f = await createServerFixture();
    cleanups.push(() => f.cleanup());
    await publishTwoVersions(f);
    const restarted = await restart(f, { readOnly: true });
    f.clock.advance(f.app.config.bundleLifetimeSeconds + 1);
    const res = await restarted.app.request('/api/v1/trust-bundle');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).not.toBeNull();
    expect(((await res.json()) as { code: string }).code).toBe('STORAGE_UNAVAILABLE');
  });

  it('a stored version whose inputs changed since (a new keyring) is not re-signed under its number: nothing rather than other bytes', async () => {
    const f = await createServerFixture();
    cleanups.push(() => f.cleanup());
    const before = await publishTwoVersions(f);
    const restarted = await restart(f, { readOnly: true });
    // Other rules than those version `before.version` was signed with: its bytes cannot be re-derived.
    const other = createApp({ db: restarted.db, signer: watchedKeyDirectory(f.keysDir, 0), clock: f.clock, config: { ...f.app.config, rules: { ...f.app.config.rules, clockSkewSeconds: f.app.config.rules.clockSkewSeconds + 1 } } });
    cleanups.push(() => other.close());
    const res = await other.request('/api/v1/trust-bundle');
    expect(res.status).toBe(503);
    expect(res.headers.get('x-bundle-version')).not.toBe(String(before.version));
  });
});
