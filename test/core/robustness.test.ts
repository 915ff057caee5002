// The verifier's promises under hostile input (docs/pass-format.md §1, §4, §7): verify() never
// throws, whatever string or byte sequence it is given, and refuses over-long text unread; and the
// COSE fast path (parseCanonicalLayout, taken for the layout every issuer writes) decides exactly
// as the general strict-CBOR path would on valid and mutated inputs alike.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeBase45, encodeBase45 } from '../../src/core/base45.ts';
import { fromBase64Url } from '../../src/core/bytes.ts';
import { decodeStrictCbor, encodeCbor, type CborValue } from '../../src/core/cbor.ts';
import { formatIsoDate } from '../../src/core/civil-time.ts';
import {
  encodeCoseSign1,
  encodeProtectedHeader,
  kidOfCanonicalHeader,
  parseCanonicalLayout,
  parseCoseSign1,
  parseCoseSign1Decoded,
  type CoseParseResult,
} from '../../src/core/cose-sign1.ts';
import type { Ed25519Backend } from '../../src/core/crypto/ed25519-backend.ts';
import { LIMITS } from '../../src/core/pass-content.ts';
import { MAX_QR_TEXT_LENGTH, QR_PREFIX } from '../../src/core/qr-text.ts';
import { openBundle, type TrustedBundle } from '../../src/core/trust-bundle.ts';
import { verify } from '../../src/core/verify-pass.ts';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend.ts';
import type { VectorFile } from '../support/replay-vector.ts';

const file = JSON.parse(readFileSync(new URL('../vectors/vaxpass-v1.json', import.meta.url), 'utf8')) as VectorFile;
const root = fromBase64Url(file.root.publicKey)!;
const now = new Date('2022-01-15T03:00:00Z');
const passTexts = file.vectors.map((v) => v.text).filter((t) => t.startsWith(QR_PREFIX));
const BASE45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
/** The most bytes a text of MAX_QR_TEXT_LENGTH characters can carry after the prefix. */
const MAX_COSE_BYTES = Math.floor((MAX_QR_TEXT_LENGTH - QR_PREFIX.length) / 3) * 2 + 1;

async function opened(backend: Ed25519Backend): Promise<TrustedBundle> {
  const result = await openBundle(file.bundles.default!, { root, now, backend });
  if (!result.ok) throw new Error(result.message);
  return result.bundle;
}

/** verify() must resolve (never reject) to a well-formed result. */
async function settles(text: unknown, bundle: TrustedBundle): Promise<void> {
  const result = await verify(text as string, bundle, { now });
  if (result.ok) expect(typeof result.holder.name).toBe('string');
  else {
    expect(typeof result.code).toBe('string');
    expect(typeof result.message).toBe('string');
  }
}

describe('verify never throws', () => {
  it('on arbitrary strings, with and without the VP1: prefix', async () => {
    const bundle = await opened(createNodeCryptoBackend());
    const anyString = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.string({ unit: fc.constantFrom(...BASE45.split('')), maxLength: 400 }),
      fc.string({ unit: fc.constantFrom(...`${BASE45}abcvp\u0000\n\u00e9\ud800`.split('')), maxLength: 400 }),
    );
    await fc.assert(
      fc.asyncProperty(anyString, fc.boolean(), async (s, prefixed) => {
        await settles(prefixed ? QR_PREFIX + s : s, bundle);
      }),
      { numRuns: 1500 },
    );
  });

  it('on arbitrary byte arrays wrapped as VP1: + base45, up to the largest QR code', async () => {
    const bundle = await opened(createNodeCryptoBackend());
    const bytes = fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ minLength: MAX_COSE_BYTES - 50, maxLength: MAX_COSE_BYTES }));
    await fc.assert(
      fc.asyncProperty(bytes, async (b) => {
        const text = QR_PREFIX + encodeBase45(b);
        expect(text.length).toBeLessThanOrEqual(MAX_QR_TEXT_LENGTH);
        const result = await verify(text, bundle, { now });
        expect(result.ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('on CBOR nested as deep as the largest QR code allows', async () => {
    const bundle = await opened(createNodeCryptoBackend());
    for (const head of [0x81, 0xa1, 0x41]) {
      const deep = new Uint8Array(MAX_COSE_BYTES).fill(head);
      expect(await verify(QR_PREFIX + encodeBase45(deep), bundle, { now })).toMatchObject({ ok: false, code: 'MALFORMED' });
    }
  });

  it('on values that are not strings at all', async () => {
    const bundle = await opened(createNodeCryptoBackend());
    await fc.assert(
      fc.asyncProperty(fc.anything(), async (value) => {
        // Arrays of strings are real input: the chunks of a pass in several QR codes.
        if (typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string'))) return;
        expect(await verify(value as string, bundle, { now })).toMatchObject({ ok: false, code: 'MALFORMED' });
      }),
      { numRuns: 300 },
    );
  });

  it('on nested arrays of texts (a counterexample the property once found)', async () => {
    const bundle = await opened(createNodeCryptoBackend());
    for (const value of [[[' ']], [['VP1:']], ['shc:/1/2/00', ['shc:/2/2/00']]]) {
      expect(await verify(value as never, bundle, { now })).toMatchObject({ ok: false, code: 'MALFORMED' });
    }
  });

  it('when a backend breaks its contract (throws, rejects, or answers neither boolean nor promise)', async () => {
    const text = file.vectors.find((v) => v.name === 'valid-vaccination-booster')!.text;
    const misbehaviours: [string, Ed25519Backend['verify']][] = [
      ['throws', () => { throw new Error('boom'); }],
      ['rejects', () => Promise.reject(new Error('boom'))],
      ['undefined', () => undefined as unknown as boolean],
      ['truthy', () => 1 as unknown as boolean],
    ];
    for (const [name, misbehave] of misbehaviours) {
      // Honest while the bundle is opened (certificate and bundle signatures), broken for the pass.
      const node = createNodeCryptoBackend();
      let calls = 0;
      const backend: Ed25519Backend = { name, verify: (...args) => (++calls <= 2 ? node.verify(...args) : misbehave(...args)) };
      expect(await verify(text, await opened(backend), { now }), name).toMatchObject({ ok: false, code: 'BAD_SIGNATURE' });
    }
  });
});

describe('bounded work', () => {
  it('refuses text longer than the largest QR code before decoding it', async () => {
    const bundle = await opened(createNodeCryptoBackend());
    const valid = file.vectors.find((v) => v.name === 'valid-vaccination-booster')!.text;
    // A valid pass padded past the limit, and megabytes of text: both refused on length alone.
    for (const text of [valid + '0'.repeat(MAX_QR_TEXT_LENGTH), QR_PREFIX + '0'.repeat(8 * 1024 * 1024)]) {
      expect(await verify(text, bundle, { now })).toEqual({ ok: false, code: 'MALFORMED', message: `text is longer than ${MAX_QR_TEXT_LENGTH} characters` });
    }
  });
});

// ---- COSE fast path ≡ strict path

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.length).equals(b);

const sameDecision = (fast: CoseParseResult, strict: CoseParseResult): void => {
  expect(fast.ok).toBe(strict.ok);
  if (fast.ok && strict.ok) {
    for (const field of ['protectedHeader', 'kid', 'payload', 'signature'] as const) {
      expect(sameBytes(fast.value[field], strict.value[field]), field).toBe(true);
    }
  } else if (!fast.ok && !strict.ok) {
    expect(fast.code).toBe(strict.code);
  }
};

/** Checks one input: where the fast layout reader answers, the strict decoder must agree field for field. */
function checkEquivalence(bytes: Uint8Array): 'fast' | 'general' {
  const strict = parseCoseSign1Decoded(bytes);
  sameDecision(parseCoseSign1(bytes), strict);
  const fast = parseCanonicalLayout(bytes);
  if (fast === null) return 'general';
  expect(strict.ok).toBe(true);
  sameDecision({ ok: true, value: fast }, strict);
  return 'fast';
}

const kid = fc.uint8Array({ minLength: 8, maxLength: 8 });
const signature = fc.uint8Array({ minLength: 64, maxLength: 64 });
// Payload lengths around every length-form boundary (23/24, 255/256) and up to the QR limit.
const payload = fc.oneof(
  fc.uint8Array({ maxLength: 30 }),
  fc.integer({ min: 250, max: 260 }).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
  fc.uint8Array({ maxLength: MAX_COSE_BYTES - 90 }),
);
const validCose = fc.tuple(kid, payload, signature).map(([k, p, s]) => encodeCoseSign1(encodeProtectedHeader(k), p, s));

type Edit = { at: number; value: number; op: 'set' | 'insert' | 'delete' | 'truncate' };
const edits = fc.array(
  fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }), op: fc.constantFrom<Edit['op']>('set', 'insert', 'delete', 'truncate') }),
  { minLength: 1, maxLength: 3 },
);
function applyEdits(bytes: Uint8Array, list: readonly Edit[]): Uint8Array {
  const out = Array.from(bytes);
  for (const { at, value, op } of list) {
    const i = at % (out.length + 1);
    if (op === 'set' && i < out.length) out[i] = value;
    else if (op === 'insert') out.splice(i, 0, value);
    else if (op === 'delete') out.splice(i, 1);
    else if (op === 'truncate') out.length = i;
  }
  return Uint8Array.from(out);
}

/** Same items as a valid pass, but spelled in ways the fast path must hand over to the strict path. */
const respelled = fc.tuple(kid, payload, signature, fc.integer({ min: 0, max: 7 })).map(([k, p, s, variant]): Uint8Array => {
  const header = encodeProtectedHeader(k);
  const bstrHead = (n: number, width: 1 | 2 | 4): number[] =>
    width === 1 ? [0x58, n] : width === 2 ? [0x59, n >> 8, n & 0xff] : [0x5a, 0, 0, n >> 8, n & 0xff];
  switch (variant) {
    case 0: // payload length in the next longer form than needed (0x58 below 24, 0x59 below 256, 0x5a above)
      return Uint8Array.from([0x84, 0x4d, ...header, 0xa0, ...bstrHead(p.length, p.length < 24 ? 1 : p.length < 256 ? 2 : 4), ...p, 0x58, 0x40, ...s]);
    case 1: // signature length non-minimal
      return Uint8Array.from([0x84, 0x4d, ...header, 0xa0, ...encodeCbor(p), 0x59, 0x00, 0x40, ...s]);
    case 2: // tag 18 around it
      return Uint8Array.from([0xd2, ...encodeCoseSign1(header, p, s)]);
    case 3: // trailing byte
      return Uint8Array.from([...encodeCoseSign1(header, p, s), 0x00]);
    case 4: // protected header keys in the other order (written by hand: cborg sorts map keys): valid CBOR, not the canonical header
      return encodeCbor([Uint8Array.from([0xa2, 0x04, 0x48, ...k, 0x01, 0x27]), new Map(), p, s]);
    case 5: // non-empty unprotected header
      return encodeCbor([header, new Map<CborValue, CborValue>([[4, k]]), p, s]);
    case 6: // indefinite-length outer array
      return Uint8Array.from([0x9f, ...encodeCoseSign1(header, p, s).subarray(1), 0xff]);
    default: // protected header length written in a 1-byte extension
      return Uint8Array.from([0x84, 0x58, 0x0d, ...header, 0xa0, ...encodeCbor(p), 0x58, 0x40, ...s]);
  }
});

describe('COSE fast path (parseCanonicalLayout) ≡ strict cborg path (parseCoseSign1Decoded)', () => {
  it('random valid passes take the fast path and decode to the same four items', () => {
    fc.assert(
      fc.property(validCose, (bytes) => {
        expect(checkEquivalence(bytes)).toBe('fast');
      }),
      { numRuns: 500 },
    );
  });

  it('random edits of valid passes (set, insert, delete, truncate) get the same decision either way', () => {
    const paths = { fast: 0, general: 0 };
    fc.assert(
      fc.property(validCose, edits, (bytes, list) => {
        paths[checkEquivalence(applyEdits(bytes, list))]++;
      }),
      { numRuns: 3000 },
    );
    expect(paths.general).toBeGreaterThan(0);
  });

  it('the same items spelled non-canonically never take the fast path, and decide as the strict path does', () => {
    fc.assert(
      fc.property(respelled, (bytes) => {
        expect(parseCanonicalLayout(bytes)).toBeNull();
        sameDecision(parseCoseSign1(bytes), parseCoseSign1Decoded(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it('edits of the vector passes get the same decision either way', () => {
    const cose = passTexts.map((t) => decodeBase45(t, QR_PREFIX.length)).filter((b): b is Uint8Array => b !== null);
    fc.assert(
      fc.property(fc.constantFrom(...cose), edits, (bytes, list) => {
        checkEquivalence(applyEdits(bytes, list));
      }),
      { numRuns: 2000 },
    );
  });

  it('the canonical-header shortcut reads exactly what strict decoding of the header reads', () => {
    fc.assert(
      fc.property(fc.oneof(kid.map(encodeProtectedHeader), fc.tuple(kid.map(encodeProtectedHeader), edits).map(([h, list]) => applyEdits(h, list))), (header) => {
        const shortcut = kidOfCanonicalHeader(header);
        if (shortcut === null) return;
        const decoded = decodeStrictCbor(header);
        expect(decoded).toBeInstanceOf(Map);
        const map = decoded as Map<CborValue, CborValue>;
        expect([...map.keys()]).toEqual([1, 4]);
        expect(map.get(1)).toBe(-8);
        expect(map.get(4)).toEqual(shortcut);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('formatIsoDate (arithmetic) agrees with Date', () => {
  it('on every civil day a pass can carry', () => {
    const wrong: number[] = [];
    for (let day = LIMITS.minCivilDay; day <= LIMITS.maxCivilDay; day++) {
      if (formatIsoDate(day) !== new Date(day * 86_400_000).toISOString().slice(0, 10)) wrong.push(day);
    }
    expect(wrong).toEqual([]);
  });
});
