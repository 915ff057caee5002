// What a VALID result may claim: never a validity beyond the signing key's verifyUntil, and never
// impossible facts (those are IMPLAUSIBLE vectors in test/vectors, replayed everywhere).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromBase64Url } from '../../src/core/bytes.ts';
import { parseIsoDate } from '../../src/core/civil-time.ts';
import { implausibility } from '../../src/core/plausibility.ts';
import type { Pass } from '../../src/core/pass-content.ts';
import { DEFAULT_RULES } from '../../src/core/rules.ts';
import { openBundle } from '../../src/core/trust-bundle.ts';
import { verify } from '../../src/core/verify-pass.ts';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend.ts';
import type { VectorFile } from '../support/replay-vector.ts';

const file = JSON.parse(readFileSync(new URL('../vectors/vaxpass-v1.json', import.meta.url), 'utf8')) as VectorFile;
const day = (iso: string): number => parseIsoDate(iso)!;
const at = (iso: string): number => Date.parse(iso) / 1000;

describe('validUntil', () => {
  it('is capped at the signing key verifyUntil (exp 2038, key verifies until 2023-12-31 15:00 UTC)', async () => {
    const vector = file.vectors.find((v) => v.name === 'valid-until-capped-by-key')!;
    const now = new Date(vector.now);
    const opened = await openBundle(file.bundles.default!, { root: fromBase64Url(file.root.publicKey)!, now, backend: createNodeCryptoBackend() });
    if (!opened.ok) throw new Error(opened.message);
    const result = await verify(vector.text, opened.bundle, { now });
    expect(result.ok && result.validUntil).toBe(at('2023-12-31T15:00:00Z'));
  });
});

describe('implausibility', () => {
  const base: Pass = {
    iss: 'KDCA',
    iat: at('2022-01-15T00:00:00Z'),
    nbf: at('2022-01-15T00:00:00Z'),
    exp: at('2023-01-15T00:00:00Z'),
    cti: new Uint8Array(8),
    content: { name: 'Kim', birthDate: day('2000-01-01'), type: 'vaccination', doses: [{ product: 1, date: day('2021-06-03') }] },
  };
  it('accepts a birth on the issue day in the rules zone (KST) and a dose on that day', () => {
    // 2022-01-15T00:00Z is 09:00 KST on 2022-01-15.
    expect(implausibility({ ...base, content: { ...base.content, birthDate: day('2022-01-15'), type: 'vaccination', doses: [{ product: 1, date: day('2022-01-15') }] } }, DEFAULT_RULES)).toBeNull();
  });
  it('names the field and the dates, never the name', () => {
    const message = implausibility({ ...base, content: { ...base.content, birthDate: day('2022-01-16') } }, DEFAULT_RULES);
    expect(message).toBe('birth date 2022-01-16 is after the pass was issued (2022-01-15)');
  });
  it('tolerates a test sampled within the clock skew after iat, not beyond', () => {
    const test = (sampledAt: number): Pass => ({ ...base, content: { name: 'Kim', birthDate: day('2000-01-01'), type: 'test', test: { kind: 'PCR', sampledAt, result: 'negative' } } });
    expect(implausibility(test(base.iat + 300), DEFAULT_RULES)).toBeNull();
    expect(implausibility(test(base.iat + 301), DEFAULT_RULES)).toBe('test was sampled after the pass was issued');
  });
});
