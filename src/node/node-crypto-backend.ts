// Ed25519 verification through node:crypto (OpenSSL), the fastest backend on the server, the CLI
// and in benchmarks. Raw keys are wrapped once into SPKI KeyObjects and cached.
import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { bytesEqual } from '../core/bytes.ts';
import type { Ed25519Backend } from '../core/crypto/ed25519-backend.ts';
import type { ForeignSignatureBackend } from '../core/crypto/foreign-signature-backend.ts';

// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4) before the 32 key bytes.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function createNodeCryptoBackend(): Ed25519Backend {
  const keys = new Map<string, KeyObject>();
  // Verification passes the same key array (a bundle key's bytes) every time; remembering the
  // KeyObject by array identity, re-checked against a private copy of the bytes, skips hex-encoding
  // the key on every call while staying correct if a caller reuses or mutates the array.
  const byArray = new WeakMap<Uint8Array, { readonly bytes: Uint8Array; readonly key: KeyObject }>();
  const keyFor = (publicKey: Uint8Array): KeyObject => {
    const hit = byArray.get(publicKey);
    if (hit && bytesEqual(hit.bytes, publicKey)) return hit.key;
    const id = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.length).toString('hex');
    let key = keys.get(id);
    if (!key) {
      key = ed25519PublicKeyFromRaw(publicKey);
      keys.set(id, key);
    }
    byArray.set(publicKey, { bytes: publicKey.slice(), key });
    return key;
  };
  return {
    name: 'node:crypto',
    foreign: createNodeForeignBackend(),
    verify(signature, message, publicKey) {
      return verify(null, message, keyFor(publicKey), signature);
    },
  };
}

export function ed25519PublicKeyFromRaw(raw: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** ES256 / PS256 through node:crypto; JWKs are turned into KeyObjects once and cached. */
export function createNodeForeignBackend(): ForeignSignatureBackend {
  const keys = new Map<string, KeyObject>();
  return {
    name: 'node:crypto',
    verify(algorithm, signature, message, jwk) {
      const id = jwk.kty === 'EC' ? `${jwk.crv}.${jwk.x}.${jwk.y}` : `${jwk.n}.${jwk.e}`;
      let key = keys.get(id);
      if (!key) {
        try {
          key = createPublicKey({ key: { ...jwk }, format: 'jwk' });
        } catch {
          return false;
        }
        keys.set(id, key);
      }
      try {
        if (algorithm === 'ES256') return verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature);
        return verify('sha256', message, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature);
      } catch {
        return false;
      }
    },
  };
}
