// The bundle a command-line verifier decides with: --bundle opened with the pinned --root, an
// older one than --held refused as a rollback. The same steps a scanner takes on a sync.
import { openBundle, type OpenBundleResult } from '../../core/index.ts';
import { createNodeCryptoBackend } from '../../node/node-crypto-backend.ts';
import { CliError } from './exit-codes.ts';
import { readTextFile } from './files.ts';
import { readRootPublicKey } from './key-files.ts';

export interface VerifierBundleOptions {
  readonly bundle: string;
  readonly held?: string;
  readonly root: string;
  /** The root path is the default one (a missing default gets its own explanation). */
  readonly rootIsDefault: boolean;
}

export async function openVerifierBundle(options: VerifierBundleOptions, now: Date): Promise<OpenBundleResult> {
  const bundleText = readTextFile(options.bundle, 'bundle file');
  const root = readRootPublicKey(options.root, options.rootIsDefault);
  const backend = createNodeCryptoBackend();
  const held = options.held === undefined ? null : await openBundle(readTextFile(options.held, 'held bundle file'), { root, now, backend });
  if (held && !held.ok) throw new CliError(`the held bundle ${options.held} cannot be trusted: ${held.code}: ${held.message}`);
  return openBundle(bundleText, { root, now, backend, held: held?.bundle ?? null });
}
