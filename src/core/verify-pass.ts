// Offline verification: QR text + trusted bundle + injected time → a result. Stops at the first
// failure, in the order of docs/pass-format.md §7, and never throws on bad data.
import { toBase64Url, toHex } from './bytes.ts';
import { formatIsoDate } from './civil-time.ts';
import { sigStructure, parseCoseSign1 } from './cose-sign1.ts';
import { checkEd25519Strict } from './crypto/ed25519-policy.ts';
import { decodeClaims } from './pass-claims-codec.ts';
import { recognizeFormat } from './pass-format.ts';
import { implausibility } from './plausibility.ts';
import { fromQrText, MAX_QR_TEXT_LENGTH } from './qr-text.ts';
import { evaluateRules } from './rules.ts';
import type { TrustedBundle } from './trust-bundle.ts';
import { isTrustedBundle, toUnixSeconds } from './trust-bundle.ts';
import type { PassFormat, VerificationResult } from './verification-result.ts';
import type { ForeignSignatureBackend } from './crypto/foreign-signature-backend.ts';
import { createWebCryptoForeignBackend } from './crypto/webcrypto-foreign-backend.ts';
import { verifyEuDcc } from './foreign/eu-dcc.ts';
import { verifyNzcp } from './foreign/nzcp.ts';
import { verifyShc } from './foreign/shc.ts';
import { MAX_SHC_CHUNKS } from './foreign/shc-numeric.ts';
import { fail } from './verification-result.ts';

export interface VerifyOptions {
  /** The verifier's clock. It is raised to the bundle's issuedAt if it is behind: a device clock set back cannot revive an expired pass. */
  readonly now: Date;
}

/** Only SMART Health Cards span several QR codes; every chunk must be one of them. */
function verifyChunks(texts: readonly unknown[], bundle: TrustedBundle, now: number): Promise<VerificationResult> {
  const shc = { ...fail('MALFORMED', ''), format: 'shc' as const };
  if (texts.length === 0) return Promise.resolve(fail('MALFORMED', 'no pass text given'));
  if (texts.length > MAX_SHC_CHUNKS) return Promise.resolve({ ...shc, message: `a card has at most ${MAX_SHC_CHUNKS} QR codes (got ${texts.length})` });
  for (const t of texts) {
    if (typeof t !== 'string' || t.length === 0 || t.length > MAX_QR_TEXT_LENGTH) return Promise.resolve(fail('MALFORMED', 'one of the pass texts is empty, too long or not text'));
    if (recognizeFormat(t) !== 'shc') return Promise.resolve(fail('MALFORMED', 'only SMART Health Cards span several QR codes, and one of these codes is none'));
  }
  return verifyForeign('shc', texts as string[], bundle, now);
}

// Backends written before the foreign formats have no ES256/PS256; WebCrypto has both everywhere.
const fallbackForeignBackends = new WeakMap<object, ForeignSignatureBackend>();

function verifyForeign(format: Exclude<PassFormat, 'vaxpass'>, texts: readonly string[], bundle: TrustedBundle, now: number): Promise<VerificationResult> {
  let backend = bundle.backend.foreign ?? fallbackForeignBackends.get(bundle.backend);
  if (!backend) {
    backend = createWebCryptoForeignBackend();
    fallbackForeignBackends.set(bundle.backend, backend);
  }
  const context = { bundle, now, backend };
  if (format === 'shc') return verifyShc(texts, context);
  return format === 'eu-dcc' ? verifyEuDcc(texts[0]!, context) : verifyNzcp(texts[0]!, context);
}

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();

/**
 * `text` is what the QR code held. A pass spread over several QR codes (SMART Health Card chunks
 * `shc:/i/n/…`) is passed as the array of their texts, in any order.
 */
export async function verify(text: string | readonly string[], bundle: TrustedBundle, options: VerifyOptions): Promise<VerificationResult> {
  const clock = toUnixSeconds(options.now);
  if (!isTrustedBundle(bundle)) return fail('BUNDLE_INVALID', 'the trust bundle was not opened and checked with openBundle');
  const now = Math.max(clock, bundle.issuedAt);
  if (now >= bundle.expiresAt) return fail('BUNDLE_EXPIRED', `trust bundle expired at ${iso(bundle.expiresAt)}; sync it`);
  if (Array.isArray(text)) {
    // Only a flat list of texts is the chunks of one pass; nested arrays are not recursed into.
    if (!text.every((chunk) => typeof chunk === 'string')) return fail('MALFORMED', 'pass texts are not all strings');
    if (text.length === 1) return verify(text[0] as string, bundle, options);
    return verifyChunks(text, bundle, now);
  }
  if (typeof text !== 'string') return fail('MALFORMED', 'pass text is not a string');
  if (text.length === 0) return fail('MALFORMED', 'pass text is empty');
  if (text.length > MAX_QR_TEXT_LENGTH) return fail('MALFORMED', `text is longer than ${MAX_QR_TEXT_LENGTH} characters`);
  const format = recognizeFormat(text);
  if (format === null) return fail('NOT_A_PASS', 'this code is not a health pass');
  if (format !== 'vaxpass') return verifyForeign(format, [text], bundle, now);

  const qr = fromQrText(text);
  if (!qr.ok) return fail(qr.code, qr.message);
  const cose = parseCoseSign1(qr.bytes);
  if (!cose.ok) return fail(cose.code, cose.message);
  const { kid, protectedHeader, payload, signature } = cose.value;

  const kidText = toBase64Url(kid);
  const key = bundle.keys.get(kidText);
  if (!key) return fail('UNKNOWN_KEY', `key ${kidText} is not in the trust bundle`);
  if (key.status === 'revoked' || bundle.revokedKeys.has(kidText)) return fail('KEY_REVOKED', `key ${kidText} has been revoked`);
  const checked = checkEd25519Strict(bundle.backend, signature, sigStructure(protectedHeader, payload), key.publicKeyBytes);
  if (!(typeof checked === 'boolean' ? checked : await checked)) {
    return fail('BAD_SIGNATURE', 'signature does not match the pass contents and key');
  }

  const claims = decodeClaims(payload);
  if (!claims.ok) return fail('MALFORMED', claims.message);
  const pass = claims.pass;
  if (pass.iss !== key.iss) return fail('UNKNOWN_KEY', `key ${kidText} does not belong to issuer ${pass.iss}`);
  if (pass.iat < key.validFrom || pass.iat > key.signUntil) {
    return fail('KEY_NOT_VALID_AT_ISSUE', `key ${kidText} could not sign at ${iso(pass.iat)} (valid ${iso(key.validFrom)} to ${iso(key.signUntil)})`);
  }
  if (now > key.verifyUntil) return fail('KEY_EXPIRED', `key ${kidText} stopped verifying at ${iso(key.verifyUntil)}`);
  const skew = bundle.rules.clockSkewSeconds;
  if (pass.iat > now + skew) return fail('NOT_YET_VALID', `pass is issued in the future (${iso(pass.iat)})`);
  if (pass.nbf > now + skew) return fail('NOT_YET_VALID', `pass is not valid before ${iso(pass.nbf)}`);
  if (now >= pass.exp) return fail('EXPIRED', `pass expired at ${iso(pass.exp)}`);
  const passId = toHex(pass.cti);
  if (bundle.revokedPasses.has(pass.cti)) return fail('PASS_REVOKED', 'pass has been revoked');
  // After the envelope and time checks (so their codes stay first), before the rules read the facts.
  const impossible = implausibility(pass, bundle.rules);
  if (impossible !== null) return fail('IMPLAUSIBLE', impossible);

  const outcome = evaluateRules(pass.content, bundle.rules, now);
  if (!outcome.ok) return fail('RULES_NOT_MET', outcome.message, outcome.rule);
  return {
    ok: true,
    format: 'vaxpass',
    holder: { name: pass.content.name, birthDate: formatIsoDate(pass.content.birthDate) },
    passType: pass.content.type,
    // The key stops verifying after verifyUntil, so the pass cannot be valid beyond it either.
    validUntil: Math.min(outcome.validUntil ?? pass.exp, pass.exp, key.verifyUntil),
    rule: outcome.rule,
    kid: kidText,
    issuer: pass.iss,
    passId,
    bundleVersion: bundle.version,
    decidedAt: now,
  };
}
