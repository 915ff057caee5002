// `tsx src/server/main.ts --dev` as its own process: starts with nothing but paths configured,
// prints its URLs, serves, and exits cleanly on SIGTERM. A bad variable refuses to start.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/server/main.ts';
import { spawnIssuer } from '../support/spawn-issuer.ts';

const dir = mkdtempSync(join(tmpdir(), 'vaxpass-main-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function startMain(env: Record<string, string>) {
  return spawnIssuer(['--import', 'tsx', 'src/server/main.ts', '--dev'], { PORT: '0', VAXPASS_DB: join(dir, 'vaxpass.sqlite'), VAXPASS_KEYS: join(dir, 'keys'), VAXPASS_APPS_DIR: join(dir, 'apps'), ...env }, { stdout: true });
}

describe('src/server/main.ts', () => {
  it('starts with dev defaults, serves, and stops on SIGTERM with exit 0', async () => {
    const main = startMain({});
    const url = await main.url;
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(((await (await fetch(`${url}/api/v1/holder/session`)).json()) as { signInAvailable: boolean }).signInAvailable).toBe(true);
    main.child.kill('SIGTERM');
    expect(await main.exit).toBe(0);
    const [stdout, stderr] = [main.stdout(), main.stderr()];
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
    expect(main.stderr()).toContain('vaxpass: configuration error: PORT: must be a whole number');
    await main.url.catch(() => undefined);
  }, 30_000);

  it('names VAXPASS_KEYS or VAXPASS_DB when the path they give cannot be used', async () => {
    const notADirectory = join(dir, 'plain-file');
    writeFileSync(notADirectory, 'not a directory, not a database\n');
    const env = { PORT: '0', LOG_LEVEL: 'silent', VAXPASS_DB: join(dir, 'in-process.sqlite'), VAXPASS_KEYS: join(dir, 'in-process-keys'), VAXPASS_DEV_IDP: 'on' };
    const quiet = { print: () => undefined };
    await expect(startServer({ ...quiet, env: { ...env, VAXPASS_KEYS: join(notADirectory, 'keys') } })).rejects.toThrow(/^VAXPASS_KEYS: cannot create or read the key directory .* \(ENOTDIR\)$/);
    await expect(startServer({ ...quiet, env: { ...env, VAXPASS_DB: notADirectory } })).rejects.toThrow(/^VAXPASS_DB: cannot open the database .* \(SQLITE_NOTADB\)$/);
  });
});

describe('safe starts: keys', () => {
  const run = promisify(execFile);
  const quiet = { print: () => undefined, writeLog: () => undefined };
  const production = (keys: string) => ({ PORT: '0', LOG_LEVEL: 'silent', VAXPASS_DB: join(dir, `${Date.now()}-${Math.random()}.sqlite`), VAXPASS_KEYS: keys, VAXPASS_APPS_DIR: join(dir, 'apps'), VAXPASS_DRAIN_DELAY_MS: '0', VAXPASS_INIT_DATABASE: 'on' });

  it('outside dev mode, never creates keys: refuses with one line naming what is missing, and the suggested command fixes it', async () => {
    const keys = join(dir, 'prod-keys');
    await expect(startServer({ ...quiet, env: production(keys) })).rejects.toThrow(/^VAXPASS_KEYS: \S+ lacks root\.public\.jwk, bundle-signer\.private\.jwk, bundle-signer\.cert\.jws, keyring\.json; .*`vaxpass keys init --dir \S+`/);
    expect(existsSync(join(keys, 'root.public.jwk'))).toBe(false);
    await run(process.execPath, [resolve('bin/vaxpass.mjs'), 'keys', 'init', '--dir', keys]);
    const server = await startServer({ ...quiet, env: production(keys) });
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    await server.close();
  }, 30_000);

  it('an invalid keyring refuses the start with an error naming keyring.json', async () => {
    const keys = join(dir, 'bad-keyring');
    await run(process.execPath, [resolve('bin/vaxpass.mjs'), 'keys', 'init', '--dir', keys]);
    writeFileSync(join(keys, 'keyring.json'), '{ "issuer": "KDCA", ');
    await expect(startServer({ ...quiet, env: production(keys) })).rejects.toThrow(/^VAXPASS_KEYS: .*keyring\.json is not valid JSON/);
    writeFileSync(join(keys, 'keyring.json'), '[]');
    await expect(startServer({ ...quiet, env: production(keys) })).rejects.toThrow(/keyring\.json is not a keyring/);
  }, 30_000);

  it('a root kept offline (public key only) is never replaced at start, and keys init says what it needs', async () => {
    const keys = join(dir, 'offline-root');
    await run(process.execPath, [resolve('bin/vaxpass.mjs'), 'keys', 'init', '--dir', keys]);
    rmSync(join(keys, 'root.private.jwk'));
    const root = readFileSync(join(keys, 'root.public.jwk'), 'utf8');
    for (const env of [production(keys), { ...production(keys), VAXPASS_DEV_IDP: 'on' }]) {
      const server = await startServer({ ...quiet, env });
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      await server.close();
      expect(readFileSync(join(keys, 'root.public.jwk'), 'utf8')).toBe(root);
    }
    rmSync(join(keys, 'bundle-signer.cert.jws'));
    const init = await run(process.execPath, [resolve('bin/vaxpass.mjs'), 'keys', 'init', '--dir', keys]).catch((e: { stderr: string }) => e);
    expect(init.stderr).toMatch(/root\.private\.jwk is not/);
    expect(readFileSync(join(keys, 'root.public.jwk'), 'utf8')).toBe(root);
  }, 30_000);
});
