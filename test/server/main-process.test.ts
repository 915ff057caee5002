// `tsx src/server/main.ts --dev` as its own process: starts with nothing but paths configured,
// prints its URLs, serves, and exits cleanly on SIGTERM. A bad variable refuses to start.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/server/main.ts';

const dir = mkdtempSync(join(tmpdir(), 'vaxpass-main-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function startMain(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts', '--dev'], {
    env: { ...process.env, PORT: '0', VAXPASS_DB: join(dir, 'vaxpass.sqlite'), VAXPASS_KEYS: join(dir, 'keys'), VAXPASS_APPS_DIR: join(dir, 'apps'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  const url = new Promise<string>((ok, fail) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) ok(m[1]!);
    });
    child.once('exit', () => fail(new Error(stderr)));
  });
  const exit = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  return { child, url, exit, output: () => ({ stdout, stderr }) };
}

describe('src/server/main.ts', () => {
  it('starts with dev defaults, serves, and stops on SIGTERM with exit 0', async () => {
    const main = startMain({});
    const url = await main.url;
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(((await (await fetch(`${url}/api/v1/holder/session`)).json()) as { signInAvailable: boolean }).signInAvailable).toBe(true);
    main.child.kill('SIGTERM');
    expect(await main.exit).toBe(0);
    const { stdout, stderr } = main.output();
    expect(stderr).toMatch(/DEV ONLY/);
    expect(stderr).toMatch(/Demo partner "demo-portal" API key/);
    expect(stdout).toMatch(/"msg":"stopped"/);
    // Logs are JSON lines and carry no demo names.
    for (const line of stdout.trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    expect(stdout).not.toContain('Maria');
  }, 30_000);

  it('refuses to start on a bad variable, naming it', async () => {
    const main = startMain({ PORT: 'not-a-port' });
    expect(await main.exit).toBe(2);
    expect(main.output().stderr).toContain('vaxpass: configuration error: PORT: must be a whole number');
    await main.url.catch(() => undefined);
  }, 30_000);

  it('names VAXPASS_KEYS or VAXPASS_DB when the path they give cannot be used', async () => {
    const notADirectory = join(dir, 'plain-file');
    writeFileSync(notADirectory, 'not a directory, not a database\n');
    const env = { PORT: '0', LOG_LEVEL: 'silent', VAXPASS_DB: join(dir, 'in-process.sqlite'), VAXPASS_KEYS: join(dir, 'in-process-keys') };
    const quiet = { print: () => undefined };
    await expect(startServer({ ...quiet, env: { ...env, VAXPASS_KEYS: join(notADirectory, 'keys') } })).rejects.toThrow(/^VAXPASS_KEYS: cannot create or read the key directory .* \(ENOTDIR\)$/);
    await expect(startServer({ ...quiet, env: { ...env, VAXPASS_DB: notADirectory } })).rejects.toThrow(/^VAXPASS_DB: cannot open the database .* \(SQLITE_NOTADB\)$/);
  });
});
