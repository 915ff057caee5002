// What the three foreign-format verifiers share: their context, failures that name the format,
// JSON-ish views of CBOR, and the policy step that turns a checked pass into a result.
import type { ForeignSignatureBackend } from '../crypto/foreign-signature-backend.ts';
import type { TrustedBundle } from '../trust-bundle.ts';
import type { FailureCode, PassType, VerificationFailure, VerificationResult } from '../verification-result.ts';
import type { ForeignFormat } from './foreign-trust.ts';
import { DEFAULT_FOREIGN_POLICY } from './foreign-trust.ts';
import { CborTag } from './tolerant-cbor.ts';

export interface ForeignContext {
  readonly bundle: TrustedBundle;
  /** Unix seconds: the caller's clock raised to the bundle's issuedAt, as for vaxpass passes. */
  readonly now: number;
  readonly backend: ForeignSignatureBackend;
}

export function foreignFailure(format: ForeignFormat, code: FailureCode, message: string, country?: string): VerificationFailure {
  return country === undefined ? { ok: false, code, message, format } : { ok: false, code, message, format, country };
}

export interface CheckedForeignPass {
  readonly format: ForeignFormat;
  readonly country?: string;
  readonly holder: { readonly name: string; readonly birthDate: string };
  readonly passType: PassType;
  /** Unix seconds; null when the pass itself has no expiry (many SMART Health Cards). */
  readonly exp: number | null;
  readonly kid: string;
  readonly issuer: string;
  readonly passId: string;
}

/**
 * The bundle's policy for the format, after signature and validity period have passed. A pass
 * with no expiry is reported valid until the bundle expires: this scanner cannot vouch for it longer.
 */
export function applyForeignPolicy(pass: CheckedForeignPass, context: ForeignContext): VerificationResult {
  const policy = context.bundle.foreign?.trust.policy[pass.format] ?? DEFAULT_FOREIGN_POLICY[pass.format];
  const rule = `${pass.format}.${pass.passType}`;
  const refuse = (message: string): VerificationResult => ({ ...foreignFailure(pass.format, 'RULES_NOT_MET', message, pass.country), rule });
  if (!policy.accepted) return refuse(`${pass.format} passes are not accepted here`);
  if (policy.countries !== null && (pass.country === undefined || !policy.countries.includes(pass.country))) {
    return refuse(`passes from ${pass.country ?? 'this issuer'} are not accepted here`);
  }
  if (!policy.passTypes.includes(pass.passType)) return refuse(`${pass.passType} passes of this format are not accepted here`);
  return {
    ok: true,
    format: pass.format,
    ...(pass.country === undefined ? {} : { country: pass.country }),
    holder: pass.holder,
    passType: pass.passType,
    validUntil: Math.min(pass.exp ?? context.bundle.expiresAt, context.bundle.expiresAt),
    rule,
    kid: pass.kid,
    issuer: pass.issuer,
    passId: pass.passId,
    bundleVersion: context.bundle.version,
    decidedAt: context.now,
  };
}

/** CBOR maps and tags → plain JSON-like values, so format code can read fields by name. */
export function plain(value: unknown, depth = 0): unknown {
  if (depth > 32) return null;
  if (value instanceof CborTag) return plain(value.value, depth + 1);
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[String(k)] = plain(v, depth + 1);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => plain(v, depth + 1));
  return value;
}

export const record = (v: unknown): Record<string, unknown> | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
export const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** An ISO date or a year/year-month from the holder's date of birth; empty when unknown. */
export function birthDateOf(v: unknown): string {
  const s = text(v)?.trim() ?? '';
  return /^\d{4}(-\d{2}(-\d{2})?)?/.test(s) ? s.slice(0, 10) : '';
}

export function fullName(...parts: (string | null | undefined)[]): string {
  return parts.filter((p): p is string => typeof p === 'string' && p.trim().length > 0).map((p) => p.trim()).join(' ');
}

export function base64Standard(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary);
}
