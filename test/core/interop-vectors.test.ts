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
