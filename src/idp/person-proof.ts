// The person's proof of authentication that a partner sends with an issuance request: an ID token
// from the configured OpenID provider, issued to that partner's client, fresh, naming the person.
// This decides WHO a pass may be issued for; the partner's own word (a personId, a name) does not.
// Every failure reason is about the token alone, never about the registry, so no answer before a
// verified proof can tell whether a person exists.
import { createHash } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';

export type PersonProofFailure =
  | 'not-a-jwt'
  | 'algorithm-not-accepted'
  | 'other-provider'
  | 'bad-signature'
  | 'other-audience'
  | 'expired'
  | 'not-fresh'
  | 'no-person-id'
  | 'provider-unavailable';

export type PersonProofResult =
  | { readonly ok: true; readonly personId: string; readonly tokenHash: string; readonly usableUntil: number }
  | { readonly ok: false; readonly reason: PersonProofFailure };

export interface PersonProofOptions {
  readonly issuer: string;
  readonly keys: JWTVerifyGetKey;
  /** The claim holding the registry person id ("sub" when the provider's subject is the person id). */
  readonly personClaim: string;
  /** How long after the person signed in (auth_time, else iat) the proof may be used. */
  readonly maxAgeSeconds: number;
}

export interface PersonProofVerifier {
  verify(token: string, clientId: string, now: Date): Promise<PersonProofResult>;
}

/** Asymmetric algorithms only: "none" and HMAC (a key the partner might share) never prove anything. */
const ALGORITHMS = ['RS256', 'PS256', 'ES256', 'EdDSA'];
const PERSON_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const CLOCK_TOLERANCE_SECONDS = 30;

export function createPersonProofVerifier(options: PersonProofOptions): PersonProofVerifier {
  return {
    async verify(token, clientId, now) {
      const fail = (reason: PersonProofFailure): PersonProofResult => ({ ok: false, reason });
      try {
        if (!ALGORITHMS.includes(String(decodeProtectedHeader(token).alg))) return fail('algorithm-not-accepted');
        if (decodeJwt(token).iss !== options.issuer) return fail('other-provider');
      } catch {
        return fail('not-a-jwt');
      }
      let payload;
      try {
        ({ payload } = await jwtVerify(token, options.keys, { issuer: options.issuer, algorithms: ALGORITHMS, requiredClaims: ['exp', 'iat'], currentDate: now, clockTolerance: CLOCK_TOLERANCE_SECONDS }));
      } catch (error) {
        if (error instanceof errors.JWTExpired) return fail('expired');
        if (error instanceof errors.JOSEError && !(error instanceof errors.JWKSTimeout)) return fail('bad-signature');
        return fail('provider-unavailable');
      }
      // OpenID Connect Core §3.1.3.7: the client is among the audiences, and if an azp is present it is the client.
      const audiences = typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];
      if (payload.azp !== undefined ? payload.azp !== clientId : !audiences.includes(clientId)) return fail('other-audience');
      const signedInAt = typeof payload.auth_time === 'number' ? payload.auth_time : payload.iat!;
      const seconds = now.getTime() / 1000;
      if (seconds - signedInAt > options.maxAgeSeconds + CLOCK_TOLERANCE_SECONDS || signedInAt > seconds + CLOCK_TOLERANCE_SECONDS) return fail('not-fresh');
      const personId = payload[options.personClaim];
      if (typeof personId !== 'string' || !PERSON_ID.test(personId)) return fail('no-person-id');
      const tokenHash = createHash('sha256').update(token).digest('hex');
      return { ok: true, personId, tokenHash, usableUntil: Math.min(payload.exp!, signedInAt + options.maxAgeSeconds) + CLOCK_TOLERANCE_SECONDS };
    },
  };
}
