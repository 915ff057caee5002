// Hostile input for the foreign formats: decompression bombs, chunk-count games, deep CBOR and a
// seeded mutator over real vectors at every layer. Each must give a clean non-valid result: no
// throw, no hang, no unbounded memory.
import { deflateRawSync, deflateSync, inflateRawSync, inflateSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeBase45, encodeBase45 } from '../../src/core/base45.ts';
import { fromBase64Url, toBase64Url } from '../../src/core/bytes.ts';
import { decodeBase32 } from '../../src/core/foreign/base32.ts';
import { boundedInflate, MAX_INFLATED_BYTES } from '../../src/core/foreign/bounded-inflate.ts';
import { decodeTolerantCbor } from '../../src/core/foreign/tolerant-cbor.ts';
import { openBundle, type TrustedBundle } from '../../src/core/trust-bundle.ts';
import { verify } from '../../src/core/verify-pass.ts';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend.ts';
import { buildForeignTrust } from '../../src/publication/foreign-trust-sources.ts';
import { encodeBase32 } from '../support/nzcp-issuer-fixture.ts';
import { createBundleMaker, INTEROP_SKIP_MESSAGE, interopAvailable, loadInterop, trustFilesOf, type InteropRecord } from '../support/interop-vectors.ts';

const now = new Date('2021-06-01T00:00:00Z');

/** A small deterministic PRNG (mulberry32), so every failure replays from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutateBytes(bytes: Uint8Array, random: () => number): Uint8Array {
  const out = Array.from(bytes);
  const edits = 1 + Math.floor(random() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * out.length);
    const kind = Math.floor(random() * 5);
    if (kind === 0) out[at] = out[at]! ^ (1 << Math.floor(random() * 8));
    else if (kind === 1) out[at] = Math.floor(random() * 256);
    else if (kind === 2) out.splice(at, 1);
    else if (kind === 3) out.splice(at, 0, Math.floor(random() * 256));
    else out.length = at; // truncate
  }
  return Uint8Array.from(out);
}

function mutateText(text: string, random: () => number): string {
  const chars = [...text];
  const at = Math.floor(random() * chars.length);
  const kind = Math.floor(random() * 4);
  if (kind === 0) chars[at] = String.fromCharCode(32 + Math.floor(random() * 95));
  else if (kind === 1) chars.splice(at, 1);
  else if (kind === 2) chars.splice(at, 0, chars[Math.floor(random() * chars.length)]!);
  else chars.length = Math.max(1, at);
  return chars.join('');
}

async function expectCleanRefusal(bundle: TrustedBundle, text: string | string[], label: string): Promise<void> {
  const result = await verify(text, bundle, { now });
  expect(typeof result.ok, label).toBe('boolean');
  if (!result.ok) expect(typeof result.message, label).toBe('string');
}

describe('bounded inflate', () => {
  it('stops a zlib bomb at the cap without producing it', async () => {
    const bomb = deflateSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    const result = await boundedInflate(bomb, 'deflate');
    expect(result).toEqual({ ok: false, message: `decompressed data is larger than ${MAX_INFLATED_BYTES} bytes` });
  });

  it('stops a raw DEFLATE bomb at the cap', async () => {
    const result = await boundedInflate(deflateRawSync(Buffer.alloc(16 * 1024 * 1024)), 'deflate-raw');
    expect(result.ok).toBe(false);
  });

  it('inflates data up to the cap exactly and refuses truncated or foreign data', async () => {
    const exact = await boundedInflate(deflateSync(Buffer.alloc(MAX_INFLATED_BYTES, 7)), 'deflate');
    expect(exact.ok && exact.bytes.length).toBe(MAX_INFLATED_BYTES);
    const whole = deflateSync(Buffer.from('hello'));
    expect((await boundedInflate(whole.subarray(0, whole.length - 3), 'deflate')).ok).toBe(false);
    expect((await boundedInflate(Uint8Array.of(1, 2, 3, 4), 'deflate')).ok).toBe(false);
    expect((await boundedInflate(new Uint8Array(0), 'deflate-raw')).ok).toBe(false);
  });
});

describe('tolerant CBOR limits', () => {
  it('refuses nesting deeper than the limit (arrays, maps, tags) without recursing', () => {
    for (const head of [0x81, 0xa1, 0xd8]) {
      const deep = new Uint8Array(200_000).fill(head);
      expect(decodeTolerantCbor(deep)).toBeNull();
    }
    const ok = Uint8Array.of(0x81, 0x81, 0x81, 0x01);
    expect(decodeTolerantCbor(ok)).toEqual([[[1]]]);
  });

  it('refuses huge declared lengths, trailing bytes and truncation', () => {
    expect(decodeTolerantCbor(Uint8Array.of(0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))).toBeNull();
    expect(decodeTolerantCbor(Uint8Array.of(0x5a, 0xff, 0xff, 0xff, 0xff, 0x00))).toBeNull();
    expect(decodeTolerantCbor(Uint8Array.of(0x01, 0x02))).toBeNull();
    expect(decodeTolerantCbor(Uint8Array.of(0x82, 0x01))).toBeNull();
  });
});

describe.skipIf(!interopAvailable)('hostile foreign passes', () => {
  if (!interopAvailable) console.warn(INTEROP_SKIP_MESSAGE);
  let bundle: TrustedBundle;
  let eu: InteropRecord;
  let nz: InteropRecord;
  let shc: InteropRecord;
  let shcMulti: InteropRecord;

  beforeAll(async () => {
    eu = loadInterop('eu-dcc').find((r) => r.id === 'eu-dcc/AT/1')!;
    nz = loadInterop('nzcp').find((r) => r.id === 'nzcp/valid')!;
    const cards = loadInterop('shc');
    shc = cards.find((r) => r.id === 'shc/example-00')!;
    shcMulti = cards.find((r) => Array.isArray(r.qrText))!;
    const files = [eu, nz, shc].map(trustFilesOf);
    const maker = await createBundleMaker();
    const foreign = buildForeignTrust({ euDcc: files.flatMap((f) => f.euDcc), shc: files.flatMap((f) => f.shc), nzcp: files.flatMap((f) => f.nzcp) });
    const opened = await openBundle(await maker.bundle(foreign), { root: maker.root, now, backend: createNodeCryptoBackend() });
    if (!opened.ok) throw new Error(opened.message);
    bundle = opened.bundle;
  });

  it('an HC1 zlib bomb within the QR length is MALFORMED', async () => {
    const bomb = deflateSync(Buffer.alloc(2 * 1024 * 1024), { level: 9 });
    const result = await verify(`HC1:${encodeBase45(bomb)}`, bundle, { now });
    expect(result).toMatchObject({ ok: false, code: 'MALFORMED', format: 'eu-dcc' });
  });

  it('an SHC whose payload is a raw DEFLATE bomb is MALFORMED', async () => {
    const header = toBase64Url(new TextEncoder().encode(JSON.stringify({ zip: 'DEF', alg: 'ES256', kid: 'x' })));
    const jws = `${header}.${toBase64Url(deflateRawSync(Buffer.alloc(1024 * 1024)))}.${toBase64Url(new Uint8Array(64))}`;
    const digits = [...jws].map((c) => String(c.charCodeAt(0) - 45).padStart(2, '0')).join('');
    const result = await verify(`shc:/${digits}`, bundle, { now: new Date('2023-06-23T00:00:00Z') });
    expect(result).toMatchObject({ ok: false, code: 'MALFORMED', format: 'shc' });
  });

  it('huge or inconsistent SHC chunk counts are MALFORMED', async () => {
    const chunks = shcMulti.qrText as string[];
    const body = (c: string): string => c.replace(/^shc:\/\d+\/\d+\//, '');
    const cases: [string, string[]][] = [
      ['one chunk of three', [chunks[0]!]],
      ['a chunk twice', [chunks[0]!, chunks[0]!, chunks[1]!]],
      ['counts disagree', [chunks[0]!, chunks[1]!, `shc:/3/4/${body(chunks[2]!)}`]],
      ['index 0', [`shc:/0/3/${body(chunks[0]!)}`, chunks[1]!, chunks[2]!]],
      ['index above count', [chunks[0]!, chunks[1]!, `shc:/4/3/${body(chunks[2]!)}`]],
      ['count 999', [`shc:/1/999/${body(chunks[0]!)}`, chunks[1]!]],
      ['1000 chunks', Array.from({ length: 1000 }, (_, i) => `shc:/${i + 1}/1000/56`)],
      ['a chunk of another format', [chunks[0]!, chunks[1]!, 'HC1:ABC']],
      ['a single text in chunk form', [`shc:/1/1/${body(chunks[0]!)}`]],
    ];
    for (const [label, texts] of cases) {
      expect(await verify(texts, bundle, { now: new Date('2023-06-23T00:00:00Z') }), label).toMatchObject({ ok: false, code: 'MALFORMED' });
    }
    // Any order of all the chunks is the same card.
    const shuffled = [chunks[2]!, chunks[0]!, chunks[1]!];
    const whole = await verify(shuffled, bundle, { now: new Date('2023-06-23T00:00:00Z') });
    expect(whole, JSON.stringify(whole)).toMatchObject({ ok: true, format: 'shc' });
  });

  it('deep CBOR inside a well-formed HC1 envelope is MALFORMED', async () => {
    const deep = new Uint8Array(50_000).fill(0x81);
    const result = await verify(`HC1:${encodeBase45(deflateSync(deep))}`, bundle, { now });
    expect(result).toMatchObject({ ok: false, code: 'MALFORMED' });
  });

  it('seeded mutations of real EU DCC, NZCP and SHC passes never throw (text, compressed and CBOR layers)', async () => {
    const euCose = inflateSync(decodeBase45(eu.qrText as string, 4)!);
    const nzCose = decodeBase32(nz.qrText as string, 8)!;
    const [h, p, s] = [...(shc.qrText as string).slice(5).matchAll(/../g)].map((m) => String.fromCharCode(Number(m[0]) + 45)).join('').split('.') as [string, string, string];
    const shcJson = inflateRawSync(fromBase64Url(p)!);
    const random = prng(20_211_105);
    const started = Date.now();
    for (let round = 0; round < 300; round++) {
      const texts = [
        mutateText(eu.qrText as string, random),
        mutateText(nz.qrText as string, random),
        mutateText(shc.qrText as string, random),
        `HC1:${encodeBase45(deflateSync(mutateBytes(euCose, random)))}`,
        `NZCP:/1/${encodeBase32(mutateBytes(nzCose, random))}`,
      ];
      const jws = `${h}.${toBase64Url(deflateRawSync(mutateBytes(shcJson, random)))}.${s}`;
      texts.push(`shc:/${[...jws].map((c) => String(c.charCodeAt(0) - 45).padStart(2, '0')).join('')}`);
      for (const text of texts) await expectCleanRefusal(bundle, text, `round ${round}: ${text.slice(0, 40)}`);
    }
    // Generous: this is a hang detector, not a speed assertion (the machine is shared).
    expect(Date.now() - started).toBeLessThan(120_000);
  }, 180_000);
});
