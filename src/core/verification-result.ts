// What verification answers. Bad data never throws: it becomes one of these codes, each with a
// message a person can read. The code says which rule was violated; the verdict groups codes
// into what a venue does next.

export const FAILURE_CODES = [
  /** The text is no health pass of any format this scanner knows (a menu URL, a payment code…). */
  'NOT_A_PASS',
  'MALFORMED',
  'UNSUPPORTED_VERSION',
  'UNSUPPORTED_ALGORITHM',
  'UNKNOWN_KEY',
  'KEY_NOT_VALID_AT_ISSUE',
  'KEY_EXPIRED',
  'KEY_REVOKED',
  'BAD_SIGNATURE',
  /** EU DCC: the document signer's extended key usage does not allow this certificate type (v/t/r). */
  'CERTIFICATE_TYPE_NOT_ALLOWED',
  'NOT_YET_VALID',
  'EXPIRED',
  'PASS_REVOKED',
  'RULES_NOT_MET',
  'BUNDLE_INVALID',
  'BUNDLE_EXPIRED',
  'BUNDLE_ROLLBACK',
  'IMPLAUSIBLE',
] as const;

export type FailureCode = (typeof FAILURE_CODES)[number];

/** Codes only the foreign formats produce: no vaxpass pass can earn them, the interop vectors cover them. */
export const FOREIGN_ONLY_FAILURE_CODES: ReadonlySet<FailureCode> = new Set(['CERTIFICATE_TYPE_NOT_ALLOWED']);

export type PassType = 'vaccination' | 'test' | 'recovery' | 'exemption';

/** The pass formats the verifier recognises from the QR text's prefix. */
export type PassFormat = 'vaxpass' | 'eu-dcc' | 'shc' | 'nzcp';

export interface VerificationSuccess {
  readonly ok: true;
  readonly format: PassFormat;
  /** ISO 3166-1 alpha-2 country of the issuer, when the format says it (EU DCC, NZ, the vaxpass issuer's country). */
  readonly country?: string;
  readonly holder: { readonly name: string; readonly birthDate: string };
  readonly passType: PassType;
  /** Unix seconds until which the pass is valid: the earliest of the rule's end, the pass's exp and the signing key's verifyUntil. */
  readonly validUntil: number;
  /** Which rule accepted the pass, e.g. 'vaccination.booster'. */
  readonly rule: string;
  readonly kid: string;
  readonly issuer: string;
  readonly passId: string;
  readonly bundleVersion: number;
  /** The instant the decision used: the caller's `now`, raised to the bundle's issuedAt if the clock was behind it. */
  readonly decidedAt: number;
}

export interface VerificationFailure {
  readonly ok: false;
  readonly code: FailureCode;
  readonly message: string;
  /** The format, once the prefix was recognised (absent for NOT_A_PASS and bundle failures). */
  readonly format?: PassFormat;
  readonly country?: string;
  /** For RULES_NOT_MET: the rule that was closest to accepting the pass. */
  readonly rule?: string;
}

export type VerificationResult = VerificationSuccess | VerificationFailure;

/**
 * valid → admit; invalid → the pass is not acceptable; cannot-verify → this scanner cannot decide
 * (fix the bundle, update the scanner); not-a-pass → the person showed some other code, no verdict on them.
 */
export type Verdict = 'valid' | 'invalid' | 'cannot-verify' | 'not-a-pass';

/**
 * The scanner, not the pass, is the problem: its trust list is unusable, or the pass is of a newer
 * version than it reads (UNSUPPORTED_VERSION). Refusing those passes would turn people away for
 * an out-of-date scanner, so they are "cannot verify" (amber), never "invalid".
 */
const CANNOT_VERIFY: ReadonlySet<FailureCode> = new Set(['BUNDLE_INVALID', 'BUNDLE_EXPIRED', 'BUNDLE_ROLLBACK', 'UNSUPPORTED_VERSION']);

export function verdictOf(result: VerificationResult | { ok: false; code: FailureCode }): Verdict {
  if (result.ok) return 'valid';
  if (result.code === 'NOT_A_PASS') return 'not-a-pass';
  return CANNOT_VERIFY.has(result.code) ? 'cannot-verify' : 'invalid';
}

export function fail(code: FailureCode, message: string, rule?: string): VerificationFailure {
  return rule === undefined ? { ok: false, code, message } : { ok: false, code, message, rule };
}
