// The byte-level codecs the pass format rests on: base45 (RFC 9285), strict CBOR (RFC 8949),
// unpadded base64url (RFC 4648 §5) and the QR text wrapper.
import { describe, expect, it } from 'vitest';
import { decodeBase45, encodeBase45 } from '../../src/core/base45.ts';
import { fromBase64Url, fromHex, toBase64Url, toHex } from '../../src/core/bytes.ts';
import { decodeStrictCbor, encodeCbor } from '../../src/core/cbor.ts';
import type { Pass } from '../../src/core/pass-content.ts';
import { decodeClaims, encodeClaims } from '../../src/core/pass-claims-codec.ts';
import { fromQrText, MAX_QR_TEXT_LENGTH, toQrText } from '../../src/core/qr-text.ts';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const bytes = (hex: string): Uint8Array => fromHex(hex)!;

describe('base45 (RFC 9285)', () => {
  it.each([
    ['AB', 'BB8'],
    ['Hello!!', '%69 VD92EX0'],
    ['base-45', 'UJCLQE7W581'],
    ['ietf!', 'QED8WEX0'],
  ])('§4.3 example %j ↔ %j', (plain, encoded) => {
    expect(encodeBase45(ascii(plain))).toBe(encoded);
    expect(decodeBase45(encoded)).toEqual(ascii(plain));
  });

  it('round-trips the empty string and every byte value', () => {
    expect(encodeBase45(new Uint8Array(0))).toBe('');
    expect(decodeBase45('')).toEqual(new Uint8Array(0));
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(decodeBase45(encodeBase45(all))).toEqual(all);
    expect(decodeBase45(encodeBase45(all.subarray(1)))).toEqual(all.subarray(1));
  });

  it.each([
    ['GGW', 'triple above 65535 (RFC 9285 §4.2: 16 + 16·45 + 32·2025 = 65536)'],
    [':::', 'triple far above 65535'],
    ['::', 'pair above 255'],
    ['A', 'length ≡ 1 (mod 3)'],
    ['BB8A', 'length ≡ 1 (mod 3)'],
    ['bb8', 'lower-case letters are not in the alphabet'],
    ['BB#', 'character outside the alphabet'],
    ['BB\u00e9', 'non-ASCII character'],
  ])('rejects %j (%s)', (text) => {
    expect(decodeBase45(text)).toBeNull();
  });

  it('accepts the largest valid triple and pair', () => {
    expect(decodeBase45('FGW')).toEqual(Uint8Array.of(0xff, 0xff));
    expect(decodeBase45('U5')).toEqual(Uint8Array.of(0xff));
  });
});

describe('strict CBOR (RFC 8949 §4.2, as configured in src/core/cbor.ts)', () => {
  it('decodes well-formed input into Maps, arrays and byte strings', () => {
    const value = decodeStrictCbor(bytes('a2012704480102030405060708'));
    expect(value).toBeInstanceOf(Map);
    expect((value as Map<unknown, unknown>).get(1)).toBe(-8);
    expect((value as Map<unknown, unknown>).get(4)).toEqual(bytes('0102030405060708'));
    expect(decodeStrictCbor(encodeCbor([1, 'a', bytes('ff'), null, true]))).toEqual([1, 'a', bytes('ff'), null, true]);
  });

  it.each([
    ['a201010102', 'duplicate map key'],
    ['a2616101616102', 'duplicate text map key'],
    ['9f01ff', 'indefinite-length array'],
    ['bf0101ff', 'indefinite-length map'],
    ['5f4101ff', 'indefinite-length byte string'],
    ['7f6161ff', 'indefinite-length text string'],
    ['1801', 'non-minimal integer (1 in a 1-byte extension)'],
    ['190001', 'non-minimal integer (1 in a 2-byte extension)'],
    ['1a00000001', 'non-minimal integer (1 in a 4-byte extension)'],
    ['1b0000000000000001', 'non-minimal integer (1 in an 8-byte extension)'],
    ['380f', 'non-minimal negative integer'],
    ['580141', 'non-minimal byte-string length'],
    ['c11a00000000', 'tag 1 (epoch time)'],
    ['d28440a0f640', 'tag 18 (COSE_Sign1)'],
    ['0100', 'trailing byte'],
    ['a10101ff', 'trailing break byte'],
    ['f7', 'undefined'],
    ['f97e00', 'NaN'],
    ['f97c00', 'Infinity'],
    ['1bffffffffffffffff', 'integer beyond 2^53 (big integers are refused)'],
    ['', 'empty input'],
    ['82', 'truncated array'],
    ['62c328', 'invalid UTF-8 in a text string'],
    ['fa3f800000', 'a float (1.0 as single precision) where an integer belongs'],
    ['fb41d87883a0000000', 'a float with an integral value (1642204800.0)'],
    ['f93c00', 'a half-precision float'],
  ])('rejects %s (%s)', (hex) => {
    expect(decodeStrictCbor(bytes(hex))).toBeNull();
  });
});

describe('base64url (RFC 4648 §5, unpadded)', () => {
  it('round-trips lengths 0..10', () => {
    for (let n = 0; n <= 10; n++) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 0xff);
      expect(fromBase64Url(toBase64Url(data))).toEqual(data);
    }
    expect(toBase64Url(Uint8Array.of(0xfb, 0xff))).toBe('-_8');
  });

  it.each([
    ['AA==', 'padding'],
    ['A', 'length ≡ 1 (mod 4)'],
    ['+/8', 'standard base64 alphabet'],
    ['AB', 'non-zero trailing bits (canonical form is AA)'],
    ['AAB', 'non-zero trailing bits (canonical form is AAA)'],
    ['AA A', 'space'],
    ['QUJD\u00e9', 'non-ASCII character'],
  ])('rejects %j (%s)', (text) => {
    expect(fromBase64Url(text)).toBeNull();
  });

  it('hex helpers are strict lower-case', () => {
    expect(toHex(Uint8Array.of(0, 255))).toBe('00ff');
    expect(fromHex('00FF')).toBeNull();
    expect(fromHex('abc')).toBeNull();
  });
});

describe('QR text', () => {
  it('is "VP1:" + base45 and round-trips', () => {
    const text = toQrText(Uint8Array.of(1, 2, 3));
    expect(text.startsWith('VP1:')).toBe(true);
    expect(fromQrText(text)).toEqual({ ok: true, bytes: Uint8Array.of(1, 2, 3) });
  });

  it('refuses over-long text before decoding it', () => {
    expect(fromQrText('VP1:' + '0'.repeat(MAX_QR_TEXT_LENGTH))).toMatchObject({ ok: false, code: 'MALFORMED' });
  });

  it('reports another version as UNSUPPORTED_VERSION and anything else as MALFORMED', () => {
    expect(fromQrText('VP2:000')).toMatchObject({ ok: false, code: 'UNSUPPORTED_VERSION' });
    expect(fromQrText('VP10:000')).toMatchObject({ ok: false, code: 'UNSUPPORTED_VERSION' });
    expect(fromQrText('vp1:000')).toMatchObject({ ok: false, code: 'MALFORMED' });
    expect(fromQrText('VP1%3A000')).toMatchObject({ ok: false, code: 'MALFORMED' });
    expect(fromQrText(' VP1:000')).toMatchObject({ ok: false, code: 'MALFORMED' });
    // docs/pass-format.md §1: only the exact "VP1:" is version 1; VP + 1 to 3 digits is another version.
    expect(fromQrText('VP01:000')).toMatchObject({ ok: false, code: 'UNSUPPORTED_VERSION' });
    expect(fromQrText('VP999:000')).toMatchObject({ ok: false, code: 'UNSUPPORTED_VERSION' });
    expect(fromQrText('VP1000:000')).toMatchObject({ ok: false, code: 'MALFORMED' });
  });
});

describe('claims times (docs/pass-format.md §3: unix seconds below 2^40)', () => {
  const base: Pass = {
    iss: 'KDCA',
    iat: 1_642_204_800,
    nbf: 1_642_204_800,
    exp: 1_673_740_800,
    cti: Uint8Array.from({ length: 8 }, (_, i) => i + 1),
    content: { name: 'Maria', birthDate: 5551, type: 'test', test: { kind: 'PCR', sampledAt: 1_642_200_000, result: 'negative' } },
  };

  it('accepts 2^40 - 1 and refuses 2^40 for exp and the test sample time', () => {
    expect(decodeClaims(encodeClaims({ ...base, exp: 2 ** 40 - 1 })).ok).toBe(true);
    expect(decodeClaims(encodeClaims({ ...base, exp: 2 ** 40 }))).toMatchObject({ ok: false, message: 'exp is missing or invalid' });
    const at = (sampledAt: number): Pass => ({ ...base, content: { ...base.content, type: 'test', test: { kind: 'PCR', sampledAt, result: 'negative' } } });
    expect(decodeClaims(encodeClaims(at(2 ** 40 - 1))).ok).toBe(true);
    expect(decodeClaims(encodeClaims(at(2 ** 40)))).toMatchObject({ ok: false, message: 'test sample time is invalid' });
  });
});
