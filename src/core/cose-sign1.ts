// COSE_Sign1 (RFC 9052 §4.2), untagged: the QR prefix already says what the bytes are.
// alg and kid live in the protected header only, so neither can be swapped without breaking
// the signature; the unprotected header must be empty.
import type { CborValue } from './cbor.ts';
import { decodeStrictCbor, encodeCbor } from './cbor.ts';

const HEADER_ALG = 1;
const HEADER_KID = 4;
/** EdDSA, COSE algorithm -8 (RFC 9053 §2.2). */
export const COSE_ALG_EDDSA = -8;
export const KID_BYTES = 8;
export const SIGNATURE_BYTES = 64;

export function encodeProtectedHeader(kid: Uint8Array): Uint8Array {
  return encodeCbor(new Map<CborValue, CborValue>([[HEADER_ALG, COSE_ALG_EDDSA], [HEADER_KID, kid]]));
}

// 0x84 = array(4); 0x6a 'Signature1' = the context string (RFC 9052 §4.4).
const SIG_STRUCTURE_PREFIX = Uint8Array.of(0x84, 0x6a, 0x53, 0x69, 0x67, 0x6e, 0x61, 0x74, 0x75, 0x72, 0x65, 0x31);
/** external_aad = h'' (a zero-length byte string). */
const EMPTY_EXTERNAL_AAD = 0x40;

/** The bytes that are signed: Sig_structure = ["Signature1", protected, external_aad = h'', payload]. */
export function sigStructure(protectedHeader: Uint8Array, payload: Uint8Array): Uint8Array {
  // One allocation, no intermediate header arrays: this runs once per verification.
  const headerLength = bstrHeaderLength(protectedHeader.length);
  const payloadLength = bstrHeaderLength(payload.length);
  const out = new Uint8Array(SIG_STRUCTURE_PREFIX.length + headerLength + protectedHeader.length + 1 + payloadLength + payload.length);
  out.set(SIG_STRUCTURE_PREFIX, 0);
  let at = writeBstrHeader(out, SIG_STRUCTURE_PREFIX.length, protectedHeader.length);
  out.set(protectedHeader, at);
  at += protectedHeader.length;
  out[at++] = EMPTY_EXTERNAL_AAD;
  at = writeBstrHeader(out, at, payload.length);
  out.set(payload, at);
  return out;
}

function bstrHeaderLength(length: number): number {
  if (length < 24) return 1;
  if (length < 0x100) return 2;
  if (length < 0x10000) return 3;
  throw new TypeError('COSE field larger than 64 KiB');
}

/** Writes the shortest byte-string head (RFC 8949 §3) for `length` at `at`; returns the next position. */
function writeBstrHeader(out: Uint8Array, at: number, length: number): number {
  if (length < 24) {
    out[at] = 0x40 | length;
    return at + 1;
  }
  if (length < 0x100) {
    out[at] = 0x58;
    out[at + 1] = length;
    return at + 2;
  }
  out[at] = 0x59;
  out[at + 1] = length >> 8;
  out[at + 2] = length & 0xff;
  return at + 3;
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
  const canonical = parseCanonicalLayout(bytes);
  if (canonical !== null) return { ok: true, value: canonical };
  return parseCoseSign1Decoded(bytes);
}

/** The general path: strict CBOR decoding and the header rules. Exported so tests can hold the fast path to it. */
export function parseCoseSign1Decoded(bytes: Uint8Array): CoseParseResult {
  const outer = decodeStrictCbor(bytes);
  if (!Array.isArray(outer) || outer.length !== 4) return malformed('not a COSE_Sign1 array of four items');
  const [protectedHeader, unprotected, payload, signature] = outer;
  if (!(protectedHeader instanceof Uint8Array) || !(unprotected instanceof Map) || !(payload instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
    return malformed('COSE_Sign1 items have the wrong types');
  }
  const canonicalKid = kidOfCanonicalHeader(protectedHeader);
  if (canonicalKid !== null) {
    if (unprotected.size !== 0) return malformed('unprotected header must be empty');
    if (signature.length !== SIGNATURE_BYTES) return malformed('signature is not 64 bytes');
    return { ok: true, value: { protectedHeader, kid: canonicalKid, payload, signature } };
  }
  // RFC 9052 §3: an empty protected header is sent as a zero-length byte string, not as an encoded
  // empty map; it must still reach the alg checks below (alg only unprotected → UNSUPPORTED_ALGORITHM).
  const header = protectedHeader.length === 0 ? new Map<CborValue, CborValue>() : decodeStrictCbor(protectedHeader);
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

// Every pass this format's issuers write has exactly this protected header: {1: -8, 4: h'<8 bytes>'}
// = a2 01 27 04 48 <kid>. Recognising those 13 bytes directly skips a CBOR decode on the hot path;
// they decode strictly to the same map, so any other header takes the general path below.
const CANONICAL_HEADER_PREFIX = Uint8Array.of(0xa2, 0x01, 0x27, 0x04, 0x40 | KID_BYTES);

export function kidOfCanonicalHeader(header: Uint8Array): Uint8Array | null {
  if (header.length !== CANONICAL_HEADER_PREFIX.length + KID_BYTES) return null;
  for (let i = 0; i < CANONICAL_HEADER_PREFIX.length; i++) if (header[i] !== CANONICAL_HEADER_PREFIX[i]) return null;
  return header.subarray(CANONICAL_HEADER_PREFIX.length);
}

/**
 * The exact layout every issuer of this format writes, recognised without a general CBOR decode
 * (verification speed: docs/benchmarks.md):
 *   84 | 4d <canonical protected header, 13 bytes> | a0 | bstr payload (shortest length form) | 58 40 <signature>
 * with nothing after it. Strict CBOR decoding of exactly these bytes yields the same four items,
 * so this changes no decision; anything else (other lengths, non-minimal forms, extra headers,
 * trailing bytes) returns null and goes through decodeStrictCbor and the checks above.
 */
export function parseCanonicalLayout(bytes: Uint8Array): ParsedCoseSign1 | null {
  const headerEnd = 2 + CANONICAL_HEADER_PREFIX.length + KID_BYTES;
  if (bytes.length < headerEnd + 2 + 2 + SIGNATURE_BYTES || bytes[0] !== 0x84 || bytes[1] !== 0x40 + headerEnd - 2) return null;
  const protectedHeader = bytes.subarray(2, headerEnd);
  const kid = kidOfCanonicalHeader(protectedHeader);
  if (kid === null || bytes[headerEnd] !== 0xa0) return null;
  const at = headerEnd + 1;
  const major = bytes[at]!;
  let start: number;
  let length: number;
  if (major >= 0x40 && major < 0x58) {
    start = at + 1;
    length = major - 0x40;
  } else if (major === 0x58) {
    start = at + 2;
    length = bytes[at + 1]!;
    if (length < 24) return null;
  } else if (major === 0x59) {
    start = at + 3;
    length = (bytes[at + 1]! << 8) | bytes[at + 2]!;
    if (length < 0x100) return null;
  } else {
    return null;
  }
  const end = start + length;
  if (end + 2 + SIGNATURE_BYTES !== bytes.length || bytes[end] !== 0x58 || bytes[end + 1] !== SIGNATURE_BYTES) return null;
  return { protectedHeader, kid, payload: bytes.subarray(start, end), signature: bytes.subarray(end + 2) };
}

function malformed(message: string): CoseParseResult {
  return { ok: false, code: 'MALFORMED', message };
}
