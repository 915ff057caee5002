// vaxpass keys renew-signer: a new bundle-signing key with a fresh root certificate (90 days),
// before the current one lapses. The old certificate stays valid until its own expiry, so bundles
// signed before and after the renewal overlap; a running server picks up the new key within a second.
import type { Command } from 'commander';
import { renewBundleSigner } from '../../keys/key-directory.ts';
import type { CliContext } from '../support/cli-io.ts';
import { commandAt, withExamples } from '../support/command-tree.ts';
import { CliError } from '../support/exit-codes.ts';
import { DEFAULT_KEY_DIR } from '../support/key-files.ts';
import { instantOption, isoSeconds, unixSeconds } from '../support/time-options.ts';

interface RenewSignerOptions {
  readonly dir: string;
  readonly root?: string;
  readonly at?: string;
}

export function registerKeysRenewSigner(program: Command, ctx: CliContext): void {
  const command = commandAt(program, 'keys renew-signer')
    .summary('renew the bundle-signing key and its root certificate')
    .description(
      'Create a new bundle-signing key and certify it with the root private key for 90 days. Run it well before the ' +
        'current certificate expires (/readyz warns and /metrics vaxpass_bundle_signer_renewal_due is 1 from 30 days before). ' +
        'The root private key may be kept offline: pass its path with --root for this step only.',
    )
    .option('--dir <dir>', 'key directory', DEFAULT_KEY_DIR)
    .option('--root <file>', 'root private key (JWK); default <dir>/root.private.jwk')
    .option('--at <iso>', 'pretend the clock is at this instant (demos and tests)')
    .action(async (options: RenewSignerOptions) => {
      const now = unixSeconds(instantOption(options.at));
      try {
        const renewed = await renewBundleSigner(options.dir, { now, ...(options.root ? { rootPrivateKeyPath: options.root } : {}) });
        ctx.io.stdout(`bundle signer ${renewed.kid} certified from ${isoSeconds(renewed.notBefore)} until ${isoSeconds(renewed.expiresAt)}\n`);
      } catch (error) {
        throw new CliError(`cannot renew the bundle signer in ${options.dir}: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  withExamples(command, ['vaxpass keys renew-signer', 'vaxpass keys renew-signer --dir /etc/vaxpass/keys --root /media/offline/root.private.jwk']);
}
