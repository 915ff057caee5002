// DEV ONLY: the development OpenID provider's signing key and cookie keys, kept in the dev key
// directory (mode 0600, git-ignored) so a restart keeps every ID token it signed verifiable and
// its own sign-in cookies readable. Created on first use.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';

export const DEV_PROVIDER_KEYS_FILE = 'dev-idp.private.json';

export interface DevProviderKeys {
  /** Private signing keys (RS256: the algorithm every OpenID client must accept). */
  readonly jwks: { keys: JWK[] };
  readonly cookieKeys: string[];
}

export function loadOrCreateDevProviderKeys(keysDir: string): DevProviderKeys {
  const file = join(keysDir, DEV_PROVIDER_KEYS_FILE);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DevProviderKeys;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...(privateKey.export({ format: 'jwk' }) as JWK), kid: `dev-idp-${randomBytes(4).toString('hex')}`, alg: 'RS256', use: 'sig' };
  const keys: DevProviderKeys = { jwks: { keys: [jwk] }, cookieKeys: [randomBytes(32).toString('base64url')] };
  mkdirSync(keysDir, { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(keys)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return keys;
}
