// Strict CBOR (RFC 8949) for untrusted input. One byte sequence must mean one thing:
// duplicate map keys, indefinite lengths, non-minimal integers and lengths, tags, undefined,
// floats (the format has none, and 1.0 would otherwise pass for the integer 1), big integers,
// invalid UTF-8 in text strings and trailing bytes are all refused (RFC 8949 §4.2 deterministic
// form, minus key ordering, which the signature pins anyway).
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

// Checks cborg does not make itself: it replaces invalid UTF-8 with U+FFFD (so two byte strings
// would decode to one text; RFC 8949 §3.1 requires valid UTF-8) and accepts floats in any width,
// which decode to plain numbers indistinguishable from integers.
class StrictTokenizer extends Tokenizer {
  override next(): Token {
    const token = super.next();
    if (token.type === Type.float) throw new TypeError('floating-point values are not used in vaxpass CBOR');
    if (token.type === Type.string && token.byteValue) fatalUtf8.decode(token.byteValue);
    return token;
  }
}

export type CborValue = number | string | boolean | null | Uint8Array | CborValue[] | Map<CborValue, CborValue>;

/** Returns null for anything that is not a single, strictly encoded CBOR item. */
export function decodeStrictCbor(bytes: Uint8Array): CborValue | null {
  try {
    return decode(bytes, { ...STRICT_DECODE, tokenizer: new StrictTokenizer(bytes, STRICT_DECODE) }) as CborValue;
  } catch {
    return null;
  }
}

export function encodeCbor(value: CborValue): Uint8Array {
  return encode(value, { useMaps: true } as Parameters<typeof encode>[1]);
}
