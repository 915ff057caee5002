// The bundle's revoked-pass encoding: exact membership on 40-bit prefixes, a canonical coding that
// round-trips, and strict decoding of hostile blocks (a string, never a throw).
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toBase64Url } from '../../src/core/bytes.ts';
import { decodeRevokedBlock, decodeRevokedPasses, encodeRevokedBlock, RevokedPassSet } from '../../src/core/revoked-pass-set.ts';

const ids = (n: number): string[] => Array.from({ length: n }, () => randomBytes(8).toString('hex'));

describe('RevokedPassSet', () => {
  it('round-trips through the bundle form and answers membership exactly on the 40-bit prefix', () => {
    const revoked = ids(5_000);
    const set = RevokedPassSet.fromPassIds(revoked);
    const decoded = decodeRevokedPasses(JSON.parse(JSON.stringify(set.encode())));
    if (typeof decoded === 'string') throw new Error(decoded);
    expect(decoded.size).toBe(5_000);
    expect(decoded.equals(set)).toBe(true);
    for (const id of revoked.slice(0, 500)) {
      expect(decoded.has(id)).toBe(true);
      expect(decoded.has(Buffer.from(id, 'hex'))).toBe(true);
      expect(decoded.has(`${id.slice(0, 10)}ffffff`)).toBe(true);
    }
    for (const id of ids(2_000)) expect(decoded.has(id)).toBe(revoked.some((r) => r.slice(0, 10) === id.slice(0, 10)));
    expect(decoded.has('00')).toBe(false);
  });

  it('codes the extremes of a block: 0, 2^32 - 1, neighbours, one entry, and is deterministic', () => {
    for (const lows of [[0], [0xffffffff], [0, 1, 2, 0xfffffffe, 0xffffffff], [7]]) {
      const text = encodeRevokedBlock(Uint32Array.from(lows));
      expect([...(decodeRevokedBlock(text) as Uint32Array)]).toEqual(lows);
      expect(encodeRevokedBlock(Uint32Array.from(lows))).toBe(text);
    }
    expect(RevokedPassSet.fromPassIds([]).encode()).toEqual({});
    expect(RevokedPassSet.fromPassIds(['aa00000001', 'aa00000001ff']).size).toBe(1);
  });

  it('unions sets, as a delta does', () => {
    const a = ids(100);
    const b = ids(100);
    const union = RevokedPassSet.fromPassIds(a).union(RevokedPassSet.fromPassIds(b));
    expect(union.equals(RevokedPassSet.fromPassIds([...a, ...b, ...a]))).toBe(true);
    // Only blocks the other set has entries in are new; the rest are shared, not copied.
    const one = RevokedPassSet.fromPassIds(['7e00000001']);
    const big = RevokedPassSet.fromPassIds(a);
    const plusOne = big.union(one);
    for (let b = 0; b < 256; b++) if (b !== 0x7e) expect(plusOne.block(b)).toBe(big.block(b));
    expect(plusOne.size).toBe(big.size + (big.has('7e00000001') ? 0 : 1));
    expect(plusOne.encode([0x7e, 0x7f])).toEqual(Object.fromEntries(Object.entries(plusOne.encode()).filter(([k]) => k === '7e' || k === '7f')));
  });

  it('stays well inside the size goal: 100,000 revocations in under 400 KB before base64url', () => {
    const bytes = Object.values(RevokedPassSet.fromPassIds(ids(100_000)).encode()).reduce((n, text) => n + (text.length * 3) / 4, 0);
    expect(bytes).toBeLessThan(400_000);
  });

  it.each<[string, unknown]>([
    ['an array (the retired hex list)', ['7e577ec700000001']],
    ['null', null],
    ['an upper-case block key', { AB: encodeRevokedBlock(Uint32Array.of(1)) }],
    ['a three-digit block key', { abc: encodeRevokedBlock(Uint32Array.of(1)) }],
    ['a block that is not a string', { ab: 5 }],
    ['an empty block', { ab: '' }],
    ['a Rice parameter above 31', { ab: toBase64Url(Uint8Array.of(32, 1, 0, 0, 0, 0, 0)) }],
    ['a zero count', { ab: toBase64Url(Uint8Array.of(4, 0, 0)) }],
    ['a count the data cannot hold', { ab: toBase64Url(Uint8Array.of(31, 100, 0, 0, 0, 0)) }],
    ['a count that never ends', { ab: toBase64Url(Uint8Array.of(4, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)) }],
    ['non-zero padding', { ab: toBase64Url(Uint8Array.of(4, 1, 0b00000111)) }],
    ['a trailing byte', { ab: toBase64Url(Uint8Array.of(4, 1, 0b00000000, 0)) }],
    ['a value beyond 32 bits', { ab: toBase64Url(Uint8Array.of(31, 2, 0x7f, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00)) }],
    ['an unending unary run', { ab: toBase64Url(Uint8Array.of(0, 1, 0xff, 0xff)) }],
  ])('refuses %s with a message, never a throw', (_, value) => {
    expect(typeof decodeRevokedPasses(value)).toBe('string');
  });
});
