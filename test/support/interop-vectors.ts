// Replays the shared interop vectors (../shared/interop, see its README): loads them, turns each
// record's trust into the published file shapes the CLI reads, signs a bundle with that trust
// through the same code path as `vaxpass bundle build`, and scores a result against `expected`.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { VerificationResult } from '../../src/core/verification-result.ts';
import type { ForeignFormat, ForeignTrust } from '../../src/core/foreign/foreign-trust.ts';
import { DEFAULT_RULES } from '../../src/core/rules.ts';
import { keyIdOf, rawPublicKey } from '../../src/keys/key-id.ts';
import { buildForeignTrust, type ForeignTrustFiles } from '../../src/publication/foreign-trust-sources.ts';
import { certifyBundleSigner, signTrustBundle } from '../../src/publication/sign-trust-bundle.ts';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');
export const INTEROP_DIR = path.resolve(PROJECT_ROOT, '..', 'shared', 'interop');
export const interopAvailable = existsSync(INTEROP_DIR);
export const INTEROP_SKIP_MESSAGE = `interop vectors not found at ${INTEROP_DIR}: skipping the foreign-format replay`;

export type Layer = 'decode' | 'signature' | 'keyUsage' | 'notYetValid' | 'expired' | 'revoked';
/** The verifier's order of checks; for these keys `true` means the layer FAILED. */
const LAYERS: readonly Layer[] = ['decode', 'signature', 'keyUsage', 'notYetValid', 'expired', 'revoked'];
const TRUE_MEANS_FAILURE: ReadonlySet<Layer> = new Set(['notYetValid', 'expired', 'revoked']);

export interface InteropRecord {
  readonly id: string;
  readonly format: ForeignFormat;
  readonly country?: string;
  readonly qrText: string | string[];
  readonly trust: Record<string, unknown>;
  readonly validationTime: string;
  readonly expected: Partial<Record<Layer, boolean | null>>;
}

export function loadInterop(format: ForeignFormat): InteropRecord[] {
  const file = JSON.parse(readFileSync(path.join(INTEROP_DIR, format, 'vectors.json'), 'utf8')) as { vectors: InteropRecord[] };
  return file.vectors;
}

/** The record's trust as the files `vaxpass bundle build` takes (--eu-dcc-trust, --shc-directory, --nzcp-trust). */
export function trustFilesOf(record: InteropRecord): ForeignTrustFiles {
  const t = record.trust;
  const none = { euDcc: [], shc: [], nzcp: [] };
  if (record.format === 'eu-dcc') {
    const dsc = t.dsc as { kid: string; certificate: string; subject: string };
    // The checklist files (country "common") come from many signers; the DSC subject names the country.
    const country = /(?:^|, )C=([A-Z]{2})(?:,|$)/.exec(dsc.subject)?.[1] ?? (/^[A-Z]{2}$/.test(record.country ?? '') ? record.country! : 'XX');
    return { ...none, euDcc: [{ source: record.id, json: { certificates: [{ kid: dsc.kid, country, certificateType: 'DSC', rawData: dsc.certificate }] } }] };
  }
  if (record.format === 'shc') {
    const jwks = t.jwks as { keys: unknown[] };
    const crls = Object.values((t.crl ?? {}) as Record<string, unknown>);
    return { ...none, shc: [{ source: record.id, json: { issuer_info: [{ issuer: { iss: t.iss, name: 'SHC example issuer' }, keys: jwks.keys, crls }] } }] };
  }
  return { ...none, nzcp: [{ source: record.id, json: { trustedIssuers: t.trustedIssuers, didDocuments: t.didDocuments } }] };
}

export interface BundleMaker {
  readonly root: Uint8Array;
  bundle(foreign: ForeignTrust | null): Promise<string>;
}

/** A throw-away root and signer; bundles valid from 1970 to the far future so every vector's validationTime is inside. */
export async function createBundleMaker(): Promise<BundleMaker> {
  const root = generateKeyPairSync('ed25519');
  const signer = generateKeyPairSync('ed25519');
  const rootRaw = rawPublicKey(root.publicKey);
  const signerRaw = rawPublicKey(signer.publicKey);
  const far = 2 ** 40 - 1;
  const certificate = await certifyBundleSigner(root.privateKey, keyIdOf(rootRaw), { sub: keyIdOf(signerRaw), publicKey: Buffer.from(signerRaw).toString('base64url'), nbf: 0, exp: far });
  return {
    root: rootRaw,
    bundle: (foreign) =>
      signTrustBundle(
        { version: 1, issuedAt: 1, expiresAt: far, keys: [], revokedPassPrefixes: {}, revokedKeys: [], rules: DEFAULT_RULES, ...(foreign ? { foreign } : {}) },
        { privateKey: signer.privateKey, kid: keyIdOf(signerRaw), certificate },
      ),
  };
}

export function bundleForRecord(maker: BundleMaker, record: InteropRecord): Promise<string> {
  return maker.bundle(buildForeignTrust(trustFilesOf(record)));
}

const LAYER_OF_CODE: Record<string, Layer> = {
  MALFORMED: 'decode',
  UNSUPPORTED_VERSION: 'decode',
  NOT_A_PASS: 'decode',
  UNSUPPORTED_ALGORITHM: 'signature',
  UNKNOWN_KEY: 'signature',
  BAD_SIGNATURE: 'signature',
  CERTIFICATE_TYPE_NOT_ALLOWED: 'keyUsage',
  NOT_YET_VALID: 'notYetValid',
  EXPIRED: 'expired',
  PASS_REVOKED: 'revoked',
};

export interface Score {
  readonly asserted: number;
  readonly agreed: number;
  readonly disagreements: string[];
  /** Expected verdict (null when not asserted) and ours; RULES_NOT_MET counts as passing crypto and time. */
  readonly verdict: { readonly expected: 'valid' | 'invalid' | null; readonly actual: 'valid' | 'invalid' };
}

/**
 * Per asserted layer: ours passed it (we failed later or not at all), failed it (our first failure
 * is that layer), or never reached it (we failed earlier). "Not reached" agrees when the record
 * itself asserts that an earlier layer fails, or when it asserts this layer false in the README's
 * sense "could not get that far" (decode, signature, key usage).
 */
export function score(record: InteropRecord, result: Pick<VerificationResult, 'ok'> & { code?: string }): Score {
  const failedAt = result.ok || result.code === 'RULES_NOT_MET' ? LAYERS.length : LAYERS.indexOf(LAYER_OF_CODE[result.code!] ?? 'decode');
  const expectFail = (layer: Layer, value: boolean): boolean => (TRUE_MEANS_FAILURE.has(layer) ? value : !value);
  let asserted = 0;
  let agreed = 0;
  const disagreements: string[] = [];
  let anyFail = false;
  let allAsserted = true;
  for (const layer of LAYERS) {
    const value = record.expected[layer];
    if (value === undefined) continue;
    if (value === null) {
      allAsserted = false;
      continue;
    }
    asserted++;
    const shouldFail = expectFail(layer, value);
    anyFail ||= shouldFail;
    const index = LAYERS.indexOf(layer);
    const ours = failedAt > index ? 'pass' : failedAt === index ? 'fail' : 'not-reached';
    const earlierAssertedFail = failedAt < index && record.expected[LAYERS[failedAt]!] != null && expectFail(LAYERS[failedAt]!, record.expected[LAYERS[failedAt]!]!);
    // decode/signature/keyUsage = false also covers "the data could not be decoded far enough" (interop README).
    const unreachableCountsAsFalse = shouldFail && !TRUE_MEANS_FAILURE.has(layer);
    const ok = ours === (shouldFail ? 'fail' : 'pass') || (ours === 'not-reached' && (earlierAssertedFail || unreachableCountsAsFalse));
    if (ok) agreed++;
    else disagreements.push(`${layer}: expected ${value}, got ${result.ok ? 'valid' : result.code}`);
  }
  return {
    asserted,
    agreed,
    disagreements,
    verdict: { expected: anyFail ? 'invalid' : allAsserted ? 'valid' : null, actual: failedAt === LAYERS.length ? 'valid' : 'invalid' },
  };
}
