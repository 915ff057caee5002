// A PostgreSQL server of a test's own: a fresh cluster (initdb) in a temp directory on a free
// loopback port, so a test can do to it what it must never do to the shared test server: stop it,
// restart it as a standby, crash one of its processes, damage a table's file on disk. It is the
// same PostgreSQL binaries the shared server runs, so every error is the server's own.
//
// PostgreSQL refuses to run as root; when the tests run as root (CI), the cluster's commands run as
// the `postgres` system user, which the Debian packages create.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust authentication). */
  readonly url: string;
  readonly dataDir: string;
  /** Starts the server; `standby`: as a standby that takes no connections (hot_standby off), as in the middle of a failover. */
  start(options?: { standby?: boolean }): void;
  /** A clean (fast) shutdown: every page is written to its file. */
  stop(): void;
  /** Ends standby mode: the server becomes a primary and takes connections again. */
  promote(): void;
  cleanup(): void;
}

/** Why a private server cannot run here, or null when it can. */
export function privatePostgresUnavailable(): string | null {
  if (!binDir()) return 'no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql';
  if (process.getuid?.() === 0) {
    try {
      execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
      execFileSync('runuser', ['--help'], { stdio: 'ignore' });
    } catch {
      return 'running as root without a `postgres` user or runuser to start PostgreSQL as';
    }
  }
  return null;
}

function binDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  const found = versions.map((v) => join(root, v, 'bin')).find((dir) => existsSync(join(dir, 'initdb')));
  return found ?? null;
}

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => ok(port));
    });
  });
}

export async function createPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  if (!bin) throw new Error(privatePostgresUnavailable() ?? 'no PostgreSQL binaries');
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'vaxpass-private-pg-'));
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), Number(execFileSync('id', ['-g', 'postgres']).toString().trim()));
  const dataDir = join(dir, 'data');
  const run = (command: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, command), ...args]] : [join(bin, command), args];
    execFileSync(file, argv, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  };
  const asServerUser = (write: () => void) => {
    write();
    if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', dataDir]);
  };
  const port = await freePort();
  // fsync off: the cluster lives for one test file; crash recovery still replays its WAL.
  run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const serverOptions = (standby: boolean) => [`-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1', '-c fsync=off', '-c full_page_writes=off', ...(standby ? ['-c hot_standby=off'] : [])].join(' ');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dataDir,
    start(options = {}) {
      if (options.standby) asServerUser(() => writeFileSync(join(dataDir, 'standby.signal'), ''));
      run('pg_ctl', ['-D', dataDir, '-o', serverOptions(options.standby ?? false), '-l', join(dir, 'server.log'), '-w', 'start']);
    },
    stop() {
      run('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
    },
    promote() {
      run('pg_ctl', ['-D', dataDir, '-w', 'promote']);
    },
    cleanup() {
      try {
        run('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // Not running.
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
