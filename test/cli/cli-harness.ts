// Two ways to run the CLI in tests: a real child process (node bin/vaxpass.mjs, as users run it;
// ~0.5–1 s each, so used sparingly) and in-process through runCli with captured streams (fast,
// same command code, used for the many round-trip and vector cases).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../src/cli/main.ts';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const BIN = fileURLToPath(new URL('../../bin/vaxpass.mjs', import.meta.url));

export function spawnCli(args: readonly string[], options: { cwd: string; input?: string }): CliRun {
  const child = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (child.error) throw child.error;
  return { code: child.status ?? -1, stdout: child.stdout, stderr: child.stderr };
}

export async function runInProcess(args: readonly string[], stdin = ''): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    readStdin: async () => stdin,
  });
  return { code, stdout, stderr };
}

/** The contract for every failure: exactly one line, prefixed, no stack trace. */
export function expectOneLineError(run: CliRun): string {
  const lines = run.stderr.trimEnd().split('\n');
  if (lines.length !== 1 || !lines[0]!.startsWith('vaxpass: ') || /\n\s+at /.test(run.stderr)) {
    throw new Error(`expected one "vaxpass: …" line on stderr, got:\n${run.stderr}`);
  }
  return lines[0]!;
}
