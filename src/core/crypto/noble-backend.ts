// Pure-JS fallback for runtimes without WebCrypto Ed25519. Uses @noble/ed25519's audited field
// and point arithmetic but checks the cofactorless equation [S]B - [k]A == R by encoding, exactly
// as OpenSSL and BoringSSL do, so it accepts the same signatures as the other backends
// (noble's own verify() is cofactored and would accept some mixed-order R).
import { Point } from '@noble/ed25519';
import { bytesEqual, concatBytes, toHex } from '../bytes.ts';
import type { Ed25519Backend } from './ed25519-backend.ts';
import { createWebCryptoForeignBackend } from './webcrypto-foreign-backend.ts';

const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function littleEndianToBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

export function createNobleBackend(subtle: SubtleCrypto = globalThis.crypto.subtle): Ed25519Backend {
  const points = new Map<string, Point>();
  return {
    name: 'noble',
    // Runtimes without WebCrypto Ed25519 still have ECDSA P-256 and RSA-PSS there.
    foreign: createWebCryptoForeignBackend(subtle),
    async verify(signature, message, publicKey) {
      const id = toHex(publicKey);
      let A = points.get(id);
      if (!A) {
        A = Point.fromBytes(publicKey, false);
        points.set(id, A);
      }
      const rBytes = signature.subarray(0, 32);
      Point.fromBytes(rBytes, false); // throws on an encoding that is not a point
      const s = littleEndianToBigInt(signature.subarray(32));
      const digest = new Uint8Array(await subtle.digest('SHA-512', concatBytes(rBytes, publicKey, message) as Uint8Array<ArrayBuffer>));
      const k = littleEndianToBigInt(digest) % L;
      const check = Point.BASE.multiplyUnsafe(s).subtract(A.multiplyUnsafe(k));
      return bytesEqual(check.toBytes(), rBytes);
    },
  };
}
