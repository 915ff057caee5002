// Replays every vaxpass vector with all three Ed25519 backends; each must give the vector's
// expected result, and the backends must agree with each other.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Ed25519Backend } from '../../src/core/crypto/ed25519-backend.ts';
import { createNobleBackend } from '../../src/core/crypto/noble-backend.ts';
import { createWebCryptoBackend } from '../../src/core/crypto/webcrypto-backend.ts';
import { FAILURE_CODES, FOREIGN_ONLY_FAILURE_CODES, verdictOf } from '../../src/core/verification-result.ts';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend.ts';
import { mismatch, replayVector, type VectorFile } from '../support/replay-vector.ts';

const VECTOR_PATH = new URL('../vectors/vaxpass-v1.json', import.meta.url);
const file = JSON.parse(readFileSync(VECTOR_PATH, 'utf8')) as VectorFile;

const backends: Record<string, () => Ed25519Backend> = {
  'node:crypto': createNodeCryptoBackend,
  webcrypto: () => createWebCryptoBackend(),
  noble: () => createNobleBackend(),
};

describe('vaxpass-v1 vectors', () => {
  it('has the contract format, a valid vector per pass type and a vector per failure code', () => {
    expect(file.format).toBe('vaxpass-vectors/1');
    for (const type of ['vaccination', 'test', 'recovery', 'exemption']) {
      expect(file.vectors.some((v) => v.expected.ok && v.expected.passType === type), type).toBe(true);
    }
    for (const code of FAILURE_CODES) {
      // Codes only foreign formats produce are covered by the interop vectors (test/core/interop-vectors.test.ts).
      if (FOREIGN_ONLY_FAILURE_CODES.has(code)) continue;
      expect(file.vectors.some((v) => !v.expected.ok && v.expected.code === code), code).toBe(true);
    }
    expect(new Set(file.vectors.map((v) => v.name)).size).toBe(file.vectors.length);
  });

  for (const [backendName, create] of Object.entries(backends)) {
    describe(backendName, () => {
      const backend = create();
      for (const vector of file.vectors) {
        it(vector.name, async () => {
          const result = await replayVector(vector, file, backend);
          expect(mismatch(result, vector.expected), vector.description).toBeNull();
          if (!result.ok) expect(result.message.length).toBeGreaterThan(0);
        });
      }
    });
  }

  it('verdicts: bundle failures and newer versions are cannot-verify, other codes not-a-pass, pass failures invalid', () => {
    for (const v of file.vectors) {
      const verdict = verdictOf(v.expected.ok ? ({ ok: true } as never) : { ok: false, code: v.expected.code });
      if (v.expected.ok) expect(verdict).toBe('valid');
      else if (v.expected.code.startsWith('BUNDLE_') || v.expected.code === 'UNSUPPORTED_VERSION') expect(verdict).toBe('cannot-verify');
      else if (v.expected.code === 'NOT_A_PASS') expect(verdict).toBe('not-a-pass');
      else expect(verdict).toBe('invalid');
    }
  });

  it('docs/pass-format.md §9 shows the current reference vector', () => {
    const doc = readFileSync(new URL('../../docs/pass-format.md', import.meta.url), 'utf8');
    const example = file.vectors.find((v) => v.name === 'valid-vaccination-booster')!;
    expect(doc).toContain(example.text);
  });

  it('regenerating writes byte-identical output', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vaxpass-vectors-'));
    try {
      const out = join(dir, 'vaxpass-v1.json');
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/generate-vectors.ts', '--out', out], {
        cwd: new URL('../..', import.meta.url),
        encoding: 'utf8',
      });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(readFileSync(out, 'utf8')).toBe(readFileSync(VECTOR_PATH, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
