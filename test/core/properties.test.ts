// Property tests (fast-check): random valid passes survive sign → QR text → verify unchanged, and
// no single-byte change to a signed pass, nor any single-character change to its QR text, is
// ever accepted.
import fc from 'fast-check';
import { sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeBase45 } from '../../src/core/base45.ts';
import { fromBase64Url } from '../../src/core/bytes.ts';
import { parseIsoDate } from '../../src/core/civil-time.ts';
import { parseCoseSign1 } from '../../src/core/cose-sign1.ts';
import type { Ed25519Backend } from '../../src/core/crypto/ed25519-backend.ts';
import { createNobleBackend } from '../../src/core/crypto/noble-backend.ts';
import { createWebCryptoBackend } from '../../src/core/crypto/webcrypto-backend.ts';
import { decodeClaims } from '../../src/core/pass-claims-codec.ts';
import { nameProblem, type Pass, type PassContent } from '../../src/core/pass-content.ts';
import { fromQrText, QR_PREFIX, toQrText } from '../../src/core/qr-text.ts';
import { signPass } from '../../src/core/sign-pass.ts';
import { openBundle, type TrustedBundle } from '../../src/core/trust-bundle.ts';
import { verify } from '../../src/core/verify-pass.ts';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend.ts';
import { keyFromSeed, TEST_ONLY_SEEDS } from '../../scripts/generate-vectors.ts';
import type { VectorFile } from '../support/replay-vector.ts';

const file = JSON.parse(readFileSync(new URL('../vectors/vaxpass-v1.json', import.meta.url), 'utf8')) as VectorFile;
const root = fromBase64Url(file.root.publicKey)!;
const issuer = keyFromSeed(TEST_ONLY_SEEDS.issuerActive);
const signer = (m: Uint8Array): Uint8Array => new Uint8Array(sign(null, m, issuer.privateKey));
const now = new Date('2022-01-15T03:00:00Z');
const iat = Date.parse('2022-01-15T00:00:00Z') / 1000;
const day = (iso: string): number => parseIsoDate(iso)!;
const BASE45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

async function opened(backend: Ed25519Backend): Promise<TrustedBundle> {
  const result = await openBundle(file.bundles.default!, { root, now, backend });
  if (!result.ok) throw new Error(result.message);
  return result.bundle;
}

// ---- arbitraries
const hangul = fc.integer({ min: 0xac00, max: 0xd7a3 }).map((c) => String.fromCodePoint(c));
const latin = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzÁÉÍÑÓÚáéíñóúüß-\''.split(''));
const word = fc.array(fc.oneof(hangul, latin), { minLength: 1, maxLength: 12 }).map((cs) => cs.join(''));
const name = fc
  .array(word, { minLength: 1, maxLength: 5 })
  .map((ws) => ws.join(' '))
  .filter((n) => n.normalize('NFC') === n && nameProblem(n) === null);
const civilDay = (from: string, to: string) => fc.integer({ min: day(from), max: day(to) });
const doses = fc
  .uniqueArray(fc.record({ product: fc.integer({ min: 1, max: 5 }), date: civilDay('2021-02-26', '2022-01-14') }), { minLength: 1, maxLength: 4, selector: (d) => d.date })
  .map((ds) => [...ds].sort((a, b) => a.date - b.date));
const facts = fc.oneof(
  doses.map((d) => ({ type: 'vaccination' as const, doses: d })),
  fc.record({
    kind: fc.constantFrom('PCR' as const, 'RAT' as const),
    sampledAt: fc.integer({ min: iat - 6 * 86_400, max: iat }),
    result: fc.constantFrom('negative' as const, 'positive' as const),
  }).map((test) => ({ type: 'test' as const, test })),
  civilDay('2021-01-01', '2022-01-14').map((d) => ({ type: 'recovery' as const, recovery: { firstPositiveTest: d } })),
  fc.tuple(civilDay('2021-01-01', '2022-06-30'), fc.integer({ min: 0, max: 400 })).map(([from, len]) => ({
    type: 'exemption' as const,
    exemption: { validFrom: from, validUntil: Math.min(from + len, 65_535) },
  })),
);
// Born before every generated event (the earliest is 2021-01-01): impossible facts are IMPLAUSIBLE, tested by vectors.
const content: fc.Arbitrary<PassContent> = fc
  .tuple(name, civilDay('1900-01-01', '2020-12-31'), facts, fc.option(fc.uint8Array({ minLength: 32, maxLength: 32 }), { nil: undefined }))
  .map(([n, birthDate, f, deviceKey]) => (deviceKey ? { name: n, birthDate, deviceKey, ...f } : { name: n, birthDate, ...f }) as PassContent);
const passId = fc.uint8Array({ minLength: 8, maxLength: 16 });

function claims(c: PassContent, cti: Uint8Array): Pass {
  const exp = c.type === 'test' ? c.test.sampledAt + 7 * 86_400 : iat + 365 * 86_400;
  return { iss: 'KDCA', iat, nbf: iat, exp, cti, content: c };
}

describe('round trip', () => {
  it('random passes (Hangul and Latin names, all types) decode to exactly what was signed and verify', async () => {
    const bundle = await opened(createNodeCryptoBackend());
    await fc.assert(
      fc.asyncProperty(content, passId, async (c, cti) => {
        const pass = claims(c, cti);
        const text = await signPass(pass, issuer.kid, signer);
        expect(text.startsWith(QR_PREFIX)).toBe(true);
        expect(/^[0-9A-Z $%*+\-./:]+$/.test(text)).toBe(true);
        const qr = fromQrText(text);
        if (!qr.ok) throw new Error(qr.message);
        const cose = parseCoseSign1(qr.bytes);
        if (!cose.ok) throw new Error(cose.message);
        const decoded = decodeClaims(cose.value.payload);
        if (!decoded.ok) throw new Error(decoded.message);
        expect(decoded.pass).toEqual(pass);

        const result = await verify(text, bundle, { now });
        // The format and signature always hold; only the validity rules may refuse the facts.
        if (!result.ok) expect(result.code).toBe('RULES_NOT_MET');
        else {
          expect(result.holder.name).toBe(c.name);
          expect(result.passType).toBe(c.type);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('tampering', () => {
  const maria = file.vectors.find((v) => v.name === 'valid-vaccination-booster')!.text;
  const cose = decodeBase45(maria.slice(QR_PREFIX.length))!;

  it('the reference pass verifies on every backend before tampering', async () => {
    for (const backend of [createNodeCryptoBackend(), createWebCryptoBackend(), createNobleBackend()]) {
      expect((await verify(maria, await opened(backend), { now })).ok).toBe(true);
    }
  });

  it('every single-byte mutation of the COSE bytes (each position, all 255 other values) is rejected (node:crypto, exhaustive)', async () => {
    const bundle = await opened(createNodeCryptoBackend());
    const accepted: string[] = [];
    for (let i = 0; i < cose.length; i++) {
      for (let x = 1; x < 256; x++) {
        const mutated = Uint8Array.from(cose);
        mutated[i]! ^= x;
        if ((await verify(toQrText(mutated), bundle, { now })).ok) accepted.push(`byte ${i} ^ ${x}`);
      }
    }
    expect(accepted).toEqual([]);
  });

  it('any single-byte replacement is rejected (fast-check, node:crypto and WebCrypto)', async () => {
    const bundles = [await opened(createNodeCryptoBackend()), await opened(createWebCryptoBackend())];
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: cose.length - 1 }), fc.integer({ min: 1, max: 255 }), async (i, x) => {
        const mutated = Uint8Array.from(cose);
        mutated[i]! ^= x;
        for (const bundle of bundles) expect((await verify(toQrText(mutated), bundle, { now })).ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('a sample of single-byte replacements is rejected by the noble backend too', async () => {
    const bundle = await opened(createNobleBackend());
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: cose.length - 1 }), fc.integer({ min: 1, max: 255 }), async (i, x) => {
        const mutated = Uint8Array.from(cose);
        mutated[i]! ^= x;
        expect((await verify(toQrText(mutated), bundle, { now })).ok).toBe(false);
      }),
      { numRuns: 60 },
    );
  });

  it('every single-character substitution in the QR text is rejected (node:crypto, exhaustive)', async () => {
    const bundle = await opened(createNodeCryptoBackend());
    const accepted: string[] = [];
    let tried = 0;
    for (let i = 0; i < maria.length; i++) {
      for (const c of BASE45 + 'abcvp%') {
        if (c === maria[i]) continue;
        const text = maria.slice(0, i) + c + maria.slice(i + 1);
        tried++;
        if ((await verify(text, bundle, { now })).ok) accepted.push(`${i}:${c}`);
      }
    }
    expect(tried).toBeGreaterThan(maria.length * 44);
    expect(accepted).toEqual([]);
  });
});
