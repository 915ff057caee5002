// Ed25519 verification on the libuv thread pool, for the issuer's self-check of every pass it
// signs (issued-pass-check.ts). The check itself is unchanged — OpenSSL's verify of the same
// signature with the same published key — but it runs beside the event loop instead of on it,
// where it was the largest single cost of an issuance after the commit's fsync (docs/benchmarks.md).
// Scanners and the CLI keep the synchronous backend: they verify one pass at a time.
import { verify, type KeyObject } from 'node:crypto';
import type { Ed25519Backend } from '../../core/crypto/ed25519-backend.ts';
import { createNodeCryptoBackend, ed25519PublicKeyFromRaw } from '../../node/node-crypto-backend.ts';

export function createThreadPoolEd25519Backend(): Ed25519Backend {
  const sync = createNodeCryptoBackend();
  // Bundle keys are few and long-lived: one KeyObject per key, by its bytes.
  const keys = new Map<string, KeyObject>();
  const keyFor = (publicKey: Uint8Array): KeyObject => {
    const id = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.length).toString('hex');
    let key = keys.get(id);
    if (!key) keys.set(id, (key = ed25519PublicKeyFromRaw(publicKey)));
    return key;
  };
  return {
    name: 'node:crypto (thread pool)',
    ...(sync.foreign ? { foreign: sync.foreign } : {}),
    verify(signature, message, publicKey) {
      const key = keyFor(publicKey);
      // The message and signature are arrays made for this one check; nothing changes them while it runs.
      return new Promise<boolean>((ok) => verify(null, message, key, signature, (error, valid) => ok(!error && valid)));
    },
  };
}
