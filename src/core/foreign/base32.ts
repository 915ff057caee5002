// Base32 (RFC 4648 §6) without padding, as NZ COVID Pass uses it after "NZCP:/1/".

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const TABLE: Int8Array = (() => {
  const t = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) t[ALPHABET.charCodeAt(i)] = i;
  return t;
})();

/** Null for foreign characters, padding, impossible lengths or non-zero trailing bits. */
export function decodeBase32(text: string, start = 0): Uint8Array | null {
  const length = text.length - start;
  // Lengths 1, 3 and 6 (mod 8) cannot end a byte sequence.
  if (length < 0 || [1, 3, 6].includes(length % 8)) return null;
  const out = new Uint8Array(Math.floor((length * 5) / 8));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = start; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const v = code < 128 ? TABLE[code]! : -1;
    if (v < 0) return null;
    acc = ((acc << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) return null;
  return out;
}
