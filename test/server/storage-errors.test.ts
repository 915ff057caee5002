// Storage conditions reproduced for real and answered as 503 problems with Retry-After through the
// one error handler: a full SQLite file (PRAGMA max_page_count on the writer connection is a real
// SQLITE_FULL), a write lock held by another connection (SQLITE_BUSY), a damaged page on disk
// (SQLITE_CORRUPT); on PostgreSQL a statement timeout behind a lock (57014), a terminated backend
// (57P01, also every backend terminated mid-traffic), a deadlock (40P01), a read-only session
// (25006, what a hot standby answers) and a role out of connections (53300, CONNECTION LIMIT);
// test/server/postgres-server-faults.test.ts has those that need a server of the test's own. Readiness is false while the condition holds and comes back by itself once a
// write succeeds; the trust bundle endpoints keep serving the last good bundle.
import Database from 'better-sqlite3';
import { sql } from 'drizzle-orm';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { SqliteDatabase } from '../../src/db/open-database.ts';
import { openPostgres, type PostgresDatabase } from '../../src/db/postgres/open-postgres.ts';
import { storageFailureOf } from '../../src/db/storage-failure.ts';
import { initKeyDirectory, loadKeyDirectory } from '../../src/keys/key-directory.ts';
import { manualClock } from '../../src/server/clock.ts';
import { testConfig } from '../../src/server/config.ts';
import { createApp } from '../../src/server/create-app.ts';
import { createLogger } from '../../src/server/logger.ts';
import { dropSchema, freshSchemaName, TEST_POSTGRES_URL, testDialect } from '../support/create-test-database.ts';
import { ADMIN_TOKEN, createServerFixture, problemOf, type ServerFixture } from './support/server-fixture.ts';

const fixtures: ServerFixture[] = [];
afterEach(async () => {
  for (const f of fixtures.splice(0)) await f.cleanup();
});

/** A raw statement on the PostgreSQL store's (one) pooled connection. */
const execute = (db: PostgresDatabase, query: ReturnType<typeof sql>) => (db.orm as unknown as { execute(q: ReturnType<typeof sql>): Promise<unknown> }).execute(query);

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

async function readiness(f: { app: { request(path: string): Response | Promise<Response> } }): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await f.app.request('/readyz');
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe.runIf(testDialect === 'sqlite')('storage conditions on SQLite', () => {
  it('a full database: 503 STORAGE_FULL with Retry-After, never 500; unready while it holds; the last good bundle is still served; ready again by itself', async () => {
    const f = await createServerFixture();
    fixtures.push(f);
    const writer = (f.db as SqliteDatabase).client;
    expect((await f.partnerIssue({ personId: 'demo-0001' })).status).toBe(201);

    // The file may not grow by one more page: the next write that needs one fails with SQLITE_FULL.
    writer.pragma(`max_page_count = ${writer.pragma('page_count', { simple: true }) as number}`);
    const statuses: number[] = [];
    let full: Response | null = null;
    for (let i = 0; i < 200 && !full; i++) {
      const res = await f.partnerIssue({ personId: 'demo-0001' });
      statuses.push(res.status);
      if (res.status === 503) full = res;
    }
    expect(statuses.filter((s) => s !== 201 && s !== 503)).toEqual([]);
    expect(full).not.toBeNull();
    expect(full!.headers.get('retry-after')).toBe('30');
    const problem = await problemOf(full!);
    expect(problem).toMatchObject({ status: 503, code: 'STORAGE_FULL', type: 'https://vaxpass.dev/problems/storage-full' });

    const unready = await readiness(f);
    expect(unready.status).toBe(503);
    expect(unready.body).toMatchObject({ code: 'NOT_READY', storage: 'full' });
    expect(unready.body.detail).toContain('SQLITE_FULL');

    const metrics = await (await f.app.request('/metrics')).text();
    expect(metrics).toMatch(/vaxpass_storage_errors_total\{kind="full",code="SQLITE_FULL"\} [1-9]/);
    expect(metrics).toMatch(/vaxpass_storage_healthy 0/);
    const logged = f.logs.filter((l) => l.includes('"storage error"'));
    expect(logged.length).toBeGreaterThan(0);
    expect(JSON.parse(logged[0]!)).toMatchObject({ kind: 'full', driverCode: 'SQLITE_FULL' });
    for (const line of f.logs) expect(line).not.toMatch(/Failed query|insert into/i);

    // A bundle refresh falls due while the disk is full: a bundle is served (the new one if its small
    // rows still fit in the file's free space — a write that succeeds — else the last good one; the
    // busy case below forces that).
    f.clock.advance(f.app.config.bundleRefreshSeconds + 60);
    expect((await f.app.request('/api/v1/trust-bundle')).status).toBe(200);

    // Space again (an operator freed the disk): readiness finds out with its own write probe.
    writer.pragma('max_page_count = 1073741823');
    await sleep(1100);
    expect((await readiness(f)).status).toBe(200);
    expect((await f.partnerIssue({ personId: 'demo-0001' })).status).toBe(201);
  }, 60_000);

  it('another connection holding the write lock: 503 STORAGE_BUSY with Retry-After 1, then writes succeed again', async () => {
    const f = await createServerFixture();
    fixtures.push(f);
    const bundleBefore = await f.fetchBundleText();
    const other = new Database(f.database.path);
    other.exec('BEGIN IMMEDIATE');
    try {
      // A bundle refresh falls due meanwhile; its write cannot happen either.
      f.clock.advance(f.app.config.bundleRefreshSeconds + 60);
      // The writer waits its busy timeout (5 s), then SQLite gives up with SQLITE_BUSY.
      const [res, bundle] = await Promise.all([f.partnerIssue({ personId: 'demo-0002' }), f.app.request('/api/v1/trust-bundle')]);
      // The trust bundle endpoints keep serving the last good bundle.
      expect(bundle.status).toBe(200);
      expect(await bundle.text()).toBe(bundleBefore);
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect((await problemOf(res)).code).toBe('STORAGE_BUSY');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect((await f.partnerIssue({ personId: 'demo-0002' })).status).toBe(201);
    expect((await readiness(f)).status).toBe(200);
    f.clock.advance(1); // a failed refresh is retried from the next second on
    expect(await f.fetchBundleText()).not.toBe(bundleBefore);
  }, 60_000);

  it('a damaged page on disk: 503 STORAGE_CORRUPT, not a 500, and readiness says so', async () => {
    const f = await createServerFixture();
    fixtures.push(f);
    const writer = (f.db as SqliteDatabase).client;
    writer.pragma('wal_checkpoint(TRUNCATE)');
    const pageSize = writer.pragma('page_size', { simple: true }) as number;
    const root = (writer.prepare("select rootpage from sqlite_master where name = 'people'").get() as { rootpage: number }).rootpage;
    // The reader connection has not read the registry yet, so it reads this page from the file.
    const fd = openSync(f.database.path, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, (root - 1) * pageSize);
    closeSync(fd);
    const res = await f.partnerIssue({ personId: 'demo-0003' });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('300');
    expect((await problemOf(res)).code).toBe('STORAGE_CORRUPT');
    const ready = await readiness(f);
    expect(ready.status).toBe(503);
    expect(ready.body.storage).toBe('corrupt');
  }, 60_000);
});

describe.runIf(testDialect === 'postgres')('storage conditions on PostgreSQL', () => {
  const schema = freshSchemaName();
  const dbs: PostgresDatabase[] = [];
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  let adminConnected: Promise<unknown> | null = null;
  const cleanups: (() => void)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups) cleanup();
    for (const db of dbs) await db.close();
    await admin.end().catch(() => undefined);
    await dropSchema(schema);
  });

  /**
   * An app on one pooled connection (so a session setting made on it is the app's), named so its
   * backends can be found; `pool` gives it more connections, or has them log in as another role.
   */
  async function startApp(name: string, pool: { size?: number; user?: string } = {}) {
    const applicationName = `vaxpass-storage-${name}-${schema}`;
    const url = new URL(TEST_POSTGRES_URL);
    if (pool.user) url.username = pool.user;
    url.searchParams.set('application_name', applicationName);
    // Another role's pool opens no connection at start: the schema was migrated by the owner.
    const db = await openPostgres(url.toString(), { schema, poolSize: pool.size ?? 1, ...(pool.user ? { migrate: false } : {}) });
    dbs.push(db);
    const keysDir = mkdtempSync(join(tmpdir(), 'vaxpass-storage-keys-'));
    cleanups.push(() => rmSync(keysDir, { recursive: true, force: true }));
    const clock = manualClock(new Date('2026-01-10T03:00:00Z'));
    await initKeyDirectory(keysDir, { now: Math.floor(clock.now().getTime() / 1000) - 86_400 });
    const logs: string[] = [];
    const app = createApp({ db, signer: loadKeyDirectory(keysDir), clock, config: testConfig({ adminToken: ADMIN_TOKEN }), logger: createLogger('debug', (l) => void logs.push(l)) });
    const createPartner = (id: string) =>
      app.request('/api/v1/admin/partners', { method: 'POST', headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ id: `${name}-${id}`, name: 'Clinic' }) });
    await (adminConnected ??= admin.connect());
    return { db, app, logs, createPartner, applicationName, waitingBackend: () => waitingBackend(applicationName) };
  }

  /**
   * What every storage condition leads to: the mapped 503 problem with its Retry-After, the driver's
   * code logged without the statement or its values, and readiness 503 naming the kind and the code.
   */
  async function expectStorageCondition(res: Response, app: { request(path: string): Response | Promise<Response> }, logs: string[], want: { code: string; retryAfter: string; kind: string; driverCode: string; partnerId: string }) {
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe(want.retryAfter);
    expect((await problemOf(res)).code).toBe(want.code);
    expect(loggedCode(logs)).toContainEqual({ kind: want.kind, driverCode: want.driverCode });
    for (const line of logs) expect(line).not.toMatch(new RegExp(`Failed query|insert into|${want.partnerId}`, 'i'));
    const unready = await readiness({ app });
    expect(unready.status).toBe(503);
    expect(unready.body).toMatchObject({ code: 'NOT_READY', storage: want.kind });
    expect(unready.body.detail).toContain(want.driverCode);
  }

  /** The partner ids whose row, and those whose `partner.created` audit record, the schema holds. */
  async function keptPartners(prefix: string): Promise<{ rows: string[]; audited: string[] }> {
    const rows = await admin.query<{ id: string }>(`select id from "${schema}".partners where id like $1 order by id`, [`${prefix}%`]);
    const audit = await admin.query<{ detail: string }>(`select detail from "${schema}".audit_log where action = 'partner.created'`);
    const audited = audit.rows.map((r) => (JSON.parse(r.detail) as { partner: string }).partner).filter((id) => id.startsWith(prefix));
    return { rows: rows.rows.map((r) => r.id), audited: audited.sort() };
  }

  async function waitingBackend(applicationName: string): Promise<number> {
    for (let i = 0; i < 200; i++) {
      const { rows } = await admin.query<{ pid: number }>("select pid from pg_stat_activity where application_name = $1 and wait_event_type = 'Lock'", [applicationName]);
      if (rows[0]) return rows[0].pid;
      await sleep(25);
    }
    throw new Error('the request never waited on the lock');
  }

  /** What each `storage error` log line says: kind and driver code only. */
  const loggedCode = (logs: string[]) =>
    logs
      .filter((l) => l.includes('"storage error"'))
      .map((l) => {
        const { kind, driverCode } = JSON.parse(l) as { kind: string; driverCode: string };
        return { kind, driverCode };
      });

  it('a statement timeout behind a lock is 503 STORAGE_BUSY; a terminated backend is 503 STORAGE_UNAVAILABLE; unready until a write succeeds', async () => {
    const { db, app, logs, createPartner, waitingBackend } = await startApp('lock');
    expect((await createPartner('before')).status).toBe(201);

    await admin.query('begin');
    await admin.query(`lock table "${schema}".partners in access exclusive mode`);
    await execute(db, sql`set statement_timeout = 300`);
    const busy = await createPartner('busy');
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('1');
    expect((await problemOf(busy)).code).toBe('STORAGE_BUSY');
    expect(loggedCode(logs)).toContainEqual({ kind: 'busy', driverCode: '57014' });

    await execute(db, sql`set statement_timeout = 0`);
    const pending = createPartner('terminated');
    await admin.query('select pg_terminate_backend($1)', [await waitingBackend()]);
    const lost = await pending;
    expect(lost.status).toBe(503);
    expect(lost.headers.get('retry-after')).toBe('5');
    expect((await problemOf(lost)).code).toBe('STORAGE_UNAVAILABLE');
    // node-postgres reports the FATAL 57P01 as the connection ending under the query.
    expect(logs.some((l) => /"kind":"unavailable","driverCode":"(57P01|CONNECTION_LOST)"/.test(l))).toBe(true);

    // Nothing else writes: readiness's own write probe finds the database back.
    await admin.query('rollback');
    await sleep(1100);
    expect((await readiness({ app })).status).toBe(200);
    expect((await createPartner('after')).status).toBe(201);
    await app.close();
  }, 60_000);

  it('a deadlock (40P01) is 503 STORAGE_BUSY with Retry-After 1, nothing of the request is kept, and the retry succeeds', async () => {
    const { app, logs, createPartner, waitingBackend } = await startApp('deadlock');
    // The admin endpoint inserts the partner, then its audit record. Another session holds the audit
    // log and then asks for the partners table the request already writes to: a lock cycle. Its own
    // deadlock check waits longer, so PostgreSQL aborts the request's transaction, not the other.
    await admin.query('begin');
    await admin.query("set local deadlock_timeout = '10s'");
    await admin.query(`lock table "${schema}".audit_log in access exclusive mode`);
    const pending = createPartner('cycle');
    await waitingBackend();
    const other = admin.query(`lock table "${schema}".partners in share mode`);
    const res = await pending;
    await other;
    await admin.query('rollback');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect((await problemOf(res)).code).toBe('STORAGE_BUSY');
    expect(loggedCode(logs).map((l) => l.driverCode)).toContain('40P01');
    for (const line of logs) expect(line).not.toMatch(/Failed query|insert into|deadlock-cycle/i);
    // The partner row went with the aborted transaction: the same request again creates it.
    expect((await createPartner('cycle')).status).toBe(201);
    await app.close();
  }, 60_000);

  it('a read-only server (default_transaction_read_only, as on a hot standby: 25006) is 503 STORAGE_UNAVAILABLE; unready while it holds, ready by itself once writable', async () => {
    const { db, app, logs, createPartner } = await startApp('readonly');
    expect((await createPartner('before')).status).toBe(201);
    await execute(db, sql`set default_transaction_read_only = on`);
    await expectStorageCondition(await createPartner('refused'), app, logs, { code: 'STORAGE_UNAVAILABLE', retryAfter: '5', kind: 'unavailable', driverCode: '25006', partnerId: 'readonly-refused' });
    const metrics = await (await app.request('/metrics')).text();
    expect(metrics).toMatch(/vaxpass_storage_errors_total\{kind="unavailable",code="25006"\} [1-9]/);
    // Still read-only: the readiness probe's write fails the same way.
    await sleep(1100);
    expect((await readiness({ app })).status).toBe(503);

    // Writable again (the primary is back): the probe's write commits.
    await execute(db, sql`set default_transaction_read_only = off`);
    await sleep(1100);
    expect((await readiness({ app })).status).toBe(200);
    expect((await createPartner('refused')).status).toBe(201);
    await app.close();
  }, 60_000);

  it('a full disk under the tables (53100: their tablespace on a full tmpfs) is 503 STORAGE_FULL with Retry-After 30, unready, nothing kept; ready by itself once there is room', async (ctx) => {
    const { app, logs, createPartner } = await startApp('full');
    expect((await createPartner('before')).status).toBe(201);
    // A tablespace on a 1 MiB tmpfs holds the audit log and the readiness probe's table; the WAL
    // and every other table stay on the server's own disk, so only these writes can fail.
    const space = mkdtempSync(join(tmpdir(), 'vaxpass-pg-full-'));
    const tablespace = `vaxpass_full_${schema}`;
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', space], { stdio: 'ignore' });
      execFileSync('chown', ['postgres:postgres', space], { stdio: 'ignore' });
      execFileSync('chmod', ['700', space], { stdio: 'ignore' });
      await admin.query(`create tablespace ${tablespace} location '${space}'`);
    } catch {
      console.warn('[storage conditions on PostgreSQL] 53100 skipped: cannot mount a tmpfs for a tablespace of the local PostgreSQL server here');
      rmSync(space, { recursive: true, force: true });
      await app.close();
      ctx.skip();
      return;
    }
    try {
      await admin.query(`truncate "${schema}".storage_probe`);
      for (const table of ['audit_log', 'storage_probe']) await admin.query(`alter table "${schema}".${table} set tablespace ${tablespace}`);
      // Fill the audit log until the file system is full: the next page any of them needs cannot be had.
      let filled = false;
      for (let i = 0; i < 1000 && !filled; i++) {
        await admin.query(`insert into "${schema}".audit_log (at, actor, action, detail) select 0, 'filler', 'filler', md5(random()::text) from generate_series(1, 2000)`).catch((error: { code?: string }) => {
          if (error.code !== '53100') throw error;
          filled = true;
        });
      }
      expect(filled).toBe(true);

      await expectStorageCondition(await createPartner('refused'), app, logs, { code: 'STORAGE_FULL', retryAfter: '30', kind: 'full', driverCode: '53100', partnerId: 'full-refused' });
      expect(await keptPartners('full-')).toEqual({ rows: ['full-before'], audited: ['full-before'] });

      // The operator adds room: the readiness probe's write commits, and so does the request.
      execFileSync('mount', ['-o', 'remount,size=8m', space], { stdio: 'ignore' });
      await sleep(1100);
      expect((await readiness({ app })).status).toBe(200);
      expect((await createPartner('refused')).status).toBe(201);
      await app.close();
    } finally {
      for (const table of ['audit_log', 'storage_probe']) await admin.query(`alter table "${schema}".${table} set tablespace pg_default`);
      await admin.query(`drop tablespace ${tablespace}`);
      execFileSync('umount', [space], { stdio: 'ignore' });
      rmSync(space, { recursive: true, force: true });
    }
  }, 60_000);

  it('too many connections for the role (53300): 503 STORAGE_UNAVAILABLE with Retry-After, unready, nothing kept; back by itself once a connection is free', async () => {
    // The schema and its tables, made by their owner (this test may run alone).
    await (await startApp('limit-owner')).app.close();
    const role = `vaxpass_limited_${schema}`;
    await admin.query(`create role ${role} login connection limit 1`);
    try {
      await admin.query(`grant usage on schema "${schema}" to ${role}`);
      await admin.query(`grant all on all tables in schema "${schema}" to ${role}`);
      await admin.query(`grant all on all sequences in schema "${schema}" to ${role}`);
      const { db, app, logs, createPartner } = await startApp('limit', { size: 3, user: role });
      // Another session of the same role (a second issuer instance, an operator's psql) holds the one connection allowed.
      const roleUrl = new URL(TEST_POSTGRES_URL);
      roleUrl.username = role;
      const other = new pg.Client({ connectionString: roleUrl.toString() });
      await other.connect();
      try {
        await expectStorageCondition(await createPartner('refused'), app, logs, { code: 'STORAGE_UNAVAILABLE', retryAfter: '5', kind: 'unavailable', driverCode: '53300', partnerId: 'limit-refused' });
        // Still no connection to be had: the readiness probe's own write is refused the same way.
        await sleep(1100);
        expect((await readiness({ app })).status).toBe(503);
        expect(await keptPartners('limit-')).toEqual({ rows: [], audited: [] });
      } finally {
        await other.end();
      }

      await sleep(1100);
      expect((await readiness({ app })).status).toBe(200);
      expect((await createPartner('refused')).status).toBe(201);
      expect(await keptPartners('limit-')).toEqual({ rows: ['limit-refused'], audited: ['limit-refused'] });

      // The pool (3) is larger than the role allows (1): in a burst, each connection it cannot open
      // is the same 503, never a 500, and a request is kept whole or not at all.
      const burst = await Promise.all(Array.from({ length: 6 }, async (_, i) => ({ id: `limit-burst-${i}`, res: await createPartner(`burst-${i}`) })));
      for (const { res } of burst) {
        expect([201, 503]).toContain(res.status);
        if (res.status === 503) expect((await problemOf(res)).code).toBe('STORAGE_UNAVAILABLE');
      }
      const kept = await keptPartners('limit-');
      expect(kept.rows).toEqual(kept.audited);
      expect(kept.rows).toEqual(expect.arrayContaining(burst.filter((b) => b.res.status === 201).map((b) => b.id)));
      await app.close();
      await db.close();
    } finally {
      await admin.query(`drop owned by ${role}`);
      await admin.query(`drop role ${role}`);
    }
  }, 60_000);

  it("the issuer's backends terminated mid-traffic (57P01): every request is 201 or 503 STORAGE_UNAVAILABLE, never a 500; nothing half-kept; the next requests succeed", async () => {
    const { db, app, logs, createPartner, applicationName } = await startApp('terminate', { size: 4 });
    const answers: { id: string; status: number; code: string | null; retryAfter: string | null }[] = [];
    let stop = false;
    let next = 0;
    const client = async () => {
      while (!stop) {
        const id = `${next++}`;
        const res = await createPartner(id);
        answers.push({ id: `terminate-${id}`, status: res.status, code: res.status === 201 ? null : ((await res.json()) as { code: string }).code, retryAfter: res.headers.get('retry-after') });
      }
    };
    const clients = Array.from({ length: 4 }, client);
    let terminated = 0;
    // Often, so that some terminations land on a connection the pool is about to hand out.
    for (let round = 0; round < 16; round++) {
      await sleep(100);
      const { rows } = await admin.query<{ done: boolean }>('select pg_terminate_backend(pid) as done from pg_stat_activity where application_name = $1', [applicationName]);
      terminated += rows.filter((r) => r.done).length;
    }
    stop = true;
    const answered = await Promise.race([Promise.all(clients).then(() => true), sleep(15_000).then(() => false)]);
    expect(answered, 'a request never got an answer (the pool lost its connections)').toBe(true);

    expect(terminated).toBeGreaterThan(0);
    expect(answers.filter((a) => a.status === 201).length).toBeGreaterThan(0);
    expect(answers.filter((a) => !(a.status === 201 || (a.status === 503 && a.code === 'STORAGE_UNAVAILABLE' && a.retryAfter === '5')))).toEqual([]);
    for (const logged of loggedCode(logs)) expect(logged).toMatchObject({ kind: 'unavailable', driverCode: expect.stringMatching(/^(57P01|CONNECTION_LOST|ECONNRESET|EPIPE)$/) });
    for (const line of logs) expect(line).not.toMatch(/Failed query|insert into/i);
    // Each partner is kept with its audit record or not at all. A 503 may still have been kept: the
    // commit can reach the server before the connection goes, and then only its answer is lost.
    const kept = await keptPartners('terminate-');
    expect(kept.rows).toEqual(kept.audited);
    expect(kept.rows).toEqual(expect.arrayContaining(answers.filter((a) => a.status === 201).map((a) => a.id)));

    // The pool replaced the lost connections: the next requests succeed, and readiness is back.
    for (let i = 0; i < 5; i++) expect((await createPartner(`after-${i}`)).status).toBe(201);
    await sleep(1100);
    expect((await readiness({ app })).status).toBe(200);
    await app.close();
    // Every connection went back to the pool: closing the store (as at SIGTERM) does not wait for one forever.
    expect(await Promise.race([db.close().then(() => 'closed'), sleep(5_000).then(() => 'still waiting')])).toBe('closed');
  }, 60_000);
});

describe('storage failures are recognised by driver code only', () => {
  it.each([
    [{ code: 'SQLITE_FULL' }, 'full'],
    [{ code: 'SQLITE_IOERR_WRITE' }, 'full'],
    [{ code: 'SQLITE_BUSY_SNAPSHOT' }, 'busy'],
    [{ code: 'SQLITE_LOCKED' }, 'busy'],
    [{ code: 'SQLITE_CORRUPT_INDEX' }, 'corrupt'],
    [{ code: 'SQLITE_NOTADB' }, 'corrupt'],
    [{ code: '53100' }, 'full'],
    [{ code: '40001' }, 'busy'],
    [{ code: '40P01' }, 'busy'],
    [{ code: 'XX001' }, 'corrupt'],
    [{ code: 'XX002' }, 'corrupt'],
    [{ code: '55P03' }, 'busy'],
    [{ code: '57014' }, 'busy'],
    [{ code: '25006' }, 'unavailable'],
    [{ code: '53200' }, 'unavailable'],
    [{ code: '53300' }, 'unavailable'],
    [{ code: '57P01' }, 'unavailable'],
    [{ code: '57P02' }, 'unavailable'],
    [{ code: '57P03' }, 'unavailable'],
    [{ code: '57P05' }, 'unavailable'],
    [{ code: '58030' }, 'unavailable'],
    [{ code: '08006' }, 'unavailable'],
    [{ code: 'EPIPE' }, 'unavailable'],
    [new Error('Connection terminated unexpectedly'), 'unavailable'],
    [Object.assign(new Error('Failed query: insert …'), { cause: { code: '53100' } }), 'full'],
  ])('%o is %s', (error, kind) => {
    expect(storageFailureOf(error)?.kind).toBe(kind);
  });
  it.each([[{ code: '23505' }], [{ code: '22001' }], [{ code: '25P02' }], [{ code: '42P01' }], [{ code: 'SQLITE_CONSTRAINT_UNIQUE' }], [new TypeError('x')], [null], ['SQLITE_FULL']])('%o is not a storage condition', (error) => {
    expect(storageFailureOf(error)).toBeNull();
  });
});
