// Safe starts on the database (issue 8): outside dev mode a missing or empty database needs the
// operator's confirmation, a schema from a newer release and a damaged SQLite file are refused, and
// a second process on one SQLite file is refused while the first is alive (kill -9 releases it).
// Real issuer processes (`src/server/main.ts`), real files, real PostgreSQL schemas.
import Database from 'better-sqlite3';
import { execFile, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open-database.ts';
import { openPostgres } from '../../src/db/postgres/open-postgres.ts';
import { startServer } from '../../src/server/main.ts';
import { dropSchema, freshSchemaName, TEST_POSTGRES_URL, testDialect } from '../support/create-test-database.ts';
import { spawnIssuer } from '../support/spawn-issuer.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'vaxpass-safe-start-'));
const keys = join(dir, 'keys');
const children: ChildProcess[] = [];
beforeAll(async () => void (await run(process.execPath, [resolve('bin/vaxpass.mjs'), 'keys', 'init', '--dir', keys])), 60_000);
afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const production = (env: Record<string, string>) => ({ PORT: '0', LOG_LEVEL: 'warn', VAXPASS_KEYS: keys, VAXPASS_APPS_DIR: join(dir, 'apps'), VAXPASS_DRAIN_DELAY_MS: '0', ...env });

/** `src/server/main.ts` without --dev, as `npm run start:prod` runs it. */
function startMain(env: Record<string, string>, args: string[] = []) {
  const issuer = spawnIssuer(['--import', 'tsx', 'src/server/main.ts', ...args], production(env));
  children.push(issuer.child);
  return issuer;
}

const cli = (args: string[], env: Record<string, string> = {}) =>
  run(process.execPath, [resolve('bin/vaxpass.mjs'), ...args], { env: { ...process.env, ...env } }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

const quiet = { print: () => undefined, writeLog: () => undefined };

describe.runIf(testDialect === 'sqlite')('safe starts on SQLite', () => {
  it('refuses a missing file outside dev mode with one line naming the path and the confirming command; db init or --init-database start it', async () => {
    const path = join(dir, 'missing', 'vaxpass.sqlite');
    const refused = startMain({ VAXPASS_DB: path });
    expect(await refused.exit).toBe(2);
    const line = refused.stderr().trim();
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toContain(`VAXPASS_DB: ${path} does not exist`);
    expect(line).toContain(`vaxpass db init --db ${path}`);
    expect(line).toContain('--init-database');
    expect(existsSync(path)).toBe(false);

    const confirmed = startMain({ VAXPASS_DB: path }, ['--init-database']);
    expect((await fetch(`${await confirmed.url}/readyz`)).status).toBe(200);
    confirmed.child.kill('SIGTERM');
    expect(await confirmed.exit).toBe(0);

    const other = join(dir, 'db-init', 'vaxpass.sqlite');
    const init = await cli(['db', 'init', '--db', other]);
    expect(init.code).toBe(0);
    expect(init.stdout).toContain(`database ready: ${other}`);
    const server = await startServer({ ...quiet, env: production({ VAXPASS_DB: other }) });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    await server.close();
  }, 90_000);

  it('refuses an empty file and a database without vaxpass tables in the same way', async () => {
    const empty = join(dir, 'empty.sqlite');
    writeFileSync(empty, '');
    await expect(startServer({ ...quiet, env: production({ VAXPASS_DB: empty }) })).rejects.toThrow(/^VAXPASS_DB: \S+empty\.sqlite does not exist; outside dev mode a new database is an operator's act/);
    const foreign = join(dir, 'foreign.sqlite');
    const db = new Database(foreign);
    db.exec('create table notes (x)');
    db.close();
    await expect(startServer({ ...quiet, env: production({ VAXPASS_DB: foreign }) })).rejects.toThrow(/^VAXPASS_DB: \S+foreign\.sqlite has no vaxpass tables; .*vaxpass db init/);
  }, 30_000);

  it('refuses a database whose applied migrations include one this release does not know', async () => {
    const path = join(dir, 'newer.sqlite');
    await openDatabase(path).close();
    const db = new Database(path);
    db.prepare('insert into __drizzle_migrations (hash, created_at) values (?, ?)').run('f'.repeat(64), Date.now());
    db.close();
    const refused = startMain({ VAXPASS_DB: path });
    expect(await refused.exit).toBe(2);
    expect(refused.stderr().trim()).toMatch(/^vaxpass: configuration error: VAXPASS_DB: \S+newer\.sqlite has 1 applied migration\(s\) this release does not know \(it was written by a newer release\)[^\n]*$/);
  }, 60_000);

  it('refuses a file with a damaged page (PRAGMA quick_check) with one line', async () => {
    const path = join(dir, 'damaged.sqlite');
    const db = openDatabase(path);
    const insert = db.client.prepare('insert into audit_log (at, actor, action, detail) values (?, ?, ?, ?)');
    db.client.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(i, 'system', 'test.filler', JSON.stringify({ i, pad: 'x'.repeat(100) }));
    })();
    db.client.pragma('wal_checkpoint(TRUNCATE)');
    const pageSize = db.client.pragma('page_size', { simple: true }) as number;
    const root = (db.client.prepare("select rootpage from sqlite_master where name = 'audit_log'").get() as { rootpage: number }).rootpage;
    await db.close();
    // Overwrite the table's root page (an interior page of its b-tree, given 2,000 rows) with garbage.
    const fd = openSync(path, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, (root - 1) * pageSize);
    closeSync(fd);
    const refused = startMain({ VAXPASS_DB: path });
    expect(await refused.exit).toBe(2);
    expect(refused.stderr().trim()).toMatch(/^vaxpass: configuration error: VAXPASS_DB: \S+damaged\.sqlite failed its integrity check \(PRAGMA quick_check: [^\n]+\); restore the last backup[^\n]*$/);
  }, 60_000);

  it('one writer per file: a second issuer process is refused with one line; kill -9 of the first releases the file', async () => {
    const path = join(dir, 'one-writer.sqlite');
    await openDatabase(path).close();
    const first = startMain({ VAXPASS_DB: path });
    const firstUrl = await first.url;
    const second = startMain({ VAXPASS_DB: path });
    expect(await second.exit).toBe(2);
    expect(second.stderr().trim()).toMatch(/^vaxpass: configuration error: VAXPASS_DB: \S+one-writer\.sqlite is already open for writing by another process \(it holds \S+one-writer\.sqlite\.writer-lock\); [^\n]*PostgreSQL[^\n]*$/);
    expect((await fetch(`${firstUrl}/readyz`)).status).toBe(200);

    // The registry import writes the same file: refused while the issuer runs, with what to do.
    writeFileSync(join(dir, 'people.csv'), 'kind,personId,name,birthDate,product,date\nperson,P-1,Kim Min-jun,1990-11-30,,\nvaccination,P-1,,,Janssen Jcovden,2021-06-10\n');
    const imported = await cli(['registry', 'import', join(dir, 'people.csv'), '--db', path, '--at', '2022-01-15T00:00:00Z']);
    expect(imported.code).toBe(2);
    expect(imported.stderr).toMatch(/^vaxpass: cannot import: \S+ is already open for writing by another process .*stop the issuer, import, then start it again/);

    first.child.kill('SIGKILL');
    await first.exit;
    const third = startMain({ VAXPASS_DB: path });
    expect((await fetch(`${await third.url}/readyz`)).status).toBe(200);
    third.child.kill('SIGTERM');
    expect(await third.exit).toBe(0);
    expect((await cli(['registry', 'import', join(dir, 'people.csv'), '--db', path, '--at', '2022-01-15T00:00:00Z'])).code).toBe(0);
  }, 120_000);
});

describe.runIf(testDialect === 'postgres')('safe starts on PostgreSQL', () => {
  const schemas: string[] = [];
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(schema);
  });
  const fresh = () => {
    const schema = freshSchemaName();
    schemas.push(schema);
    return schema;
  };

  it('refuses an empty schema outside dev mode with one line; db init creates it', async () => {
    const schema = fresh();
    const refused = startMain({ DATABASE_URL: TEST_POSTGRES_URL, VAXPASS_PG_SCHEMA: schema });
    expect(await refused.exit).toBe(2);
    const line = refused.stderr().trim();
    expect(line).toMatch(new RegExp(`^vaxpass: configuration error: DATABASE_URL: \\S+ schema ${schema} has no vaxpass tables; .*\`vaxpass db init\` \\(or start once with --init-database\\)[^\\n]*$`));
    expect(line).not.toMatch(/password/);
    const init = await cli(['db', 'init'], { DATABASE_URL: TEST_POSTGRES_URL, VAXPASS_PG_SCHEMA: schema });
    expect(init.code).toBe(0);
    const server = await startServer({ ...quiet, env: production({ DATABASE_URL: TEST_POSTGRES_URL, VAXPASS_PG_SCHEMA: schema }) });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    await server.close();
  }, 60_000);

  it('refuses a schema with a migration this release does not know', async () => {
    const schema = fresh();
    await (await openPostgres(TEST_POSTGRES_URL, { schema, poolSize: 1 })).close();
    const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    await client.query(`insert into "${schema}".__drizzle_migrations (hash, created_at) values ($1, $2)`, ['f'.repeat(64), Date.now()]);
    await client.end();
    await expect(startServer({ ...quiet, env: production({ DATABASE_URL: TEST_POSTGRES_URL, VAXPASS_PG_SCHEMA: schema }) })).rejects.toThrow(
      new RegExp(`^DATABASE_URL: \\S+ schema ${schema} has 1 applied migration\\(s\\) this release does not know`),
    );
  }, 30_000);
});
