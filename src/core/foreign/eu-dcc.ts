// EU Digital COVID Certificate: "HC1:" + base45(zlib(COSE_Sign1(CWT))). Layers in the order of
// docs/pass-format.md §11.1; the first that fails decides the code.
import { decodeBase45 } from '../base45.ts';
import { checkForeignSignature } from '../crypto/foreign-signature-backend.ts';
import type { PassType, VerificationResult } from '../verification-result.ts';
import { boundedInflate } from './bounded-inflate.ts';
import { numericDate, parseForeignCose } from './foreign-cose.ts';
import { applyForeignPolicy, base64Standard, birthDateOf, foreignFailure, fullName, plain, record, text, type ForeignContext } from './foreign-outcome.ts';
import type { DccType } from './foreign-trust.ts';

const PREFIX = 'HC1:';
const CLAIM_ISS = 1;
const CLAIM_EXP = 4;
const CLAIM_IAT = 6;
const CLAIM_HCERT = -260;
const PASS_TYPES: Record<DccType, PassType> = { v: 'vaccination', t: 'test', r: 'recovery' };
const iso = (s: number): string => new Date(s * 1000).toISOString();

export async function verifyEuDcc(qrText: string, context: ForeignContext): Promise<VerificationResult> {
  const malformed = (message: string, country?: string): VerificationResult => foreignFailure('eu-dcc', 'MALFORMED', message, country);
  if (!qrText.startsWith(PREFIX)) return malformed(`text does not start with ${PREFIX}`);
  const compressed = decodeBase45(qrText, PREFIX.length);
  if (!compressed) return malformed('text after HC1: is not valid base45');
  const inflated = await boundedInflate(compressed, 'deflate');
  if (!inflated.ok) return malformed(inflated.message);
  const cose = parseForeignCose(inflated.bytes, { requireTag18: false });
  if (!cose.ok) return malformed(cose.message);
  const { claims, kid, algorithm, algorithmId } = cose.value;
  const iss = text(claims.get(CLAIM_ISS));
  const country = iss !== null && /^[A-Z]{2}$/.test(iss) ? iss : undefined;
  const hcert = claims.get(CLAIM_HCERT);
  const dcc = record(plain(hcert instanceof Map ? hcert.get(1) : undefined));
  if (!dcc) return malformed('CWT has no EU DCC (claim -260/1)', country);
  const failure = (code: Parameters<typeof foreignFailure>[1], message: string): VerificationResult => foreignFailure('eu-dcc', code, message, country);

  if (algorithm === null) return failure('UNSUPPORTED_ALGORITHM', `COSE algorithm ${String(algorithmId)} is neither ES256 (-7) nor PS256 (-37)`);
  if (kid === null) return failure('UNKNOWN_KEY', 'the certificate names no key id');
  const kidText = base64Standard(kid);
  const candidates = context.bundle.foreign?.euByKid.get(kidText) ?? [];
  if (candidates.length === 0) return failure('UNKNOWN_KEY', `document signer ${kidText} is not in the trust bundle`);
  let signer = null;
  for (const dsc of candidates) {
    if (await checkForeignSignature(context.backend, algorithm, cose.value.signature, cose.value.signedBytes, dsc.key)) {
      signer = dsc;
      break;
    }
  }
  if (signer === null) return failure('BAD_SIGNATURE', 'signature does not match the certificate and its document signer');

  const type = (['v', 't', 'r'] as const).find((t) => Array.isArray(dcc[t]) && (dcc[t] as unknown[]).length > 0);
  if (type === undefined) return malformed('the certificate holds no vaccination, test or recovery entry', country);
  if (signer.certificateTypes !== null && !signer.certificateTypes.includes(type)) {
    return failure('CERTIFICATE_TYPE_NOT_ALLOWED', `document signer ${kidText} may not sign ${PASS_TYPES[type]} certificates`);
  }
  const iat = numericDate(claims.get(CLAIM_IAT));
  const exp = numericDate(claims.get(CLAIM_EXP));
  if (iat === null || exp === null) return malformed('CWT lacks iat or exp', country);
  // Equal instants count as valid, as in the EU's own test harness.
  if (context.now < iat) return failure('NOT_YET_VALID', `certificate is issued in the future (${iso(iat)})`);
  if (context.now > exp) return failure('EXPIRED', `certificate expired at ${iso(exp)}`);

  const name = record(dcc.nam);
  const entry = record((dcc[type] as unknown[])[0]);
  return applyForeignPolicy(
    {
      format: 'eu-dcc',
      ...(country === undefined ? {} : { country }),
      holder: { name: fullName(text(name?.gn) ?? text(name?.gnt), text(name?.fn) ?? text(name?.fnt)), birthDate: birthDateOf(dcc.dob) },
      passType: PASS_TYPES[type],
      exp,
      kid: kidText,
      issuer: iss ?? signer.country,
      passId: text(entry?.ci) ?? '',
    },
    context,
  );
}
