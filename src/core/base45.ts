// Base45 (RFC 9285). Its alphabet is exactly the QR alphanumeric set, so a base45 string
// stays in the QR code's 5.5-bit alphanumeric mode instead of 8-bit byte mode.

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

const DECODE_TABLE: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
})();

export function encodeBase45(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    let n = (bytes[i]! << 8) | bytes[i + 1]!;
    const c = n % 45;
    n = (n - c) / 45;
    const d = n % 45;
    const e = (n - d) / 45;
    out += ALPHABET[c]! + ALPHABET[d]! + ALPHABET[e]!;
  }
  if (bytes.length % 2 === 1) {
    const n = bytes[bytes.length - 1]!;
    out += ALPHABET[n % 45]! + ALPHABET[Math.floor(n / 45)]!;
  }
  return out;
}

/**
 * Returns null for anything that is not canonical base45 (RFC 9285 §4.2: values over 65535 or 255 are invalid).
 * `start` skips a prefix without copying the string (the verifier decodes after "VP1:").
 */
export function decodeBase45(text: string, start = 0): Uint8Array | null {
  const length = text.length - start;
  if (length < 0) return null;
  const rem = length % 3;
  if (rem === 1) return null;
  const out = new Uint8Array(((length - rem) / 3) * 2 + (rem === 2 ? 1 : 0));
  let o = 0;
  let i = start;
  for (; i + 2 < text.length; i += 3) {
    const c = valueAt(text, i);
    const d = valueAt(text, i + 1);
    const e = valueAt(text, i + 2);
    if (c < 0 || d < 0 || e < 0) return null;
    const n = c + d * 45 + e * 2025;
    if (n > 0xffff) return null;
    out[o++] = n >> 8;
    out[o++] = n & 0xff;
  }
  if (rem === 2) {
    const c = valueAt(text, i);
    const d = valueAt(text, i + 1);
    if (c < 0 || d < 0) return null;
    const n = c + d * 45;
    if (n > 0xff) return null;
    out[o] = n;
  }
  return out;
}

function valueAt(text: string, index: number): number {
  const code = text.charCodeAt(index);
  return code < 128 ? DECODE_TABLE[code]! : -1;
}
