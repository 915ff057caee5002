// Revocation deltas: what was revoked after the bundle version a scanner holds, so a scanner on a
// slow link can catch up without downloading the whole bundle. A delta is a compact JWS signed by
// the same certified bundle signer; applying one yields a new TrustedBundle with the union of
// revocations and the delta's version. Keys and rules still come only from full bundles, and a
// delta never extends a bundle's expiry.
import type { Ed25519Backend } from './crypto/ed25519-backend.ts';
import { fromBase64Url } from './bytes.ts';
import type { BundleDocument, BundleKey, TrustedBundle } from './trust-bundle.ts';
import { decodeRevokedPasses, type EncodedRevokedPasses, type RevokedPassSet } from './revoked-pass-set.ts';
import { isTrustedBundle, MAX_BUNDLE_LENGTH, openCertifiedJws, sealTrustedBundle, toUnixSeconds } from './trust-bundle.ts';
import type { FailureCode } from './verification-result.ts';

export const REVOCATION_DELTA_FORMAT = 'vaxpass-revocations/2';
const RETIRED_DELTA_FORMATS = ['vaxpass-revocations/1'];
export const REVOCATION_DELTA_JWS_TYPE = 'vaxpass-revocations+jws';

export interface RevocationDeltaDocument {
  readonly format: typeof REVOCATION_DELTA_FORMAT;
  /** Revocations first listed after this bundle version … */
  readonly fromVersion: number;
  /** … up to and including this one. */
  readonly toVersion: number;
  readonly issuedAt: number;
  /** The 40-bit prefixes of the pass ids revoked in (fromVersion, toVersion], coded as in the bundle. */
  readonly revokedPassPrefixes: EncodedRevokedPasses;
  readonly revokedKeys: readonly string[];
}

export interface ApplyRevocationDeltaOptions {
  /** The pinned root public key (raw 32 bytes). */
  readonly root: Uint8Array;
  readonly now: Date;
  /** Defaults to the backend the bundle was opened with. */
  readonly backend?: Ed25519Backend;
}

export type ApplyRevocationDeltaResult =
  | { readonly ok: true; readonly bundle: TrustedBundle }
  | { readonly ok: false; readonly code: Extract<FailureCode, 'BUNDLE_INVALID' | 'BUNDLE_EXPIRED' | 'BUNDLE_ROLLBACK'>; readonly message: string };

const invalid = (message: string): ApplyRevocationDeltaResult => ({ ok: false, code: 'BUNDLE_INVALID', message });
const isVersion = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 2 ** 40;

function readDelta(v: Record<string, unknown> | null): { delta: RevocationDeltaDocument; revokedPasses: RevokedPassSet } | string {
  if (!v) return 'revocation delta payload is not a JSON object';
  if (RETIRED_DELTA_FORMATS.includes(v.format as string)) return `revocation delta format ${v.format as string} is no longer accepted; the issuer must publish ${REVOCATION_DELTA_FORMAT}`;
  if (v.format !== REVOCATION_DELTA_FORMAT) return `revocation delta format is not ${REVOCATION_DELTA_FORMAT}`;
  if (!isVersion(v.fromVersion) || !isVersion(v.toVersion) || v.toVersion < v.fromVersion || !isTime(v.issuedAt)) return 'revocation delta versions or time are invalid';
  const revokedPasses = decodeRevokedPasses(v.revokedPassPrefixes);
  if (typeof revokedPasses === 'string') return `revocation delta ${revokedPasses}`;
  if (!Array.isArray(v.revokedKeys) || !(v.revokedKeys as unknown[]).every((k) => typeof k === 'string' && fromBase64Url(k)?.length === 8)) {
    return 'revocation delta has an invalid revoked key id';
  }
  const delta: RevocationDeltaDocument = {
    format: REVOCATION_DELTA_FORMAT,
    fromVersion: v.fromVersion,
    toVersion: v.toVersion,
    issuedAt: v.issuedAt,
    revokedPassPrefixes: v.revokedPassPrefixes as EncodedRevokedPasses,
    revokedKeys: v.revokedKeys as string[],
  };
  return { delta, revokedPasses };
}

/** Verifies a delta with the bundle's chain rules and applies it. Never throws on bad data. */
export async function applyRevocationDelta(bundle: TrustedBundle, text: string, options: ApplyRevocationDeltaOptions): Promise<ApplyRevocationDeltaResult> {
  const clock = toUnixSeconds(options.now);
  if (!isTrustedBundle(bundle)) return invalid('the trust bundle was not opened and checked with openBundle');
  if (typeof text !== 'string' || text.length === 0) return invalid('revocation delta is empty');
  if (text.length > MAX_BUNDLE_LENGTH) return invalid('revocation delta is too large');
  const opened = await openCertifiedJws(text, REVOCATION_DELTA_JWS_TYPE, 'revocation delta', { root: options.root, backend: options.backend ?? bundle.backend });
  if (!opened.ok) return invalid(opened.message);
  const { certificate } = opened;
  const read = readDelta(opened.payload);
  if (typeof read === 'string') return invalid(read);
  const { delta } = read;
  if (delta.issuedAt < certificate.nbf || delta.issuedAt > certificate.exp) return invalid('revocation delta was signed outside its signer certificate validity');
  if (clock > certificate.exp) return invalid('revocation delta signer certificate has expired');
  if (delta.toVersion < bundle.version) {
    return { ok: false, code: 'BUNDLE_ROLLBACK', message: `revocation delta ends at version ${delta.toVersion}, older than the held version ${bundle.version}` };
  }
  if (delta.fromVersion > bundle.version) {
    return invalid(`revocation delta starts after version ${delta.fromVersion} but the held bundle is version ${bundle.version}; fetch the full bundle`);
  }
  const issuedAt = Math.max(bundle.issuedAt, delta.issuedAt);
  if (Math.max(clock, issuedAt) >= bundle.expiresAt) {
    return { ok: false, code: 'BUNDLE_EXPIRED', message: `bundle expired at ${new Date(bundle.expiresAt * 1000).toISOString()}; fetch the full bundle` };
  }
  if (delta.toVersion === bundle.version) return { ok: true, bundle };

  const revokedKeys = [...new Set([...bundle.document.revokedKeys, ...delta.revokedKeys])];
  const revokedKeySet = new Set(revokedKeys);
  const keys: BundleKey[] = bundle.document.keys.map((k) => (revokedKeySet.has(k.kid) ? { ...k, status: 'revoked' } : k));
  // O(delta): only the blocks the delta has entries in are merged and re-coded; every other block
  // (its entries and its text) is the held bundle's. The result is derived, not signed: `payload`
  // is null, and a scanner keeps the signed full bundle and the signed delta, not this document
  // (docs/pass-format.md §6.4).
  const touched = read.revokedPasses.firstBytes();
  const revokedPasses = bundle.revokedPasses.union(read.revokedPasses);
  const document: BundleDocument = {
    ...bundle.document,
    version: delta.toVersion,
    issuedAt,
    keys,
    revokedPassPrefixes: { ...bundle.document.revokedPassPrefixes, ...revokedPasses.encode(touched) },
    revokedKeys,
  };
  const signer = { kid: certificate.sub, certificateExpiresAt: certificate.exp };
  return { ok: true, bundle: sealTrustedBundle(document, signer, options.backend ?? bundle.backend, null, revokedPasses) };
}
