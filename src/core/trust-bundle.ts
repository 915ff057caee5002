// The trust bundle a scanner caches: issuer keys, revocations, rules and a version, as a compact
// JWS (RFC 7515) signed by a bundle-signing key. That key is certified by the root key the scanner
// pins (a compact JWS in the bundle's protected header, "cert"), so the root stays offline while
// bundles are re-signed daily. See docs/pass-format.md §6.
import { fromBase64Url, utf8 } from './bytes.ts';
import { isValidTimeZone } from './civil-time.ts';
import { readEntryLogPolicy, type EntryLogPolicy } from './entry-log.ts';
import type { Ed25519Backend } from './crypto/ed25519-backend.ts';
import { publicKeyProblem, verifyEd25519Strict } from './crypto/ed25519-policy.ts';
import type { DayWindow, Rules } from './rules.ts';
import { decodeRevokedPasses, RevokedPassSet, type EncodedRevokedPasses } from './revoked-pass-set.ts';
import type { FailureCode } from './verification-result.ts';
import { indexForeignTrust, readForeignTrust, type ForeignTrust, type ForeignTrustIndex } from './foreign/foreign-trust.ts';

export const BUNDLE_FORMAT = 'vaxpass-bundle/2';
/** Formats this verifier once accepted and now refuses with a message that says what to do. */
const RETIRED_BUNDLE_FORMATS = ['vaxpass-bundle/1'];
export const BUNDLE_JWS_TYPE = 'vaxpass-bundle+jws';
export const CERT_JWS_TYPE = 'vaxpass-cert+jws';
export const MAX_BUNDLE_LENGTH = 32 * 1024 * 1024;

export type KeyStatus = 'next' | 'active' | 'retired' | 'revoked';

export interface BundleKey {
  /** base64url of the first 8 bytes of SHA-256(raw public key). */
  readonly kid: string;
  readonly iss: string;
  /** base64url raw Ed25519 public key (32 bytes). */
  readonly publicKey: string;
  /** Unix seconds: the key may sign passes with iat in [validFrom, signUntil]. */
  readonly validFrom: number;
  readonly signUntil: number;
  /** Unix seconds: passes under this key verify until then. */
  readonly verifyUntil: number;
  readonly status: KeyStatus;
}

/** The signed JSON payload. */
export interface BundleDocument {
  readonly format: typeof BUNDLE_FORMAT;
  readonly version: number;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly keys: readonly BundleKey[];
  /** The 40-bit prefixes of revoked pass ids (cti), Rice-coded in blocks (revoked-pass-set.ts). */
  readonly revokedPassPrefixes: EncodedRevokedPasses;
  readonly revokedKeys: readonly string[];
  readonly rules: Rules;
  /** Venue entry log: the health authority's public keys and the retention rule (entry-log.ts). Absent: no venue mode. */
  readonly entryLog?: EntryLogPolicy;
  /**
   * Trust and policy for EU DCC, SMART Health Cards and NZ COVID Pass (§6.5). Optional, so the
   * format stays vaxpass-bundle/2: scanners that predate it ignore the member and keep refusing
   * foreign passes as unsupported; bundles without it verify vaxpass passes only.
   */
  readonly foreign?: ForeignTrust;
}

/** Payload of the root's certificate for a bundle-signing key. */
export interface SignerCertificate {
  readonly sub: string;
  readonly publicKey: string;
  readonly nbf: number;
  readonly exp: number;
}

export interface TrustedKey extends BundleKey {
  readonly publicKeyBytes: Uint8Array;
}

/** A bundle whose signature chain, freshness and contents have been checked. Only openBundle makes one. */
export interface TrustedBundle {
  readonly version: number;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly rules: Rules;
  readonly keys: ReadonlyMap<string, TrustedKey>;
  /** Decoded once per bundle; `has` is a binary search. */
  readonly revokedPasses: RevokedPassSet;
  readonly revokedKeys: ReadonlySet<string>;
  readonly signer: { readonly kid: string; readonly certificateExpiresAt: number };
  readonly backend: Ed25519Backend;
  readonly document: BundleDocument;
  /** The document's foreign trust with lookup maps; null when the bundle carries none. */
  readonly foreign: ForeignTrustIndex | null;
  /**
   * The signed payload (base64url) when the bundle was opened from a full bundle; null after a
   * delta was applied. A bundle of the same version must be this payload exactly.
   */
  readonly payload: string | null;
}

const trusted = new WeakSet<object>();

export function isTrustedBundle(value: unknown): value is TrustedBundle {
  return typeof value === 'object' && value !== null && trusted.has(value);
}

export interface OpenBundleOptions {
  /** The pinned root public key (raw 32 bytes). */
  readonly root: Uint8Array;
  readonly now: Date;
  readonly backend: Ed25519Backend;
  /** The bundle the scanner already holds; an older version is a rollback. */
  readonly held?: TrustedBundle | null;
  /**
   * The highest bundle version this verifier has ever accepted. Keeps rollback protection after the
   * held bundle itself has expired (an expired bundle cannot be opened to serve as `held`).
   */
  readonly minVersion?: number;
}

export type OpenBundleResult =
  | { readonly ok: true; readonly bundle: TrustedBundle }
  | { readonly ok: false; readonly code: Extract<FailureCode, 'BUNDLE_INVALID' | 'BUNDLE_EXPIRED' | 'BUNDLE_ROLLBACK'>; readonly message: string };

function invalid(message: string): OpenBundleResult {
  return { ok: false, code: 'BUNDLE_INVALID', message };
}

type JwsParts = { header: Record<string, unknown>; payload: Uint8Array; signingInput: Uint8Array; signature: Uint8Array };

function parseCompactJws(text: string): JwsParts | string {
  const parts = text.split('.');
  if (parts.length !== 3) return 'not a compact JWS';
  const [h, p, s] = parts as [string, string, string];
  const headerBytes = fromBase64Url(h);
  const payload = fromBase64Url(p);
  const signature = fromBase64Url(s);
  if (!headerBytes || !payload || !signature) return 'JWS is not base64url';
  const header = parseJsonObject(headerBytes);
  if (!header) return 'JWS header is not a JSON object';
  if (header.alg !== 'EdDSA') return 'JWS alg is not EdDSA';
  if ('crit' in header) return 'JWS has critical header parameters this verifier does not know';
  return { header, payload, signature, signingInput: utf8.encode(`${h}.${p}`) };
}

function parseJsonObject(bytes: Uint8Array): Record<string, unknown> | null {
  const text = utf8.decode(bytes);
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A compact JWS whose signer the pinned root certified: its JSON payload and the certificate. */
export type CertifiedJws =
  | { readonly ok: true; readonly payload: Record<string, unknown> | null; readonly certificate: SignerCertificate }
  | { readonly ok: false; readonly message: string };

/**
 * Checks the signature chain shared by bundles and revocation deltas: the JWS has the expected
 * typ, carries a certificate ("cert") signed by the pinned root, and is signed by the certified key.
 * Freshness is the caller's business.
 */
export async function openCertifiedJws(
  text: string,
  typ: string,
  label: string,
  options: { readonly root: Uint8Array; readonly backend: Ed25519Backend },
): Promise<CertifiedJws> {
  const no = (message: string): CertifiedJws => ({ ok: false, message });
  const jws = parseCompactJws(text.trim());
  if (typeof jws === 'string') return no(jws);
  if (jws.header.typ !== typ) return no(`JWS typ is not ${typ}`);
  if (typeof jws.header.cert !== 'string') return no(`${label} has no signer certificate`);

  const cert = parseCompactJws(jws.header.cert);
  if (typeof cert === 'string') return no(`signer certificate: ${cert}`);
  if (cert.header.typ !== CERT_JWS_TYPE) return no(`signer certificate typ is not ${CERT_JWS_TYPE}`);
  if (!(await verifyEd25519Strict(options.backend, cert.signature, cert.signingInput, options.root))) {
    return no(`${label} signer is not certified by the pinned root key`);
  }
  const certificate = readCertificate(parseJsonObject(cert.payload));
  if (typeof certificate === 'string') return no(`signer certificate: ${certificate}`);
  if (jws.header.kid !== certificate.sub) return no(`${label} kid does not match its certificate`);
  const signerKey = fromBase64Url(certificate.publicKey)!;
  if (!(await verifyEd25519Strict(options.backend, jws.signature, jws.signingInput, signerKey))) {
    return no(`${label} signature is not valid`);
  }
  return { ok: true, payload: parseJsonObject(jws.payload), certificate };
}

/** Checks a bundle's chain to the pinned root, its freshness and its contents. Never throws on bad data. */
export async function openBundle(text: string, options: OpenBundleOptions): Promise<OpenBundleResult> {
  const now = toUnixSeconds(options.now);
  if (publicKeyProblem(options.root) !== null) throw new TypeError('root must be a valid 32-byte Ed25519 public key');
  if (typeof text !== 'string' || text.length === 0) return invalid('bundle is empty');
  if (text.length > MAX_BUNDLE_LENGTH) return invalid('bundle is too large');
  const opened = await openCertifiedJws(text, BUNDLE_JWS_TYPE, 'bundle', options);
  if (!opened.ok) return invalid(opened.message);
  const { certificate } = opened;

  const read = readDocument(opened.payload);
  if (typeof read === 'string') return invalid(read);
  const { document, revokedPasses } = read;
  if (document.issuedAt < certificate.nbf || document.issuedAt > certificate.exp) {
    return invalid('bundle was signed outside its signer certificate validity');
  }
  if (now > certificate.exp) return invalid('bundle signer certificate has expired');
  const floor = Math.max(options.held?.version ?? 0, options.minVersion ?? 0);
  if (document.version < floor) {
    return { ok: false, code: 'BUNDLE_ROLLBACK', message: `bundle version ${document.version} is older than version ${floor}, which this verifier already accepted` };
  }
  if (now >= document.expiresAt) return { ok: false, code: 'BUNDLE_EXPIRED', message: `bundle expired at ${new Date(document.expiresAt * 1000).toISOString()}` };

  const payload = text.trim().split('.')[1]!;
  const bundle = sealTrustedBundle(document, { kid: certificate.sub, certificateExpiresAt: certificate.exp }, options.backend, payload, revokedPasses);
  if (options.held && document.version === options.held.version && !sameVersionContent(options.held, bundle)) {
    // Versions are signed once, so this is an issuer that started over (a lost database) or a
    // forgery by a holder of the signing key: either way, its revocations may be missing.
    return { ok: false, code: 'BUNDLE_ROLLBACK', message: `bundle version ${document.version} differs from the version ${document.version} this verifier already holds; keeping the held bundle` };
  }
  return { ok: true, bundle };
}

/** Whether a bundle with the held bundle's version says the same: the same payload, or (held through a delta) the same revocations. */
function sameVersionContent(held: TrustedBundle, next: TrustedBundle): boolean {
  if (held.payload !== null) return held.payload === next.payload;
  return held.revokedPasses.equals(next.revokedPasses) && held.revokedKeys.size === next.revokedKeys.size && [...held.revokedKeys].every((k) => next.revokedKeys.has(k));
}

/**
 * Builds a TrustedBundle from a document whose signature chain the caller has checked. Only
 * openBundle and applyRevocationDelta (revocation-delta.ts) call it.
 */
export function sealTrustedBundle(
  document: BundleDocument,
  signer: TrustedBundle['signer'],
  backend: Ed25519Backend,
  payload: string | null,
  revokedPasses: RevokedPassSet,
): TrustedBundle {
  const keys = new Map<string, TrustedKey>();
  for (const key of document.keys) keys.set(key.kid, { ...key, publicKeyBytes: fromBase64Url(key.publicKey)! });
  const bundle: TrustedBundle = Object.freeze({
    version: document.version,
    issuedAt: document.issuedAt,
    expiresAt: document.expiresAt,
    rules: document.rules,
    keys,
    revokedPasses,
    revokedKeys: new Set(document.revokedKeys),
    signer,
    backend,
    document,
    foreign: document.foreign === undefined ? null : indexForeignTrust(document.foreign),
    payload,
  });
  trusted.add(bundle);
  return bundle;
}


export function toUnixSeconds(date: Date): number {
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new TypeError('now must be a valid Date');
  return Math.floor(date.getTime() / 1000);
}

// ---- structural validation of signed JSON (signed, but still checked: a bug upstream must not crash scanners)

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 2 ** 40;
const isB64 = (v: unknown, bytes: number): v is string => typeof v === 'string' && fromBase64Url(v)?.length === bytes;
const isCount = (v: unknown, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;

function readCertificate(v: Record<string, unknown> | null): SignerCertificate | string {
  if (!v) return 'payload is not a JSON object';
  if (typeof v.sub !== 'string' || !isB64(v.publicKey, 32) || !isTime(v.nbf) || !isTime(v.exp) || v.exp <= v.nbf) return 'payload is incomplete';
  if (publicKeyProblem(fromBase64Url(v.publicKey)!) !== null) return 'public key is not acceptable';
  return { sub: v.sub, publicKey: v.publicKey, nbf: v.nbf, exp: v.exp };
}

const KEY_STATUSES: readonly KeyStatus[] = ['next', 'active', 'retired', 'revoked'];

function readDocument(v: Record<string, unknown> | null): { document: BundleDocument; revokedPasses: RevokedPassSet } | string {
  if (!v) return 'bundle payload is not a JSON object';
  if (RETIRED_BUNDLE_FORMATS.includes(v.format as string)) return `bundle format ${v.format as string} is no longer accepted; the issuer must publish ${BUNDLE_FORMAT}`;
  if (v.format !== BUNDLE_FORMAT) return `bundle format is not ${BUNDLE_FORMAT}`;
  if (!isCount(v.version, Number.MAX_SAFE_INTEGER) || !isTime(v.issuedAt) || !isTime(v.expiresAt) || v.expiresAt <= v.issuedAt) {
    return 'bundle version or validity is invalid';
  }
  if (!Array.isArray(v.keys) || !Array.isArray(v.revokedKeys)) return 'bundle lists are missing';
  const keys: BundleKey[] = [];
  for (const k of v.keys as unknown[]) {
    const key = k as Record<string, unknown>;
    if (
      typeof k !== 'object' || k === null || !isB64(key.kid, 8) || typeof key.iss !== 'string' || !isB64(key.publicKey, 32) ||
      !isTime(key.validFrom) || !isTime(key.signUntil) || !isTime(key.verifyUntil) || !KEY_STATUSES.includes(key.status as KeyStatus)
    ) {
      return 'bundle has an invalid key entry';
    }
    // Scanners look keys up by kid, so a repeated kid would make the answer depend on list order.
    if (keys.some((seen) => seen.kid === key.kid)) return 'bundle lists a key id twice';
    keys.push({ kid: key.kid, iss: key.iss, publicKey: key.publicKey, validFrom: key.validFrom, signUntil: key.signUntil, verifyUntil: key.verifyUntil, status: key.status as KeyStatus });
  }
  const revokedPasses = decodeRevokedPasses(v.revokedPassPrefixes);
  if (typeof revokedPasses === 'string') return `bundle ${revokedPasses}`;
  if (!(v.revokedKeys as unknown[]).every((p) => isB64(p, 8))) return 'bundle has an invalid revoked key id';
  const rules = readRules(v.rules);
  if (typeof rules === 'string') return `bundle rules: ${rules}`;
  const entryLog = v.entryLog === undefined ? undefined : readEntryLogPolicy(v.entryLog);
  if (typeof entryLog === 'string') return `bundle ${entryLog}`;
  const foreign = v.foreign === undefined ? undefined : readForeignTrust(v.foreign);
  if (typeof foreign === 'string') return `bundle ${foreign}`;
  const document: BundleDocument = {
    format: BUNDLE_FORMAT,
    version: v.version,
    issuedAt: v.issuedAt,
    expiresAt: v.expiresAt,
    keys,
    revokedPassPrefixes: v.revokedPassPrefixes as EncodedRevokedPasses,
    revokedKeys: v.revokedKeys as string[],
    rules,
    ...(entryLog ? { entryLog } : {}),
    ...(foreign === undefined ? {} : { foreign }),
  };
  return { document, revokedPasses };
}

function readWindow(v: unknown, allowOpenEnd: boolean): DayWindow | null | undefined {
  if (v === null) return null;
  const w = v as Record<string, unknown>;
  if (typeof v !== 'object' || !isCount(w.validFromDay, 3650)) return undefined;
  if (w.validDays === null && allowOpenEnd) return { validFromDay: w.validFromDay, validDays: null };
  if (!isCount(w.validDays, 36500) || w.validDays === 0) return undefined;
  return { validFromDay: w.validFromDay, validDays: w.validDays };
}

/** Validates rules from a bundle (or a rules file) without trusting their shape. */
export function readRules(v: unknown): Rules | string {
  if (typeof v !== 'object' || v === null) return 'missing';
  const r = v as Record<string, unknown>;
  if (typeof r.timeZone !== 'string' || !isValidTimeZone(r.timeZone)) return 'timeZone is not a known IANA zone';
  if (!isCount(r.clockSkewSeconds, 86_400)) return 'clockSkewSeconds is invalid';
  let vaccination: Rules['vaccination'] = null;
  if (r.vaccination !== null) {
    const vac = r.vaccination as Record<string, unknown>;
    if (typeof vac !== 'object' || typeof vac.products !== 'object' || vac.products === null) return 'vaccination is invalid';
    const products: Record<string, { primaryDoses: number }> = {};
    for (const [code, p] of Object.entries(vac.products as Record<string, unknown>)) {
      const doses = (p as Record<string, unknown> | null)?.primaryDoses;
      if (!/^[1-9]\d{0,2}$/.test(code) || !isCount(doses, 10) || doses === 0) return `vaccination product ${code} is invalid`;
      products[code] = { primaryDoses: doses };
    }
    const primary = readWindow(vac.primary, true);
    const booster = readWindow(vac.booster, true);
    if (!primary || booster === undefined) return 'vaccination windows are invalid';
    vaccination = { products, primary, booster };
  }
  let test: Rules['test'] = null;
  if (r.test !== null) {
    const kinds = (r.test as Record<string, unknown> | undefined)?.kinds as Record<string, unknown> | undefined;
    if (typeof kinds !== 'object' || kinds === null) return 'test is invalid';
    const accepted: Partial<Record<'PCR' | 'RAT', { validHours: number }>> = {};
    for (const [kind, k] of Object.entries(kinds)) {
      const hours = (k as Record<string, unknown> | null)?.validHours;
      if ((kind !== 'PCR' && kind !== 'RAT') || !isCount(hours, 24 * 365) || hours === 0) return `test kind ${kind} is invalid`;
      accepted[kind] = { validHours: hours };
    }
    test = { kinds: accepted };
  }
  const recovery = readWindow(r.recovery, false);
  if (recovery === undefined) return 'recovery is invalid';
  let exemption: Rules['exemption'] = null;
  if (r.exemption !== null) {
    const accepted = (r.exemption as Record<string, unknown> | undefined)?.accepted;
    if (typeof accepted !== 'boolean') return 'exemption is invalid';
    exemption = { accepted };
  }
  return { timeZone: r.timeZone, clockSkewSeconds: r.clockSkewSeconds, vaccination, test, recovery, exemption };
}

