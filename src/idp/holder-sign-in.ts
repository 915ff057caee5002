// The holder app's sign-in at the configured OpenID provider: authorization code flow with PKCE,
// run by the issuer as the holder app's backend (a confidential client), with openid-client (a
// certified relying-party library) rather than hand-written OAuth. The browser never sees a token;
// it gets a session cookie (src/server/session/). Discovery runs on first use and after a failure.
import * as oidc from 'openid-client';
import type { OidcConfig } from '../server/config.ts';

export interface SignInChecks {
  readonly pkceVerifier: string;
  readonly state: string;
  readonly nonce: string;
}

export type SignInResult = { readonly ok: true; readonly personId: string } | { readonly ok: false; readonly reason: string };

export interface HolderSignIn {
  /** New checks and the provider URL to send the browser to. */
  start(redirectUri: string): Promise<{ checks: SignInChecks; url: string }>;
  /** The provider's redirect back: code exchanged (PKCE, state, nonce, ID token checked) → the person. */
  finish(callbackUrl: URL, checks: SignInChecks): Promise<SignInResult>;
}

const PERSON_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function createHolderSignIn(config: OidcConfig & { readonly clientSecret: string }): HolderSignIn {
  let discovered: Promise<oidc.Configuration> | null = null;
  const configuration = () =>
    (discovered ??= oidc
      .discovery(new URL(config.issuer), config.audience, config.clientSecret, undefined, new URL(config.issuer).protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {})
      .catch((error: unknown) => {
        discovered = null;
        throw error;
      }));

  return {
    async start(redirectUri) {
      const checks = { pkceVerifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce() };
      const url = oidc.buildAuthorizationUrl(await configuration(), {
        redirect_uri: redirectUri,
        scope: 'openid',
        code_challenge: await oidc.calculatePKCECodeChallenge(checks.pkceVerifier),
        code_challenge_method: 'S256',
        state: checks.state,
        nonce: checks.nonce,
      });
      return { checks, url: url.href };
    },
    async finish(callbackUrl, checks) {
      try {
        const tokens = await oidc.authorizationCodeGrant(await configuration(), callbackUrl, { pkceCodeVerifier: checks.pkceVerifier, expectedState: checks.state, expectedNonce: checks.nonce, idTokenExpected: true });
        const personId = tokens.claims()?.[config.personClaim];
        if (typeof personId !== 'string' || !PERSON_ID.test(personId)) return { ok: false, reason: 'the ID token carries no registry person id' };
        return { ok: true, personId };
      } catch (error) {
        // Only the class: the library's messages can quote provider responses.
        return { ok: false, reason: error instanceof Error ? error.name : 'sign-in failed' };
      }
    },
  };
}
