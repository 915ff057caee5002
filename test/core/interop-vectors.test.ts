// The shared interop vectors (EU DCC, SMART Health Cards, NZ COVID Pass) replayed through the core
// verifier with the node:crypto and the WebCrypto backends: every asserted expectation, per layer,
// must agree, and so must the overall verdict. Prints the agreement table the README quotes.
import { afterAll, describe, expect, it } from 'vitest';
import { createWebCryptoBackend } from '../../src/core/crypto/webcrypto-backend.ts';
import type { ForeignFormat } from '../../src/core/foreign/foreign-trust.ts';
import { openBundle } from '../../src/core/trust-bundle.ts';
import { verify } from '../../src/core/verify-pass.ts';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend.ts';
import { bundleForRecord, createBundleMaker, INTEROP_SKIP_MESSAGE, interopAvailable, loadInterop, score } from '../support/interop-vectors.ts';

const FORMATS: readonly ForeignFormat[] = ['eu-dcc', 'shc', 'nzcp'];
const BACKENDS = { 'node:crypto': createNodeCryptoBackend, webcrypto: createWebCryptoBackend };
const table: string[] = [];

if (!interopAvailable) console.warn(INTEROP_SKIP_MESSAGE);

describe.skipIf(!interopAvailable)('interop vectors', () => {
  afterAll(() => console.log(['| format | backend | records | asserted values | agreed | verdicts asserted | verdicts agreed |', '|---|---|---|---|---|---|---|', ...table].join('\n')));

  for (const format of FORMATS) {
    for (const [backendName, createBackend] of Object.entries(BACKENDS)) {
      it(`${format} with ${backendName}: every asserted layer and verdict agrees`, async () => {
        const records = loadInterop(format);
        const maker = await createBundleMaker();
        const backend = createBackend();
        let asserted = 0;
        let agreed = 0;
        let verdicts = 0;
        let verdictsAgreed = 0;
        const problems: string[] = [];
        for (const record of records) {
          const now = new Date(record.validationTime);
          const opened = await openBundle(await bundleForRecord(maker, record), { root: maker.root, now, backend });
          if (!opened.ok) throw new Error(`${record.id}: bundle refused: ${opened.message}`);
          const result = await verify(record.qrText, opened.bundle, { now });
          // A text without a known prefix (the checklist's HL0: and bare base45) is not a pass of any format.
          if (!result.ok && result.code !== 'NOT_A_PASS') expect(result.format, record.id).toBe(format);
          const s = score(record, result);
          asserted += s.asserted;
          agreed += s.agreed;
          if (s.verdict.expected !== null) {
            verdicts++;
            if (s.verdict.expected === s.verdict.actual) verdictsAgreed++;
            else problems.push(`${record.id}: verdict ${s.verdict.actual}, expected ${s.verdict.expected} (${result.ok ? 'ok' : `${result.code}: ${result.message}`})`);
          }
          for (const d of s.disagreements) problems.push(`${record.id}: ${d}${result.ok ? '' : ` (${result.message})`}`);
        }
        table.push(`| ${format} | ${backendName} | ${records.length} | ${asserted} | ${agreed} | ${verdicts} | ${verdictsAgreed} |`);
        expect(problems).toEqual([]);
      }, 120_000);
    }
  }
});

describe.skipIf(!interopAvailable)('decoded contents of the interop vectors', () => {
  it('the valid SHC and NZCP examples are valid passes with the holder from the source payload', async () => {
    const maker = await createBundleMaker();
    const backend = createNodeCryptoBackend();
    const seen: Record<string, unknown>[] = [];
    for (const format of ['shc', 'nzcp'] as const) {
      for (const record of loadInterop(format).filter((r) => r.expected.signature === true && r.expected.expired === false && r.expected.revoked !== true)) {
        const now = new Date(record.validationTime);
        const opened = await openBundle(await bundleForRecord(maker, record), { root: maker.root, now, backend });
        const result = opened.ok ? await verify(record.qrText, opened.bundle, { now }) : null;
        seen.push({ id: record.id, ok: result?.ok, ...(result?.ok ? { format: result.format, country: result.country, holder: result.holder, passType: result.passType } : { result }) });
      }
    }
    expect(seen).toEqual([
      { id: 'shc/example-00', ok: true, format: 'shc', country: undefined, holder: { name: 'John B. Anyperson', birthDate: '1951-01-20' }, passType: 'vaccination' },
      { id: 'shc/example-01', ok: true, format: 'shc', country: undefined, holder: { name: 'John B. Anyperson', birthDate: '1951-01-20' }, passType: 'vaccination' },
      { id: 'shc/example-02', ok: true, format: 'shc', country: undefined, holder: { name: '', birthDate: '' }, passType: 'test' },
      { id: 'nzcp/valid', ok: true, format: 'nzcp', country: 'NZ', holder: { name: 'Jack Sparrow', birthDate: '1960-04-16' }, passType: 'vaccination' },
    ]);
  });
});

describe.skipIf(!interopAvailable)('EU DCC contents against the source JSON', () => {
  it('every EU certificate that verifies reports the holder, type and country the source JSON states', async () => {
    const maker = await createBundleMaker();
    const backend = createNodeCryptoBackend();
    let valid = 0;
    const problems: string[] = [];
    for (const record of loadInterop('eu-dcc')) {
      const source = (record as unknown as { expectedPayload?: Record<string, unknown> }).expectedPayload;
      if (!source) continue;
      const now = new Date(record.validationTime);
      const opened = await openBundle(await bundleForRecord(maker, record), { root: maker.root, now, backend });
      const result = opened.ok ? await verify(record.qrText, opened.bundle, { now }) : null;
      if (!result?.ok) continue;
      valid++;
      const name = source.nam as Record<string, string | undefined>;
      const type = (['v', 't', 'r'] as const).find((t) => Array.isArray(source[t]));
      const expected = {
        name: [name.gn ?? name.gnt, name.fn ?? name.fnt].filter((p) => p && p.trim()).map((p) => p!.trim()).join(' '),
        birthDate: String(source.dob ?? '').trim().slice(0, 10),
        passType: { v: 'vaccination', t: 'test', r: 'recovery' }[type!],
      };
      const actual = { name: result.holder.name, birthDate: result.holder.birthDate, passType: result.passType };
      if (JSON.stringify(actual) !== JSON.stringify(expected)) problems.push(`${record.id}: ${JSON.stringify(actual)} vs ${JSON.stringify(expected)}`);
      if (result.country !== undefined && !/^[A-Z]{2}$/.test(result.country)) problems.push(`${record.id}: country ${result.country}`);
    }
    expect(valid).toBeGreaterThan(100);
    expect(problems).toEqual([]);
  });
});
