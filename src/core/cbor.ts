// Strict CBOR (RFC 8949) for untrusted input. One byte sequence must mean one thing:
// duplicate map keys, indefinite lengths, non-minimal integers and lengths, tags, undefined,
// NaN/Infinity, big integers, invalid UTF-8 in text strings and trailing bytes are all refused
// (RFC 8949 §4.2 deterministic form, minus key ordering, which the signature pins anyway).
import { decode, encode, Tokenizer, Type, type Token } from 'cborg';

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
  retainStringBytes: true,
} as const;

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// cborg replaces invalid UTF-8 with U+FFFD, so two different byte strings would decode to the same
// text; RFC 8949 §3.1 (major type 3) requires valid UTF-8, so such input is refused instead.
class StrictUtf8Tokenizer extends Tokenizer {
  override next(): Token {
    const token = super.next();
    if (token.type === Type.string && token.byteValue) fatalUtf8.decode(token.byteValue);
    return token;
  }
}

export type CborValue = number | string | boolean | null | Uint8Array | CborValue[] | Map<CborValue, CborValue>;

/** Returns null for anything that is not a single, strictly encoded CBOR item. */
export function decodeStrictCbor(bytes: Uint8Array): CborValue | null {
  try {
    return decode(bytes, { ...STRICT_DECODE, tokenizer: new StrictUtf8Tokenizer(bytes, STRICT_DECODE) }) as CborValue;
  } catch {
    return null;
  }
}

export function encodeCbor(value: CborValue): Uint8Array {
  return encode(value, { useMaps: true } as Parameters<typeof encode>[1]);
}
