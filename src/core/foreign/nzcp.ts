// NZ COVID Pass: "NZCP:/1/" + base32(COSE_Sign1 tag 18 over a CWT), ES256 only, alg and kid in
// the protected header (NZCP spec §5). The issuer is a did:web DID that the trust bundle lists,
// with the DID document's assertionMethod keys. Layers in the order of docs/pass-format.md §11.3.
import { toHex, utf8 } from '../bytes.ts';
import { checkForeignSignature } from '../crypto/foreign-signature-backend.ts';
import type { VerificationResult } from '../verification-result.ts';
import { decodeBase32 } from './base32.ts';
import { numericDate, parseForeignCose } from './foreign-cose.ts';
import { applyForeignPolicy, birthDateOf, foreignFailure, fullName, plain, record, text, type ForeignContext } from './foreign-outcome.ts';

const PREFIX = 'NZCP:/1/';
const CLAIM_ISS = 1;
const CLAIM_EXP = 4;
const CLAIM_NBF = 5;
const CLAIM_CTI = 7;
const iso = (s: number): string => new Date(s * 1000).toISOString();

export async function verifyNzcp(qrText: string, context: ForeignContext): Promise<VerificationResult> {
  const fail = (code: Parameters<typeof foreignFailure>[1], message: string): VerificationResult => foreignFailure('nzcp', code, message, 'NZ');
  if (!qrText.startsWith(PREFIX)) {
    const version = /^NZCP:\/(\d{1,3})\//.exec(qrText);
    return version ? fail('UNSUPPORTED_VERSION', `NZ COVID Pass version ${version[1]} is not supported`) : fail('MALFORMED', `text does not start with ${PREFIX}`);
  }
  const bytes = decodeBase32(qrText, PREFIX.length);
  if (!bytes) return fail('MALFORMED', 'text after NZCP:/1/ is not valid base32');
  const cose = parseForeignCose(bytes, { requireTag18: true });
  if (!cose.ok) return fail('MALFORMED', cose.message);
  const { claims, kid, algorithm, algProtected, kidProtected } = cose.value;
  const iss = text(claims.get(CLAIM_ISS));
  const nbf = numericDate(claims.get(CLAIM_NBF));
  const exp = numericDate(claims.get(CLAIM_EXP));
  const vc = record(plain(claims.get('vc')));
  if (iss === null || nbf === null || exp === null || !vc) return fail('MALFORMED', 'CWT lacks iss, nbf, exp or vc');
  if (!algProtected || algorithm !== 'ES256') return fail('UNSUPPORTED_ALGORITHM', 'NZ COVID Pass must be ES256 with alg in the protected header');
  const kidText = kid === null || !kidProtected ? null : utf8.decode(kid);
  if (kidText === null) return fail('MALFORMED', 'kid is missing from the protected header');

  const issuer = context.bundle.foreign?.nzcpByIss.get(iss);
  if (!issuer) return fail('UNKNOWN_KEY', `issuer ${iss} is not a trusted NZ COVID Pass issuer`);
  const key = issuer.keys.find((k) => k.kid === kidText);
  if (!key) return fail('UNKNOWN_KEY', `key ${iss}#${kidText} is not an assertion key of the issuer`);
  if (!(await checkForeignSignature(context.backend, 'ES256', cose.value.signature, cose.value.signedBytes, key.key))) {
    return fail('BAD_SIGNATURE', 'signature does not match the pass and its issuer key');
  }
  if (context.now < nbf) return fail('NOT_YET_VALID', `pass is not valid before ${iso(nbf)}`);
  if (context.now > exp) return fail('EXPIRED', `pass expired at ${iso(exp)}`);

  const subject = record(vc.credentialSubject);
  const cti = claims.get(CLAIM_CTI);
  return applyForeignPolicy(
    {
      format: 'nzcp',
      country: 'NZ',
      holder: { name: fullName(text(subject?.givenName), text(subject?.familyName)), birthDate: birthDateOf(subject?.dob) },
      passType: 'vaccination',
      exp,
      kid: `${iss}#${kidText}`,
      issuer: iss,
      passId: cti instanceof Uint8Array ? toHex(cti) : '',
    },
    context,
  );
}
