// vaxpass keys init: creates the development root, bundle-signing and issuer keys that are missing.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { initKeyDirectory } from '../../keys/key-directory.ts';
import type { CliContext } from '../support/cli-io.ts';
import { commandAt, withExamples } from '../support/command-tree.ts';
import { CliError } from '../support/exit-codes.ts';
import { DEFAULT_KEY_DIR } from '../support/key-files.ts';
import { instantOption, unixSeconds } from '../support/time-options.ts';

interface KeysInitOptions {
  readonly dir: string;
  readonly issuer: string;
  readonly at?: string;
}

export function registerKeysInit(program: Command, ctx: CliContext): void {
  const command = commandAt(program, 'keys init')
    .summary('create the development keys that are missing')
    .description(
      'Create the development root key, bundle-signing key (certified by the root) and issuer key in a directory, ' +
        'if they are not there yet. Existing keys are never overwritten. Private keys get mode 0600, public files 0644.',
    )
    .option('--dir <dir>', 'key directory', DEFAULT_KEY_DIR)
    .option('--issuer <name>', 'issuer name for a new issuer key (CWT iss)', 'KDCA')
    .option('--at <iso>', 'pretend the clock is at this instant (demos and tests: key validity starts here)')
    .action(async (options: KeysInitOptions) => {
      const now = unixSeconds(instantOption(options.at));
      let created: string[];
      try {
        created = await initKeyDirectory(options.dir, { now, issuer: options.issuer });
      } catch (error) {
        throw new CliError(`cannot initialise key directory ${options.dir}: ${error instanceof Error ? error.message : String(error)}`);
      }
      const present = readdirSync(options.dir).filter((name) => !created.includes(name) && /\.(jwk|jws|json)$/.test(name)).sort();
      for (const name of created) ctx.io.stdout(`created  ${describe(options.dir, name)}\n`);
      for (const name of present) ctx.io.stdout(`present  ${describe(options.dir, name)}\n`);
      ctx.io.stderr(created.length === 0 ? `all keys already present in ${options.dir}\n` : `created ${created.length} files in ${options.dir}\n`);
    });
  withExamples(command, ['vaxpass keys init', 'vaxpass keys init --dir /tmp/demo-keys --at 2022-01-15T00:00:00+09:00']);
}

function describe(dir: string, name: string): string {
  const path = join(dir, name);
  const mode = (statSync(path).mode & 0o777).toString(8).padStart(4, '0');
  return `${path} (${name.includes('.private.') ? 'private' : 'public'}, mode ${mode})`;
}
