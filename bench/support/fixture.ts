// Everything a benchmark verifies against: fresh keys, a signed trust bundle with the default
// rules, and the reference passes issued at REFERENCE_ISSUED_AT - all built the way the issuer
// builds them (issuePass, signTrustBundle), so the benchmark measures real passes.
import { generateKeyPairSync } from 'node:crypto';
import { DEFAULT_RULES, openBundle, type Ed25519Backend, type TrustedBundle } from '../../src/core/index.ts';
import { REFERENCE_ISSUED_AT, REFERENCE_PASSES } from '../../src/demo/reference-passes.ts';
import { issuePass } from '../../src/issuance/issue-pass.ts';
import type { IssuerSigningKey } from '../../src/keys/key-directory.ts';
import { keyIdBytes, keyIdOf, rawPublicKey } from '../../src/keys/key-id.ts';
import { certifyBundleSigner, signTrustBundle } from '../../src/publication/sign-trust-bundle.ts';

export interface BenchPass {
  readonly id: string;
  readonly text: string;
}

export interface Fixture {
  readonly passes: readonly BenchPass[];
  readonly bundleText: string;
  readonly root: Uint8Array;
  /** The scanner's clock: three hours after the reference passes were issued. */
  readonly now: Date;
  readonly issuerPublicKey: Uint8Array;
  open(backend: Ed25519Backend): Promise<TrustedBundle>;
}

export async function createFixture(): Promise<Fixture> {
  const issuedAt = REFERENCE_ISSUED_AT;
  const root = generateKeyPairSync('ed25519');
  const signer = generateKeyPairSync('ed25519');
  const issuer = generateKeyPairSync('ed25519');
  const rootRaw = rawPublicKey(root.publicKey);
  const signerRaw = rawPublicKey(signer.publicKey);
  const issuerRaw = rawPublicKey(issuer.publicKey);
  const DAY = 86_400;
  const entry = {
    kid: keyIdOf(issuerRaw),
    iss: 'KDCA',
    publicKey: Buffer.from(issuerRaw).toString('base64url'),
    validFrom: issuedAt - DAY,
    signUntil: issuedAt + 365 * DAY,
    verifyUntil: issuedAt + 730 * DAY,
    status: 'active' as const,
  };
  const certificate = await certifyBundleSigner(root.privateKey, keyIdOf(rootRaw), {
    sub: keyIdOf(signerRaw),
    publicKey: Buffer.from(signerRaw).toString('base64url'),
    nbf: issuedAt - DAY,
    exp: issuedAt + 90 * DAY,
  });
  const bundleText = await signTrustBundle(
    { version: 1, issuedAt, expiresAt: issuedAt + 2 * DAY, keys: [entry], revokedPassPrefixes: {}, revokedKeys: [], rules: DEFAULT_RULES },
    { privateKey: signer.privateKey, kid: keyIdOf(signerRaw), certificate },
  );
  const key: IssuerSigningKey = { kid: entry.kid, kidBytes: keyIdBytes(issuerRaw), privateKey: issuer.privateKey, entry };
  const passes: BenchPass[] = [];
  for (const p of REFERENCE_PASSES) {
    passes.push({ id: p.id, text: (await issuePass({ content: p.content, issuer: 'KDCA', now: issuedAt, key })).text });
  }
  const now = new Date((issuedAt + 3 * 3600) * 1000);
  return {
    passes,
    bundleText,
    root: rootRaw,
    now,
    issuerPublicKey: issuerRaw,
    async open(backend) {
      const opened = await openBundle(bundleText, { root: rootRaw, now, backend });
      if (!opened.ok) throw new Error(`benchmark bundle does not open: ${opened.code} ${opened.message}`);
      return opened.bundle;
    },
  };
}
