// The vaxpass command line. Each command lives in its own file under commands/ and is listed in
// COMMANDS; runCli builds a fresh program per call so tests can run commands in-process.
// Results go to stdout, progress and errors to stderr; every error is one line "vaxpass: …",
// never a stack trace. Exit codes: support/exit-codes.ts and docs/cli.md.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { registerBundleBuild } from './commands/bundle-build.ts';
import { registerDbInit } from './commands/db-init.ts';
import { registerIssue } from './commands/issue.ts';
import { registerKeysInit } from './commands/keys-init.ts';
import { registerKeysRenewSigner } from './commands/keys-renew-signer.ts';
import { registerKeysRotate } from './commands/keys-rotate.ts';
import { registerRegistryImport } from './commands/registry-import.ts';
import { registerVerify } from './commands/verify.ts';
import { registerEntryLog } from './commands/entry-log.ts';
import { processIo, type CliContext, type CliIo } from './support/cli-io.ts';
import { CliError, EXIT } from './support/exit-codes.ts';

export type RegisterCommand = (program: Command, ctx: CliContext) => void;

/** Every command, in the order --help lists them. Add new command files here. */
export const COMMANDS: readonly RegisterCommand[] = [registerKeysInit, registerKeysRotate, registerKeysRenewSigner, registerBundleBuild, registerIssue, registerVerify, registerDbInit, registerRegistryImport, registerEntryLog];

function buildProgram(ctx: CliContext): Command {
  const program = new Command('vaxpass')
    .description('Issue signed vaccination passes and verify them offline.')
    .version(pkg.version, '-V, --version', 'print the vaxpass version')
    .helpOption('-h, --help', 'show help for a command')
    // Program options only before the command name, so `bundle build --version N` is the bundle's version.
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.io.stdout(text),
      writeErr: (text) => ctx.io.stderr(text),
      outputError: (text, write) => write(`vaxpass: ${text.replace(/^error: /, '').trimEnd().replace(/\n+/g, ' ')}\n`),
    })
    .addHelpText(
      'after',
      '\nExit status: 0 success (verify: valid), 1 verify: not valid, 2 error or cannot verify.\n' +
        'Run "vaxpass <command> --help" for a command\'s options and examples. Documentation: docs/cli.md\n',
    );
  for (const register of COMMANDS) register(program, ctx);
  return program;
}

/** Runs one command line (without "node" and the script) and resolves to its exit code. */
export async function runCli(args: readonly string[], io: CliIo = processIo()): Promise<number> {
  const ctx: CliContext = { io, exitCode: EXIT.ok };
  try {
    await buildProgram(ctx).parseAsync([...args], { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.error; // commander already printed it
    io.stderr(`vaxpass: ${oneLine(error)}\n`);
    return error instanceof CliError ? error.exitCode : EXIT.error;
  }
}

function oneLine(error: unknown): string {
  const message = error instanceof CliError ? error.message : `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
  return message.replace(/\s*\n\s*/g, ' ');
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

/** Process-level wiring for the real CLI (bin/vaxpass.mjs, `npm run vaxpass`). */
export async function main(): Promise<void> {
  // A closed pipe (`vaxpass issue --demo | head -c 10`) is not an error worth a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  const last = (error: unknown): void => {
    process.stderr.write(`vaxpass: ${oneLine(error)}\n`);
    process.exit(EXIT.error);
  };
  process.on('uncaughtException', last);
  process.on('unhandledRejection', last);
  process.exitCode = await runCli(process.argv.slice(2));
}

if (isEntryPoint()) await main();
