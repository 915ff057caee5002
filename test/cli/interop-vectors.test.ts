// The shared interop vectors through the CLI as an operator runs it: each record's trust goes to
// a file of the published shape, `vaxpass bundle build --eu-dcc-trust/--shc-directory/--nzcp-trust`
// signs a bundle with it, and `vaxpass verify TEXT… --json --at validationTime` must agree with
// every asserted expectation. In-process through runCli (cli.test.ts covers the process wiring);
// one key directory per 80 days of validation times, because bundle signers are certified for 90.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ForeignFormat } from '../../src/core/foreign/foreign-trust.ts';
import { INTEROP_SKIP_MESSAGE, interopAvailable, loadInterop, score, trustFilesOf } from '../support/interop-vectors.ts';
import { expectOneLineError, runInProcess } from './cli-harness.ts';

const WINDOW_SECONDS = 80 * 86_400;
const FLAG = { euDcc: '--eu-dcc-trust', shc: '--shc-directory', nzcp: '--nzcp-trust' } as const;

if (!interopAvailable) console.warn(INTEROP_SKIP_MESSAGE);

describe.skipIf(!interopAvailable)('interop vectors through vaxpass bundle build and vaxpass verify', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vaxpass-cli-interop-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  for (const format of ['eu-dcc', 'shc', 'nzcp'] as const satisfies readonly ForeignFormat[]) {
    it(`${format}: every asserted layer and verdict agrees`, async () => {
      const records = loadInterop(format).sort((a, b) => Date.parse(a.validationTime) - Date.parse(b.validationTime));
      let keys = '';
      let windowStart = -Infinity;
      const problems: string[] = [];
      let asserted = 0;
      for (const [index, record] of records.entries()) {
        const at = Date.parse(record.validationTime) / 1000;
        if (at - windowStart > WINDOW_SECONDS) {
          windowStart = at - 3600;
          keys = join(dir, `${format}-keys-${index}`);
          const init = await runInProcess(['keys', 'init', '--dir', keys, '--at', new Date(windowStart * 1000).toISOString()]);
          expect(init.code, init.stderr).toBe(0);
        }
        const files = trustFilesOf(record);
        const trustArgs: string[] = [];
        for (const [kind, list] of Object.entries(files) as [keyof typeof FLAG, { json: unknown }[]][]) {
          list.forEach((file, i) => {
            const path = join(dir, `${format}-${index}-${kind}-${i}.json`);
            writeFileSync(path, JSON.stringify(file.json));
            trustArgs.push(FLAG[kind], path);
          });
        }
        const bundle = join(dir, `${format}-${index}.jws`);
        const built = await runInProcess(['bundle', 'build', '--keys', keys, '--out', bundle, '--at', new Date((at - 60) * 1000).toISOString(), '--ttl', '1h', ...trustArgs]);
        expect(built.code, `${record.id}: ${built.stderr}`).toBe(0);
        const texts = Array.isArray(record.qrText) ? record.qrText : [record.qrText];
        const run = await runInProcess(['verify', '--json', '--bundle', bundle, '--root', join(keys, 'root.public.jwk'), '--at', record.validationTime, '--', ...texts]);
        const result = JSON.parse(run.stdout) as { ok: boolean; code?: string; verdict: string };
        const s = score(record, result);
        asserted += s.asserted;
        problems.push(...s.disagreements.map((d) => `${record.id}: ${d}`));
        if (s.verdict.expected !== null && s.verdict.expected !== s.verdict.actual) problems.push(`${record.id}: verdict ${s.verdict.actual}, expected ${s.verdict.expected}`);
        // Exit codes as for vaxpass passes: 0 valid, 1 not valid (also not-a-pass), 2 cannot verify.
        expect(run.code, record.id).toBe(result.ok ? 0 : result.verdict === 'cannot-verify' ? 2 : 1);
      }
      expect(asserted).toBeGreaterThan(0);
      expect(problems).toEqual([]);
    }, 300_000);
  }

  it('refuses malformed trust files with one clear line and exit 2', async () => {
    const keys = join(dir, 'refusal-keys');
    expect((await runInProcess(['keys', 'init', '--dir', keys])).code).toBe(0);
    const cases: [string, unknown, RegExp][] = [
      ['--eu-dcc-trust', { certificates: 'none' }, /not an EU DCC trust list/],
      ['--eu-dcc-trust', { certificates: [{ kid: 'AAAAAAAAAAA=', country: 'AT', certificateType: 'DSC', rawData: 'bm90IGEgY2VydA==' }] }, /not a DER X\.509 certificate/],
      ['--eu-dcc-trust', { certificates: [{ kid: 'AAAAAAAAAAA=', country: 'AT', certificateType: 'DSC', rawData: 'A'.repeat(40_000) }] }, /larger than/],
      ['--shc-directory', { issuers: [] }, /not a SMART Health Card directory/],
      ['--nzcp-trust', { trustedIssuers: ['did:web:example.nz'], didDocuments: {} }, /no DID document/],
      ['--nzcp-trust', { trustedIssuers: ['https://example.nz'], didDocuments: {} }, /not a did:web DID/],
    ];
    for (const [index, [flag, json, message]] of cases.entries()) {
      const path = join(dir, `bad-${index}.json`);
      writeFileSync(path, JSON.stringify(json));
      const run = await runInProcess(['bundle', 'build', '--keys', keys, '--out', join(dir, 'bad.jws'), flag, path]);
      expect(run.code).toBe(2);
      expect(expectOneLineError(run)).toMatch(message);
    }
    const notJson = join(dir, 'not-json.json');
    writeFileSync(notJson, '{');
    const run = await runInProcess(['bundle', 'build', '--keys', keys, '--out', join(dir, 'bad.jws'), '--shc-directory', notJson]);
    expect(run.code).toBe(2);
    expect(expectOneLineError(run)).toMatch(/not valid JSON/);
  });
});
