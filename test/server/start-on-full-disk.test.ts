// Starting the issuer on a full file system (issue 8, safe starts), on a real one: a tmpfs mounted
// exactly as large as the database file, so SQLite has no room for its WAL index
// (SQLITE_IOERR_SHMSIZE), and a tmpfs too small for a new database's tables (SQLITE_FULL during
// --init-database). Each start is refused with one line that says the storage is full, writes
// nothing half-way, and the issuer starts normally once there is room. Mounting needs root (or
// CAP_SYS_ADMIN): where it is not allowed the suite skips and says so.
import { execFile, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open-database.ts';
import { testDialect } from '../support/create-test-database.ts';
import { spawnIssuer } from '../support/spawn-issuer.ts';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'vaxpass-full-disk-'));
const keys = join(dir, 'keys');
const mountPoint = join(dir, 'volume');
mkdirSync(mountPoint);

/** Mounts a tmpfs of `bytes` at the mount point (false where this sandbox does not allow it). */
function mountTmpfs(bytes: number): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', mountPoint], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const resize = (bytes: number) => execFileSync('mount', ['-o', `remount,size=${bytes}`, mountPoint], { stdio: 'ignore' });
const unmount = () => execFileSync('umount', [mountPoint], { stdio: 'ignore' });

const canMount = testDialect === 'sqlite' && mountTmpfs(4096);
if (canMount) unmount();
else if (testDialect === 'sqlite') console.warn('[start on a full disk] skipped: mounting a tmpfs is not permitted here (needs root or CAP_SYS_ADMIN)');

const children: ChildProcess[] = [];
beforeAll(async () => {
  if (canMount) await run(process.execPath, [resolve('bin/vaxpass.mjs'), 'keys', 'init', '--dir', keys]);
}, 60_000);
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (canMount && statSync(mountPoint).dev !== statSync(dir).dev) unmount();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `src/server/main.ts` without --dev, as `npm run start:prod` runs it. */
function startMain(database: string, args: string[] = []) {
  const env = { PORT: '0', LOG_LEVEL: 'warn', VAXPASS_KEYS: keys, VAXPASS_APPS_DIR: join(dir, 'apps'), VAXPASS_DRAIN_DELAY_MS: '0', VAXPASS_DB: database };
  const issuer = spawnIssuer(['--import', 'tsx', 'src/server/main.ts', ...args], env);
  children.push(issuer.child);
  return issuer;
}

async function startsAndStops(database: string, args: string[] = []): Promise<void> {
  const issuer = startMain(database, args);
  expect((await fetch(`${await issuer.url}/readyz`)).status).toBe(200);
  issuer.child.kill('SIGTERM');
  expect(await issuer.exit).toBe(0);
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe.runIf(canMount)('starting on a full file system (SQLite, real tmpfs)', () => {
  it('an existing database with no room left for its WAL index: refused with one line saying the storage is full, the file untouched; starts once there is room', async () => {
    const source = join(dir, 'made-elsewhere.sqlite');
    await openDatabase(source).close();
    const size = statSync(source).size;
    const database = join(mountPoint, 'vaxpass.sqlite');
    expect(mountTmpfs(size)).toBe(true);
    copyFileSync(source, database);
    const before = sha256(database);

    const refused = startMain(database);
    expect(await refused.exit).toBe(2);
    const lines = refused.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^vaxpass: configuration error: VAXPASS_DB: cannot open the database ${database}: its storage is full \\(SQLITE_(IOERR_SHMSIZE|FULL|IOERR\\w*)\\); free space on the file system that holds it, then start again$`));
    expect(sha256(database)).toBe(before);

    resize(4 * 1024 * 1024);
    await startsAndStops(database);
  }, 90_000);

  it('a new database that does not fit: --init-database is refused with one line, and leaves no half-made database that a later start would take as initialised', async () => {
    const database = join(mountPoint, 'vaxpass.sqlite');
    expect(mountTmpfs(64 * 1024)).toBe(true);

    const refused = startMain(database, ['--init-database']);
    expect(await refused.exit).toBe(2);
    const lines = refused.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`VAXPASS_DB: cannot open the database ${database}: its storage is full (SQLITE_FULL); free space`);

    // Room again, and no confirmation: still a fresh start, so still the operator's act.
    resize(4 * 1024 * 1024);
    const unconfirmed = startMain(database);
    expect(await unconfirmed.exit).toBe(2);
    expect(unconfirmed.stderr()).toMatch(/VAXPASS_DB: \S+vaxpass\.sqlite (does not exist|has no vaxpass tables); outside dev mode a new database is an operator's act/);
    await startsAndStops(database, ['--init-database']);
  }, 90_000);
});
