// Ed25519 verification through node:crypto (OpenSSL), the fastest backend on the server, the CLI
// and in benchmarks. Raw keys are wrapped once into SPKI KeyObjects and cached.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { Ed25519Backend } from '../core/crypto/ed25519-backend.ts';

// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4) before the 32 key bytes.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function createNodeCryptoBackend(): Ed25519Backend {
  const keys = new Map<string, KeyObject>();
  return {
    name: 'node:crypto',
    verify(signature, message, publicKey) {
      const id = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.length).toString('hex');
      let key = keys.get(id);
      if (!key) {
        key = ed25519PublicKeyFromRaw(publicKey);
        keys.set(id, key);
      }
      return verify(null, message, key, signature);
    },
  };
}

export function ed25519PublicKeyFromRaw(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}
