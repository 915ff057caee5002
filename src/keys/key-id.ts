import { createHash, type KeyObject } from 'node:crypto';

/** Raw 32-byte Ed25519 public key of a KeyObject (RFC 8037 "x"). */
export function rawPublicKey(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') throw new TypeError('not an Ed25519 key');
  return new Uint8Array(Buffer.from(jwk.x, 'base64url'));
}

/** Key id: the first 8 bytes of SHA-256 over the raw public key (docs/pass-format.md §2). */
export function keyIdBytes(rawPublic: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(rawPublic).digest().subarray(0, 8));
}

export function keyIdOf(rawPublic: Uint8Array): string {
  return Buffer.from(keyIdBytes(rawPublic)).toString('base64url');
}
