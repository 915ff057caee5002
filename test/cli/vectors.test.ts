// Replays the shared vectors (test/vectors/vaxpass-v1.json) through `vaxpass verify --json`:
// each vector's bundle and root go to temp files, and the exit code and failure code must match.
// Runs in-process through runCli (the same code the binary runs; cli.test.ts covers the process
// wiring). Vectors with a held bundle pass it with --held.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { PassVector, VectorFile } from '../support/replay-vector.ts';
import { runInProcess } from './cli-harness.ts';

const VECTOR_PATH = fileURLToPath(new URL('../vectors/vaxpass-v1.json', import.meta.url));
const vectorFile: VectorFile | null = existsSync(VECTOR_PATH) ? (JSON.parse(readFileSync(VECTOR_PATH, 'utf8')) as VectorFile) : null;

// A newer pass version is the scanner's problem, not the pass's: cannot verify (exit 2), like the bundle failures.
const CANNOT_VERIFY = new Set(['BUNDLE_INVALID', 'BUNDLE_EXPIRED', 'BUNDLE_ROLLBACK', 'UNSUPPORTED_VERSION']);

function expectedExit(vector: PassVector): number {
  if (vector.expected.ok) return 0;
  return CANNOT_VERIFY.has(vector.expected.code) ? 2 : 1;
}

if (!vectorFile) {
  describe.skip(`CLI vector replay: ${VECTOR_PATH} does not exist yet (generate it with npm run vectors)`, () => {
    it('replays vectors', () => {});
  });
} else {
  const file = vectorFile;
  const dir = mkdtempSync(join(tmpdir(), 'vaxpass-cli-vectors-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'root.public.jwk');
  writeFileSync(root, JSON.stringify({ kty: 'OKP', crv: 'Ed25519', x: file.root.publicKey }));
  const bundlePaths = new Map<string, string>();
  for (const [name, text] of Object.entries(file.bundles)) {
    const path = join(dir, `${name}.jws`);
    writeFileSync(path, text);
    bundlePaths.set(name, path);
  }
  const replayable = file.vectors;

  describe('CLI vector replay (vaxpass verify --json)', () => {
    it('the vector file has the expected format and vectors to replay, some with a held bundle', () => {
      expect(file.format).toBe('vaxpass-vectors/1');
      expect(replayable.length).toBeGreaterThan(10);
      expect(replayable.some((v) => v.heldBundle !== null)).toBe(true);
    });

    it.each(replayable.map((v) => [v.name, v] as const))('%s', async (_name, vector) => {
      const bundle = bundlePaths.get(vector.bundle);
      expect(bundle, `bundle ${vector.bundle}`).toBeDefined();
      // "--" ends the options, so texts starting with "-" or empty texts reach verify unchanged.
      const held = vector.heldBundle === null ? [] : ['--held', bundlePaths.get(vector.heldBundle)!];
      const run = await runInProcess(['verify', '--json', '--bundle', bundle!, ...held, '--root', root, '--at', vector.now, '--', vector.text]);
      expect(run.stderr).toBe('');
      const result = JSON.parse(run.stdout);
      if (vector.expected.ok) {
        expect(result).toMatchObject({ verdict: 'valid', ok: true, passType: vector.expected.passType, holder: vector.expected.holder, rule: vector.expected.rule });
      } else {
        expect({ ok: result.ok, code: result.code }).toEqual({ ok: false, code: vector.expected.code });
        expect(typeof result.message).toBe('string');
      }
      expect(run.code).toBe(expectedExit(vector));
    });
  });
}
