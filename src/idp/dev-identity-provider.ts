// DEVELOPMENT ONLY identity provider: signs ID tokens for any person id it is asked for, with a
// key generated in memory at start. It exists so the demo and the tests run without an external
// provider. It is off unless VAXPASS_DEV_IDP=on, and every response says DEV ONLY.
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, type JWK } from 'jose';

export const DEV_IDP_AUDIENCE = 'vaxpass-holder';
export const DEV_IDP_TOKEN_SECONDS = 3600;
export const DEV_IDP_PATH = '/dev-idp';

export interface DevIdentityProvider {
  readonly jwks: { keys: JWK[] };
  issueToken(issuer: string, personId: string, now: number): Promise<string>;
}

export function createDevIdentityProvider(): DevIdentityProvider {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk: JWK = { ...(publicKey.export({ format: 'jwk' }) as JWK), kid: 'dev-idp-1', alg: 'EdDSA', use: 'sig' };
  return {
    jwks: { keys: [jwk] },
    issueToken(issuer, personId, now) {
      return new SignJWT({ dev_only: true })
        .setProtectedHeader({ alg: 'EdDSA', kid: jwk.kid!, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(DEV_IDP_AUDIENCE)
        .setSubject(personId)
        .setIssuedAt(now)
        .setExpirationTime(now + DEV_IDP_TOKEN_SECONDS)
        .sign(privateKey);
    },
  };
}
