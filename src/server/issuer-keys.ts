// Where the server gets its keys. The key directory can change while the server runs (`vaxpass
// keys rotate` writes keyring.json), so the running server re-reads it when the file changes:
// rotation needs no restart.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleKey, KeyStatus } from '../core/trust-bundle.ts';
import { KeyDirectoryError, loadKeyDirectory, type IssuerSigningKey, type KeyDirectory } from '../keys/key-directory.ts';

export interface IssuerKeys {
  current(): KeyDirectory;
}

export function fixedIssuerKeys(directory: KeyDirectory): IssuerKeys {
  return { current: () => directory };
}

/** What a reload did, for the operator's log: ids and counts only, never key material. */
export type KeyringReload = { ok: true; issuerKeys: number } | { ok: false; reason: string };

/** Reloads the key directory when keyring.json changes (checked at most every `checkEveryMs`). */
export function watchedKeyDirectory(dir: string, checkEveryMs = 1000, onReload: (event: KeyringReload) => void = () => undefined): IssuerKeys {
  const keyringPath = join(dir, 'keyring.json');
  let directory = loadKeyDirectory(dir);
  let stamp = statSync(keyringPath).mtimeMs;
  let checkedAt = Date.now();
  // A bad keyring is reported once, not on every check while it stays bad.
  let reported: string | null = null;
  return {
    current() {
      if (Date.now() - checkedAt >= checkEveryMs) {
        checkedAt = Date.now();
        let mtime: number | null = null;
        try {
          mtime = statSync(keyringPath).mtimeMs;
          if (mtime !== stamp) {
            directory = loadKeyDirectory(dir);
            stamp = mtime;
            reported = null;
            onReload({ ok: true, issuerKeys: directory.issuerKeys.length });
          }
        } catch (error) {
          // A half-written rotation keeps the last good directory; the next check retries.
          // The reason is the error's code or class only (a parser message could quote a key file),
          // or a KeyDirectoryError's own message, which names the file and never quotes it.
          const problem = `${mtime}`;
          if (reported !== problem) {
            reported = problem;
            onReload({ ok: false, reason: error instanceof KeyDirectoryError ? error.message : (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.name : 'unknown') });
          }
        }
      }
      return directory;
    },
  };
}

/**
 * The key that signs at `now`: the newest key whose signing period has started and not ended,
 * that is not revoked and whose private key is present. A 'next' key is published in bundles
 * first and starts signing only at its validFrom.
 */
export function signingKeyAt(directory: KeyDirectory, now: number, revokedKids: ReadonlySet<string>): IssuerSigningKey | null {
  const candidates = directory.issuerKeys
    .filter((k) => (k.status === 'active' || k.status === 'next') && !revokedKids.has(k.kid) && k.validFrom <= now && now <= k.signUntil)
    .sort((a, b) => b.validFrom - a.validFrom);
  for (const entry of candidates) {
    const privateKey = directory.privateKeyFor(entry.kid);
    if (privateKey) return { kid: entry.kid, kidBytes: new Uint8Array(Buffer.from(entry.kid, 'base64url')), privateKey, entry };
  }
  return null;
}

/** Issuer keys as a bundle published at `now` lists them: status follows time and revocation. */
export function publishedKeys(directory: KeyDirectory, now: number, revokedKids: ReadonlySet<string>): BundleKey[] {
  const keys = directory.issuerKeys;
  const started = keys.filter((k) => !revokedKids.has(k.kid) && k.status !== 'revoked' && k.status !== 'retired' && k.validFrom <= now);
  const newestStarted = started.reduce<BundleKey | null>((a, k) => (a === null || k.validFrom > a.validFrom ? k : a), null);
  return keys.map((k) => {
    let status: KeyStatus;
    if (revokedKids.has(k.kid) || k.status === 'revoked') status = 'revoked';
    else if (k.validFrom > now) status = 'next';
    else if (k.status === 'retired' || (newestStarted !== null && newestStarted.kid !== k.kid) || now > k.signUntil) status = 'retired';
    else status = 'active';
    return { ...k, status };
  });
}
