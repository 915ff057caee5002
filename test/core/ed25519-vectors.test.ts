// Every backend behind the strict policy must give the same answer on public Ed25519 edge-case
// vectors, and that answer must be the one our policy documents (test/vectors/ed25519/PROVENANCE.md).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Ed25519Backend } from '../../src/core/crypto/ed25519-backend.ts';
import { verifyEd25519Strict } from '../../src/core/crypto/ed25519-policy.ts';
import { createNobleBackend } from '../../src/core/crypto/noble-backend.ts';
import { createWebCryptoBackend } from '../../src/core/crypto/webcrypto-backend.ts';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend.ts';

const dir = new URL('../vectors/ed25519/', import.meta.url);
const load = <T>(name: string): T => JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as T;
const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const backends: Ed25519Backend[] = [createNodeCryptoBackend(), createWebCryptoBackend(), createNobleBackend()];

async function answers(sig: Uint8Array, msg: Uint8Array, key: Uint8Array): Promise<boolean[]> {
  return Promise.all(backends.map((b) => verifyEd25519Strict(b, sig, msg, key)));
}

interface WycheproofFile {
  numberOfTests: number;
  testGroups: { publicKey: { pk: string }; tests: { tcId: number; msg: string; sig: string; result: 'valid' | 'invalid'; comment: string }[] }[];
}

describe('Wycheproof ed25519_test.json', () => {
  const file = load<WycheproofFile>('wycheproof-ed25519.json');
  const tests = file.testGroups.flatMap((g) => g.tests.map((t) => ({ ...t, pk: g.publicKey.pk })));

  it('is complete', () => {
    expect(tests).toHaveLength(file.numberOfTests);
    expect(tests.map((t) => t.tcId)).toEqual(Array.from({ length: 151 }, (_, i) => i + 1));
  });

  it('all backends agree with each other and with every expected result', async () => {
    const wrong: string[] = [];
    for (const t of tests) {
      const got = await answers(hex(t.sig), hex(t.msg), hex(t.pk));
      // No policy difference with Wycheproof: our answer is the file's result on every test.
      const expected = t.result === 'valid';
      if (got.some((g) => g !== expected)) wrong.push(`tcId ${t.tcId} (${t.comment}): expected ${expected}, got ${got.join('/')}`);
    }
    expect(wrong).toEqual([]);
  });
});

interface CctvVector { number: number; key: string; sig: string; msg: string; flags: string[] }

const REJECTING_FLAGS = ['low_order_A', 'non_canonical_A', 'non_canonical_R', 'low_order_residue'];

describe('CCTV ed25519vectors.json (documented subset)', () => {
  const vectors = load<CctvVector[]>('cctv-ed25519vectors-subset.json');

  it('holds the documented windows', () => {
    expect(vectors).toHaveLength(97);
    const numbers = vectors.map((v) => v.number);
    expect(numbers).toEqual([...range(0, 39), ...range(457, 498), ...range(899, 913)]);
  });

  it('all backends agree, and accept exactly the vectors without a rejecting flag', async () => {
    const wrong: string[] = [];
    const accepted: number[] = [];
    for (const v of vectors) {
      const got = await answers(hex(v.sig), new TextEncoder().encode(v.msg), hex(v.key));
      const expected = !v.flags.some((f) => REJECTING_FLAGS.includes(f));
      if (expected) accepted.push(v.number);
      if (got.some((g) => g !== expected)) wrong.push(`#${v.number} [${v.flags.join(',')}]: expected ${expected}, got ${got.join('/')}`);
    }
    expect(wrong).toEqual([]);
    expect(accepted).toEqual([5, 7, 27, 29, 463, 465, 471, 473, 479, 481, 487, 489, 495, 497, 899]);
  });

  it('policy differences: small-order A and non-canonical A are rejected even where the raw equation holds', async () => {
    for (const n of [1, 3, 9, 11, 23, 25, 901, 903]) {
      const v = vectors.find((x) => x.number === n)!;
      expect(await answers(hex(v.sig), new TextEncoder().encode(v.msg), hex(v.key)), `#${n}`).toEqual([false, false, false]);
    }
    // node:crypto alone accepts these; only the policy in front of it rejects them.
    const raw = createNodeCryptoBackend();
    for (const n of [9, 11, 901, 903]) {
      const v = vectors.find((x) => x.number === n)!;
      expect(await raw.verify(hex(v.sig), new TextEncoder().encode(v.msg), hex(v.key)), `raw #${n}`).toBe(true);
    }
  });
});

interface SpeccheckCase { case: number; msg: string; pbk: string; sig: string }

describe('ed25519-speccheck ("Taming the many EdDSAs") cases', () => {
  const cases = load<SpeccheckCase[]>('speccheck-cases.json');
  // Our policy's answer per case and why (PROVENANCE.md).
  const expected: Record<number, [boolean, string]> = {
    0: [false, 'small-order A'],
    1: [false, 'small-order A'],
    2: [true, 'cofactorless equation holds; mixed-order A is allowed'],
    3: [true, 'cofactorless equation holds'],
    4: [false, 'only the cofactored equation holds'],
    5: [false, 'only the cofactored equation holds'],
    6: [false, 'S >= L'],
    7: [false, 'S >= L'],
    8: [false, 'non-canonical R'],
    9: [false, 'non-canonical R'],
    10: [false, 'non-canonical A'],
    11: [false, 'non-canonical A'],
  };

  it('has all 12 cases', () => {
    expect(cases.map((c) => c.case)).toEqual(range(0, 11));
  });

  for (const [n, [accept, why]] of Object.entries(expected)) {
    it(`case ${n}: ${accept ? 'accept' : 'reject'} (${why})`, async () => {
      const c = cases.find((x) => x.case === Number(n))!;
      expect(await answers(hex(c.sig), hex(c.msg), hex(c.pbk))).toEqual([accept, accept, accept]);
    });
  }
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
