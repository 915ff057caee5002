// Holder sign-in: an OpenID Connect ID token (JWT) verified with jose against the provider's
// JWKS, checking signature, issuer, audience and expiry. The token's `sub` is the registry
// person id (docs/operations.md explains how to map a real provider's subjects).
import { createHash } from 'node:crypto';
import { decodeJwt, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { providerJwks } from './provider-jwks.ts';
import type { OidcConfig } from '../server/config.ts';

export type HolderTokenResult = { ok: true; personId: string } | { ok: false; reason: string };

export interface HolderTokenVerifierOptions {
  readonly oidc: OidcConfig | null;
  /** Verification time (the server clock). */
  readonly now: () => Date;
  /**
   * How long a verified token is remembered (never past its exp), so a holder app refreshing every
   * few seconds costs a hash lookup instead of a signature check. 0 disables. Default 300 s.
   */
  readonly cacheSeconds?: number;
}

const CACHE_MAX_ENTRIES = 10_000;

export interface HolderTokenVerifier {
  verify(token: string): Promise<HolderTokenResult>;
}

const PERSON_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function createHolderTokenVerifier(options: HolderTokenVerifierOptions): HolderTokenVerifier {
  const remote: JWTVerifyGetKey | null = options.oidc ? providerJwks(options.oidc.issuer, options.oidc.jwksUrl) : null;

  const cacheSeconds = options.cacheSeconds ?? 300;
  // Keyed by the token's SHA-256; the token itself is not kept.
  const verified = new Map<string, { personId: string; until: number }>();

  async function verifyUncached(token: string): Promise<HolderTokenResult & { exp?: number }> {
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      return { ok: false, reason: 'the ID token is not a JWT' };
    }
    if (!remote || !options.oidc || iss !== options.oidc.issuer) return { ok: false, reason: 'the ID token is not from an accepted identity provider' };
    const keys = remote;
    const { issuer, audience } = options.oidc;
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer,
        audience,
        algorithms: ['EdDSA', 'ES256', 'RS256', 'PS256'],
        requiredClaims: ['exp', 'sub'],
        currentDate: options.now(),
        clockTolerance: 30,
      });
      const personId = payload[options.oidc.personClaim];
      if (typeof personId !== 'string' || !PERSON_ID.test(personId)) return { ok: false, reason: 'the ID token carries no registry person id' };
      return { ok: true, personId, exp: payload.exp! };
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { ok: false, reason: 'the ID token has expired; sign in again' };
      if (error instanceof errors.JWTClaimValidationFailed) return { ok: false, reason: `the ID token ${error.claim} claim is not accepted` };
      if (error instanceof errors.JOSEError) return { ok: false, reason: 'the ID token signature or format is not valid' };
      return { ok: false, reason: 'the identity provider cannot be reached to check the ID token; try again later' };
    }
  }

  return {
    async verify(token) {
      const now = options.now().getTime() / 1000;
      const key = cacheSeconds > 0 ? createHash('sha256').update(token).digest('base64url') : '';
      const hit = cacheSeconds > 0 ? verified.get(key) : undefined;
      if (hit && now < hit.until) return { ok: true, personId: hit.personId };
      const result = await verifyUncached(token);
      if (!result.ok) return result;
      if (cacheSeconds > 0) {
        if (verified.size >= CACHE_MAX_ENTRIES) verified.clear();
        verified.set(key, { personId: result.personId, until: Math.min(result.exp ?? now, now + cacheSeconds) });
      }
      return { ok: true, personId: result.personId };
    },
  };
}
