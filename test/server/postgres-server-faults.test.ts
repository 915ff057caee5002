// PostgreSQL server conditions that cannot be made on the shared test server, made for real on a
// private one (test/support/private-postgres.ts): a server that takes no connections because it is
// a standby in the middle of a failover (57P03); another server process crashing, so the postmaster
// ends every session and replays its WAL; a damaged table page (XX001). Each is answered as the
// mapped 503 problem, never a 500; nothing of the request is kept; readiness says which condition
// holds and comes back by itself when it is over. test/server/storage-errors.test.ts has the
// conditions the shared server can produce.
import pg from 'pg';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres, type PostgresDatabase } from '../../src/db/postgres/open-postgres.ts';
import { initKeyDirectory, loadKeyDirectory } from '../../src/keys/key-directory.ts';
import { manualClock } from '../../src/server/clock.ts';
import { testConfig } from '../../src/server/config.ts';
import { createApp } from '../../src/server/create-app.ts';
import { createLogger } from '../../src/server/logger.ts';
import { testDialect } from '../support/create-test-database.ts';
import { createPrivatePostgres, privatePostgresUnavailable, type PrivatePostgres } from '../support/private-postgres.ts';
import { ADMIN_TOKEN, problemOf } from './support/server-fixture.ts';

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
const unavailable = testDialect === 'postgres' ? privatePostgresUnavailable() : null;
if (unavailable) process.stderr.write(`test/server/postgres-server-faults.test.ts SKIPPED: ${unavailable}\n`);

describe.runIf(testDialect === 'postgres' && !unavailable)('PostgreSQL server conditions on a private server', () => {
  let server: PrivatePostgres;
  const keysDir = mkdtempSync(join(tmpdir(), 'vaxpass-pg-faults-keys-'));
  const clock = manualClock(new Date('2026-01-10T03:00:00Z'));
  const open: { db: PostgresDatabase; app: { close(): Promise<void> } }[] = [];

  beforeAll(async () => {
    server = await createPrivatePostgres();
    server.start();
    await initKeyDirectory(keysDir, { now: Math.floor(clock.now().getTime() / 1000) - 86_400 });
    // Migrated once by its owner, as a deployment does before the issuers start.
    await (await openPostgres(server.url, { poolSize: 1 })).close();
  }, 120_000);
  afterAll(async () => {
    for (const { app, db } of open.splice(0)) {
      await app.close();
      await db.close();
    }
    server?.cleanup();
    rmSync(keysDir, { recursive: true, force: true });
  });

  /** An issuer app on the private server that opens no connection until its first request. */
  async function startApp() {
    const db = await openPostgres(server.url, { poolSize: 2, migrate: false });
    const logs: string[] = [];
    const app = createApp({ db, signer: loadKeyDirectory(keysDir), clock, config: testConfig({ adminToken: ADMIN_TOKEN }), logger: createLogger('debug', (l) => void logs.push(l)) });
    open.push({ db, app });
    const createPartner = (id: string) =>
      app.request('/api/v1/admin/partners', { method: 'POST', headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ id, name: 'Clinic' }) });
    const readiness = async () => {
      const res = await app.request('/readyz');
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    return { db, app, logs, createPartner, readiness };
  }

  /** Runs `work` with a raw session on the private server. */
  async function withSession<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: server.url });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  const partnerIds = () => withSession(async (c) => (await c.query<{ id: string }>('select id from partners order by id')).rows.map((r) => r.id));
  const auditedPartners = () =>
    withSession(async (c) => (await c.query<{ detail: string }>("select detail from audit_log where action = 'partner.created'")).rows.map((r) => (JSON.parse(r.detail) as { partner: string }).partner).sort());

  /** The storage error lines: kind and driver code only, never the statement or its values. */
  const loggedCodes = (logs: string[]) =>
    logs
      .filter((l) => l.includes('"storage error"'))
      .map((l) => {
        expect(l).not.toMatch(/Failed query|insert into|select /i);
        const { kind, driverCode } = JSON.parse(l) as { kind: string; driverCode: string };
        return { kind, driverCode };
      });

  it('a standby that takes no connections, as in the middle of a failover (57P03): 503 STORAGE_UNAVAILABLE with Retry-After, unready naming 57P03, nothing kept; promoted, ready by itself and writes succeed', async () => {
    server.stop();
    server.start({ standby: true });
    const { logs, createPartner, readiness } = await startApp();

    const refused = await createPartner('standby-refused');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect((await problemOf(refused)).code).toBe('STORAGE_UNAVAILABLE');
    expect(loggedCodes(logs)).toContainEqual({ kind: 'unavailable', driverCode: '57P03' });
    const unready = await readiness();
    expect(unready.status).toBe(503);
    expect(unready.body).toMatchObject({ code: 'NOT_READY', storage: 'unavailable' });
    expect(unready.body.detail).toContain('57P03');

    server.promote();
    await sleep(1100);
    expect((await readiness()).status).toBe(200);
    expect((await createPartner('standby-after')).status).toBe(201);
    expect(await partnerIds()).toEqual(['standby-after']);
    expect(await auditedPartners()).toEqual(['standby-after']);
  }, 60_000);

  it('another server process crashes while a request waits in the database (the postmaster ends every session and recovers): 503 STORAGE_UNAVAILABLE, never a 500, nothing kept; ready by itself after recovery', async () => {
    const { logs, createPartner, readiness } = await startApp();
    expect((await createPartner('crash-before')).status).toBe(201);

    // A session that holds the partners table, so the next request waits inside the server.
    const holder = new pg.Client({ connectionString: server.url });
    holder.on('error', () => undefined);
    await holder.connect();
    const { rows } = await holder.query<{ pid: number }>('select pg_backend_pid() as pid');
    await holder.query('begin');
    await holder.query('lock table partners in access exclusive mode');
    const waiting = createPartner('crash-during');
    await withSession(async (c) => {
      for (let i = 0; i < 200; i++) {
        const found = await c.query("select 1 from pg_stat_activity where wait_event_type = 'Lock' and state = 'active'");
        if (found.rowCount) return;
        await sleep(25);
      }
      throw new Error('the request never waited on the lock');
    });
    // SIGKILL of a backend is a crash for PostgreSQL: every other session is sent 57P02 as a notice and
    // dropped, so the driver reports a lost connection (CONNECTION_LOST), not the SQLSTATE.
    process.kill(rows[0]!.pid, 'SIGKILL');
    const res = await waiting;
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect((await problemOf(res)).code).toBe('STORAGE_UNAVAILABLE');
    for (const logged of loggedCodes(logs)) expect(logged).toMatchObject({ kind: 'unavailable', driverCode: expect.stringMatching(/^(57P02|57P03|CONNECTION_LOST|ECONNRESET|ECONNREFUSED|EPIPE)$/) });
    expect(loggedCodes(logs).length).toBeGreaterThan(0);
    expect((await readiness()).status).toBe(503);
    await holder.end().catch(() => undefined);

    // Recovery replays the WAL; meanwhile a request is 201 or the same 503, never a 500.
    let back = false;
    for (let i = 0; i < 100 && !back; i++) {
      const attempt = await createPartner(`crash-retry-${i}`);
      expect([201, 503]).toContain(attempt.status);
      if (attempt.status === 503) {
        expect((await problemOf(attempt)).code).toBe('STORAGE_UNAVAILABLE');
        await sleep(100);
      } else back = true;
    }
    expect(back).toBe(true);
    await sleep(1100);
    expect((await readiness()).status).toBe(200);
    // The crash kept the committed partner, nothing of the refused request, and each partner with its audit record.
    const kept = (await partnerIds()).filter((id) => id.startsWith('crash-'));
    expect(kept).toContain('crash-before');
    expect(kept).not.toContain('crash-during');
    expect((await auditedPartners()).filter((id) => id.startsWith('crash-'))).toEqual(kept);
  }, 60_000);

  it('a damaged page in a table (XX001, invalid page): 503 STORAGE_CORRUPT with Retry-After 300, unready naming XX001, the trust bundle still served', async () => {
    const { createPartner } = await startApp();
    expect((await createPartner('damage-before')).status).toBe(201);
    const file = await withSession(async (c) => (await c.query<{ path: string }>("select pg_relation_filepath('partners') as path")).rows[0]!.path);
    const { app, logs, readiness, createPartner: createAfter } = await startApp();
    // The app serves its bundle before the damage, as a running issuer does.
    expect((await app.request('/api/v1/trust-bundle')).status).toBe(200);
    // A clean stop writes every page to its file; the first block is then overwritten with garbage
    // that fails PostgreSQL's page header check, as a failing disk or a bad restore leaves it.
    server.stop();
    const fd = openSync(join(server.dataDir, file), 'r+');
    writeSync(fd, Buffer.alloc(8192, 0x5a), 0, 8192, 0);
    closeSync(fd);
    server.start();

    let res = await createAfter('damage-after');
    // The pool's connections from before the restart are gone: the first request may meet one of them.
    for (let i = 0; i < 3 && res.status === 503 && (await res.clone().json()).code === 'STORAGE_UNAVAILABLE'; i++) res = await createAfter('damage-after');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('300');
    expect((await problemOf(res)).code).toBe('STORAGE_CORRUPT');
    expect(loggedCodes(logs)).toContainEqual({ kind: 'corrupt', driverCode: 'XX001' });
    const unready = await readiness();
    expect(unready.status).toBe(503);
    expect(unready.body).toMatchObject({ code: 'NOT_READY', storage: 'corrupt' });
    expect(unready.body.detail).toContain('XX001');
    expect((await app.request('/api/v1/trust-bundle')).status).toBe(200);
  }, 60_000);
});
