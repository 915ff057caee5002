// Reading the key directory and a pinned root key for the CLI. Errors name the file and what to
// do; key material itself is never echoed.
import { existsSync } from 'node:fs';
import { fromBase64Url, publicKeyProblem } from '../../core/index.ts';
import { KeyDirectoryError, loadKeyDirectory, type KeyDirectory } from '../../keys/key-directory.ts';
import { CliError } from './exit-codes.ts';
import { readJsonFile } from './files.ts';

export const DEFAULT_KEY_DIR = 'keys';

export function loadKeys(dir: string): KeyDirectory {
  try {
    return loadKeyDirectory(dir);
  } catch (error) {
    if (error instanceof KeyDirectoryError) throw new CliError(error.message);
    throw new CliError(`key directory ${dir} is unreadable or damaged (${error instanceof Error ? error.message : String(error)})`);
  }
}

const JWK_SHAPE = '{"kty":"OKP","crv":"Ed25519","x":…}';

/**
 * An Ed25519 public JWK file ({"kty":"OKP","crv":"Ed25519","x":…}) → raw 32 bytes, strictly checked.
 * `isDefault`: the path was not given, so a missing file is explained with the option to give it.
 */
export function readRootPublicKey(path: string, isDefault = false): Uint8Array {
  if (isDefault && !existsSync(path)) {
    throw new CliError(`no pinned root key: ${path} (the default) does not exist; give the root public key with --root FILE`);
  }
  let jwk: Record<string, unknown> | null;
  try {
    jwk = readJsonFile(path, 'root key file') as Record<string, unknown> | null;
  } catch (error) {
    // A PEM or raw key file is a likely mistake; say which format is wanted.
    if (error instanceof CliError && error.message.endsWith('is not valid JSON')) throw new CliError(`${error.message}: expected an Ed25519 public JWK ${JWK_SHAPE}`);
    throw error;
  }
  if (typeof jwk !== 'object' || jwk === null || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
    throw new CliError(`root key file ${path} is not an Ed25519 public JWK ${JWK_SHAPE}`);
  }
  if ('d' in jwk) throw new CliError(`root key file ${path} contains a private key; pin the public key (root.public.jwk) instead`);
  const raw = fromBase64Url(jwk.x);
  if (!raw || publicKeyProblem(raw) !== null) throw new CliError(`root key file ${path} does not hold a usable Ed25519 public key`);
  return raw;
}
