// A complete, throw-away trust chain for browser tests and benchmarks: root → bundle signer →
// issuer key, signed bundles and passes whose times are relative to `now` (so the apps, which
// read the real clock, see them as valid, expired or revoked). Uses the same signing code as
// the issuer (signTrustBundle, certifyBundleSigner, signPass).
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { DEFAULT_RULES, type Rules } from '../../src/core/rules.ts';
import { civilDayAt } from '../../src/core/civil-time.ts';
import type { PassContent } from '../../src/core/pass-content.ts';
import { signPass } from '../../src/core/sign-pass.ts';
import { decodeBase45, encodeBase45 } from '../../src/core/base45.ts';
import { QR_PREFIX } from '../../src/core/qr-text.ts';
import { toHex } from '../../src/core/bytes.ts';
import { RevokedPassSet } from '../../src/core/revoked-pass-set.ts';
import { REFERENCE_PASSES } from '../../src/demo/reference-passes.ts';
import { ed25519Signer } from '../../src/keys/key-directory.ts';
import { keyIdBytes, keyIdOf, rawPublicKey } from '../../src/keys/key-id.ts';
import { certifyBundleSigner, signTrustBundle } from '../../src/publication/sign-trust-bundle.ts';
import { signRevocationDelta } from '../../src/server/publication/revocation-delta.ts';
import type { KeyDirectory } from '../../src/keys/key-directory.ts';

const DAY = 86_400;
export const ISSUER = 'KDCA';

export interface FixturePass {
  readonly passId: string;
  readonly text: string;
  readonly type: PassContent['type'];
  readonly iat: number;
  readonly exp: number;
  readonly kid: string;
  readonly holder: { readonly name: string; readonly birthDate: string };
}

export interface BundleOptions {
  readonly version?: number;
  readonly issuedAt?: number;
  readonly expiresAt?: number;
  readonly revokedPasses?: readonly string[];
  /** Extra random revoked pass ids, for size benchmarks. */
  readonly extraRevocations?: number;
  readonly rules?: Rules;
}

export interface TrustFixture {
  readonly now: number;
  readonly rootPublicKey: Uint8Array;
  readonly rootKid: string;
  readonly issuerKid: string;
  sign(content: PassContent, times?: { iat?: number; exp?: number }): Promise<FixturePass>;
  bundle(options?: BundleOptions): Promise<string>;
  /** A signed revocation delta (src/core/revocation-delta.ts) from the same bundle signer. */
  delta(fromVersion: number, toVersion: number, revokedPasses: readonly string[], issuedAt?: number): Promise<string>;
}

function key(): { privateKey: KeyObject; raw: Uint8Array; kid: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey);
  return { privateKey, raw, kid: keyIdOf(raw) };
}

export async function createTrustFixture(now = Math.floor(Date.now() / 1000)): Promise<TrustFixture> {
  const root = key();
  const signer = key();
  const issuer = key();
  const certificate = await certifyBundleSigner(root.privateKey, root.kid, {
    sub: signer.kid,
    publicKey: Buffer.from(signer.raw).toString('base64url'),
    nbf: now - 90 * DAY,
    exp: now + 90 * DAY,
  });
  const issuerEntry = {
    kid: issuer.kid,
    iss: ISSUER,
    publicKey: Buffer.from(issuer.raw).toString('base64url'),
    validFrom: now - 60 * DAY,
    signUntil: now + 365 * DAY,
    verifyUntil: now + 730 * DAY,
    status: 'active' as const,
  };
  return {
    now,
    rootPublicKey: root.raw,
    rootKid: root.kid,
    issuerKid: issuer.kid,
    async sign(content, times = {}) {
      const iat = times.iat ?? now - 3600;
      const exp = times.exp ?? now + 365 * DAY;
      const cti = new Uint8Array(randomBytes(8));
      const text = await signPass({ iss: ISSUER, iat, nbf: iat, exp, cti, content }, keyIdBytes(issuer.raw), ed25519Signer(issuer.privateKey));
      const birth = new Date(content.birthDate * DAY * 1000).toISOString().slice(0, 10);
      return { passId: toHex(cti), text, type: content.type, iat, exp, kid: issuer.kid, holder: { name: content.name, birthDate: birth } };
    },
    delta(fromVersion, toVersion, revokedPasses, issuedAt = now - 60) {
      // signRevocationDelta only reads the directory's bundle signer.
      const directory = { signer: { privateKey: signer.privateKey, kid: signer.kid, certificate } } as unknown as KeyDirectory;
      return signRevocationDelta({ fromVersion, toVersion, issuedAt, revokedPassPrefixes: RevokedPassSet.fromPassIds(revokedPasses).encode(), revokedKeys: [] }, directory);
    },
    bundle(options = {}) {
      const revoked = [...(options.revokedPasses ?? [])];
      for (let i = 0; i < (options.extraRevocations ?? 0); i++) revoked.push(randomBytes(8).toString('hex'));
      return signTrustBundle(
        {
          version: options.version ?? 1,
          issuedAt: options.issuedAt ?? now - 600,
          expiresAt: options.expiresAt ?? now + 7 * DAY,
          keys: [issuerEntry],
          revokedPassPrefixes: RevokedPassSet.fromPassIds(revoked).encode(),
          revokedKeys: [],
          rules: options.rules ?? DEFAULT_RULES,
        },
        { privateKey: signer.privateKey, kid: signer.kid, certificate },
      );
    },
  };
}

/** Reference content whose rules outcome does not depend on today's date (a booster has no end). */
export function boosterContent(): PassContent {
  const maria = REFERENCE_PASSES.find((p) => p.id === 'vaccination-3-doses-latin-name');
  if (!maria) throw new Error('reference pass missing');
  return maria.content;
}

/** A fully vaccinated person with a booster, dates relative to `now` (civil days). */
export function recentBoosterContent(name: string, birthDate: string, now: number): PassContent {
  const today = Math.floor(now / DAY);
  return {
    name,
    birthDate: Math.floor(Date.parse(`${birthDate}T00:00:00Z`) / 1000 / DAY),
    type: 'vaccination',
    doses: [
      { product: 1, date: today - 200 },
      { product: 1, date: today - 170 },
      { product: 2, date: today - 20 },
    ],
  };
}

/**
 * One dose of a single-dose vaccine (product 4 completes the primary series) `daysAgo` civil days
 * before `now`: under DEFAULT_RULES accepted from day 14 to day 193, refused after (RULES_NOT_MET)
 * while the pass itself is still unexpired.
 */
export function singleDoseContent(name: string, birthDate: string, daysAgo: number, now: number): PassContent {
  return {
    name,
    birthDate: Math.floor(Date.parse(`${birthDate}T00:00:00Z`) / 1000 / DAY),
    type: 'vaccination',
    doses: [{ product: 4, date: civilDayAt(now, DEFAULT_RULES.timeZone) - daysAgo }],
  };
}

/** The same pass with one signature byte changed: the QR still decodes, the signature fails. */
export function randomPassIds(count: number): string[] {
  return Array.from({ length: count }, () => randomBytes(8).toString('hex'));
}

export function tamperSignature(text: string): string {
  const bytes = decodeBase45(text.slice(QR_PREFIX.length));
  if (!bytes) throw new Error('not a pass');
  bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0x01;
  return QR_PREFIX + encodeBase45(bytes);
}
