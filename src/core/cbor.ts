// Strict CBOR (RFC 8949) for untrusted input. One byte sequence must mean one thing:
// duplicate map keys, indefinite lengths, non-minimal integers and lengths, tags, undefined,
// NaN/Infinity, big integers and trailing bytes are all refused (RFC 8949 §4.2 deterministic form,
// minus key ordering, which the signature pins anyway).
import { decode, encode } from 'cborg';

const STRICT_DECODE = {
  strict: true,
  rejectDuplicateMapKeys: true,
  allowIndefinite: false,
  allowUndefined: false,
  allowInfinity: false,
  allowNaN: false,
  allowBigInt: false,
  useMaps: true,
  tags: [],
} as const;

export type CborValue = number | string | boolean | null | Uint8Array | CborValue[] | Map<CborValue, CborValue>;

/** Returns null for anything that is not a single, strictly encoded CBOR item. */
export function decodeStrictCbor(bytes: Uint8Array): CborValue | null {
  try {
    return decode(bytes, STRICT_DECODE) as CborValue;
  } catch {
    return null;
  }
}

export function encodeCbor(value: CborValue): Uint8Array {
  return encode(value, { useMaps: true } as Parameters<typeof encode>[1]);
}
