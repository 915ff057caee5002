// Strict CBOR (RFC 8949) for untrusted input. One byte sequence must mean one thing:
// duplicate map keys, indefinite lengths, non-minimal integers and lengths, tags, undefined,
// floats (the format has none, and 1.0 would otherwise pass for the integer 1), big integers,
// invalid UTF-8 in text strings and trailing bytes are all refused (RFC 8949 §4.2 deterministic
// form, minus key ordering, which the signature pins anyway).
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

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// Checks cborg does not make itself: it replaces invalid UTF-8 with U+FFFD (so two byte strings
// would decode to one text; RFC 8949 §3.1 requires valid UTF-8) and accepts floats in any width,
// which decode to plain numbers indistinguishable from integers.
// They run as a scan over the item heads before decoding rather than in a custom cborg tokenizer,
// which doubled decode time (docs/benchmarks.md). In definite-length CBOR every item is a head
// plus, for byte and text strings, its content, so a flat walk over heads visits every item.
// Whenever the walk stops early (reserved or indefinite-length heads, truncation) cborg's strict
// decode refuses the input anyway.
function passesExtraChecks(bytes: Uint8Array): boolean {
  let pos = 0;
  while (pos < bytes.length) {
    const initial = bytes[pos]!;
    const major = initial >> 5;
    const minor = initial & 31;
    if (major === 7 && minor >= 25 && minor <= 27) return false; // half, single, double float
    const argumentBytes = minor < 24 ? 0 : minor === 24 ? 1 : minor === 25 ? 2 : minor === 26 ? 4 : minor === 27 ? 8 : -1;
    if (argumentBytes < 0) return true;
    let argument = minor < 24 ? minor : 0;
    for (let i = 1; i <= argumentBytes; i++) argument = argument * 256 + (bytes[pos + i] ?? 0);
    pos += 1 + argumentBytes;
    if (major === 2 || major === 3) {
      if (argument > bytes.length - pos) return true;
      if (major === 3 && !isUtf8(bytes, pos, pos + argument)) return false;
      pos += argument;
    }
  }
  return true;
}

function isUtf8(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    if (bytes[i]! >= 0x80) {
      try {
        fatalUtf8.decode(bytes.subarray(from, to));
        return true;
      } catch {
        return false;
      }
    }
  }
  return true; // ASCII
}

export type CborValue = number | string | boolean | null | Uint8Array | CborValue[] | Map<CborValue, CborValue>;

/** Returns null for anything that is not a single, strictly encoded CBOR item. */
export function decodeStrictCbor(bytes: Uint8Array): CborValue | null {
  try {
    if (!passesExtraChecks(bytes)) return null;
    return decode(bytes, STRICT_DECODE) as CborValue;
  } catch {
    return null;
  }
}

export function encodeCbor(value: CborValue): Uint8Array {
  return encode(value, { useMaps: true } as Parameters<typeof encode>[1]);
}
