// The issuer as a process of its own (`node ...args`, `env` over this process's environment), for
// tests that need a real start, signal or exit. `url` resolves with the address it prints once it
// listens ("listening on http://…" on stderr) and rejects with its stderr if it exits before that.
import { spawn, type ChildProcess } from 'node:child_process';

export interface SpawnedIssuer {
  readonly child: ChildProcess;
  readonly url: Promise<string>;
  /** The exit code (null when a signal ended it). */
  readonly exit: Promise<number | null>;
  stderr(): string;
  /** Empty unless started with `{ stdout: true }`. */
  stdout(): string;
}

export function spawnIssuer(args: readonly string[], env: Readonly<Record<string, string>>, options: { readonly stdout?: boolean } = {}): SpawnedIssuer {
  const child = spawn(process.execPath, [...args], { env: { ...process.env, ...env }, stdio: ['ignore', options.stdout ? 'pipe' : 'ignore', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  const url = new Promise<string>((ok, fail) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) ok(m[1]!);
    });
    child.once('exit', () => fail(new Error(stderr)));
  });
  // A start that is expected to be refused never listens: its rejected url is not an error of the test.
  url.catch(() => undefined);
  const exit = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  return { child, url, exit, stderr: () => stderr, stdout: () => stdout };
}
