// Strict Ed25519 acceptance (RFC 8032 §5.1.7, plus small-order key rejection), applied in front
// of every backend so node:crypto, WebCrypto and @noble/ed25519 agree byte for byte:
//  - S must be canonical: S < L (§5.1.7 step 1 "if S >= L, reject");
//  - R and A must be canonical point encodings: y < p, and no sign bit on x = 0 (§5.1.3);
//  - A must not be one of the eight small-order points, for which a "signature" proves nothing.
import { bytesEqual } from '../bytes.ts';
import type { Ed25519Backend } from './ed25519-backend.ts';

// L = 2^252 + 27742317777372353535851937790883648493, little-endian.
const GROUP_ORDER_LE = Uint8Array.from([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
]);

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!.map((b) => parseInt(b, 16)));
}

/** Canonical encodings of the eight points of order 1, 2, 4 and 8 (the torsion subgroup). */
export const SMALL_ORDER_POINTS: readonly Uint8Array[] = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
].map(hexBytes);

/** True when the little-endian 32-byte scalar is < L. */
export function isCanonicalScalar(s: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    if (s[i]! < GROUP_ORDER_LE[i]!) return true;
    if (s[i]! > GROUP_ORDER_LE[i]!) return false;
  }
  return false;
}

/** True when the encoding's y is < p = 2^255 - 19 and it does not set the sign of a zero x. */
export function isCanonicalPointEncoding(p: Uint8Array): boolean {
  if (p.length !== 32) return false;
  const top = p[31]! & 0x7f;
  const signBit = p[31]! & 0x80;
  // y >= p only when bytes 1..30 are all 0xff, the top byte (sans sign) is 0x7f and byte 0 >= 0xed.
  let allFF = top === 0x7f;
  for (let i = 1; i < 31 && allFF; i++) allFF = p[i] === 0xff;
  if (allFF && p[0]! >= 0xed) return false;
  if (signBit !== 0) {
    // x = 0 exactly for y = 1 and y = p - 1; a set sign bit there is a second encoding of the same point.
    let yIsOne = p[0] === 1 && top === 0;
    for (let i = 1; i < 31 && yIsOne; i++) yIsOne = p[i] === 0;
    const yIsMinusOne = allFF && p[0] === 0xec;
    if (yIsOne || yIsMinusOne) return false;
  }
  return true;
}

export function isSmallOrderEncoding(p: Uint8Array): boolean {
  // Public keys are not secret, so the first byte may short-cut the comparison.
  return SMALL_ORDER_POINTS.some((s) => s[0] === p[0] && bytesEqual(s, p));
}

export type PublicKeyProblem = 'length' | 'non-canonical' | 'small-order';

/** Why a public key can never verify anything, or null when it is acceptable. */
export function publicKeyProblem(publicKey: Uint8Array): PublicKeyProblem | null {
  if (publicKey.length !== 32) return 'length';
  if (!isCanonicalPointEncoding(publicKey)) return 'non-canonical';
  if (isSmallOrderEncoding(publicKey)) return 'small-order';
  return null;
}

/** Verifies under the strict policy with the given backend. Never throws on bad input. */
export async function verifyEd25519Strict(backend: Ed25519Backend, signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean> {
  return checkEd25519Strict(backend, signature, message, publicKey);
}

/**
 * Same decision as verifyEd25519Strict, but answers synchronously when the backend does
 * (node:crypto), so the verifier's hot path does not pay two promise round trips per pass.
 */
export function checkEd25519Strict(backend: Ed25519Backend, signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean | Promise<boolean> {
  if (signature.length !== 64 || publicKeyProblem(publicKey) !== null) return false;
  if (!isCanonicalScalar(signature.subarray(32)) || !isCanonicalPointEncoding(signature.subarray(0, 32))) return false;
  let answer: boolean | Promise<boolean>;
  try {
    answer = backend.verify(signature, message, publicKey);
  } catch {
    return false;
  }
  // Promise.resolve rather than answer.then: a backend that breaks its contract (returns neither a
  // boolean nor a promise) must still not make verification throw; it counts as "not verified".
  return typeof answer === 'boolean' ? answer : Promise.resolve(answer).then((ok) => ok === true, () => false);
}
