// COSE_Sign1 (RFC 9052 §4.2), untagged: the QR prefix already says what the bytes are.
// alg and kid live in the protected header only, so neither can be swapped without breaking
// the signature; the unprotected header must be empty.
import type { CborValue } from './cbor.ts';
import { decodeStrictCbor, encodeCbor } from './cbor.ts';
import { concatBytes } from './bytes.ts';

const HEADER_ALG = 1;
const HEADER_KID = 4;
/** EdDSA, COSE algorithm -8 (RFC 9053 §2.2). */
export const COSE_ALG_EDDSA = -8;
export const KID_BYTES = 8;
export const SIGNATURE_BYTES = 64;

export function encodeProtectedHeader(kid: Uint8Array): Uint8Array {
  return encodeCbor(new Map<CborValue, CborValue>([[HEADER_ALG, COSE_ALG_EDDSA], [HEADER_KID, kid]]));
}

function bstrHeader(length: number): Uint8Array {
  if (length < 24) return Uint8Array.of(0x40 | length);
  if (length < 0x100) return Uint8Array.of(0x58, length);
  if (length < 0x10000) return Uint8Array.of(0x59, length >> 8, length & 0xff);
  throw new TypeError('COSE field larger than 64 KiB');
}

// 0x84 = array(4); 0x6a 'Signature1' = the context string (RFC 9052 §4.4).
const SIG_STRUCTURE_PREFIX = Uint8Array.of(0x84, 0x6a, 0x53, 0x69, 0x67, 0x6e, 0x61, 0x74, 0x75, 0x72, 0x65, 0x31);
const EMPTY_EXTERNAL_AAD = Uint8Array.of(0x40);

/** The bytes that are signed: Sig_structure = ["Signature1", protected, external_aad = h'', payload]. */
export function sigStructure(protectedHeader: Uint8Array, payload: Uint8Array): Uint8Array {
  return concatBytes(SIG_STRUCTURE_PREFIX, bstrHeader(protectedHeader.length), protectedHeader, EMPTY_EXTERNAL_AAD, bstrHeader(payload.length), payload);
}

export function encodeCoseSign1(protectedHeader: Uint8Array, payload: Uint8Array, signature: Uint8Array): Uint8Array {
  return encodeCbor([protectedHeader, new Map(), payload, signature]);
}

export interface ParsedCoseSign1 {
  readonly protectedHeader: Uint8Array;
  readonly kid: Uint8Array;
  readonly payload: Uint8Array;
  readonly signature: Uint8Array;
}

export type CoseParseResult =
  | { ok: true; value: ParsedCoseSign1 }
  | { ok: false; code: 'MALFORMED' | 'UNSUPPORTED_ALGORITHM'; message: string };

export function parseCoseSign1(bytes: Uint8Array): CoseParseResult {
  const outer = decodeStrictCbor(bytes);
  if (!Array.isArray(outer) || outer.length !== 4) return malformed('not a COSE_Sign1 array of four items');
  const [protectedHeader, unprotected, payload, signature] = outer;
  if (!(protectedHeader instanceof Uint8Array) || !(unprotected instanceof Map) || !(payload instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
    return malformed('COSE_Sign1 items have the wrong types');
  }
  const header = decodeStrictCbor(protectedHeader);
  if (!(header instanceof Map)) return malformed('protected header is not a CBOR map');
  const alg = header.get(HEADER_ALG);
  if (alg === undefined) {
    return unprotected.has(HEADER_ALG)
      ? { ok: false, code: 'UNSUPPORTED_ALGORITHM', message: 'alg must be in the protected header' }
      : malformed('protected header has no alg');
  }
  if (alg !== COSE_ALG_EDDSA) return { ok: false, code: 'UNSUPPORTED_ALGORITHM', message: `alg ${String(alg)} is not EdDSA (-8)` };
  const kid = header.get(HEADER_KID);
  if (kid === undefined) return malformed(unprotected.has(HEADER_KID) ? 'kid must be in the protected header' : 'protected header has no kid');
  if (!(kid instanceof Uint8Array) || kid.length !== KID_BYTES) return malformed(`kid is not ${KID_BYTES} bytes`);
  if (header.size !== 2) return malformed('protected header has unexpected fields');
  if (unprotected.size !== 0) return malformed('unprotected header must be empty');
  if (signature.length !== SIGNATURE_BYTES) return malformed('signature is not 64 bytes');
  return { ok: true, value: { protectedHeader, kid, payload, signature } };
}

function malformed(message: string): CoseParseResult {
  return { ok: false, code: 'MALFORMED', message };
}
