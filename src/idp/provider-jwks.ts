// The signing keys of the configured OpenID provider, found by discovery (issuer URL →
// /.well-known/openid-configuration → jwks_uri) unless a JWKS URL is configured. Discovery runs on
// first use and again after a failure, so the issuer starts even while the provider is down; jose
// caches the key set and refetches it when a token names an unknown kid (provider key rotation).
import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';

export class ProviderUnavailableError extends Error {
  override readonly name = 'ProviderUnavailableError';
}

export function providerJwks(issuer: string, jwksUrl: string | null): JWTVerifyGetKey {
  let keys: Promise<JWTVerifyGetKey> | null = null;
  const discover = async (): Promise<JWTVerifyGetKey> => {
    let url = jwksUrl;
    if (url === null) {
      const response = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000), headers: { Accept: 'application/json' } }).catch(() => null);
      const metadata = response?.ok ? ((await response.json().catch(() => null)) as { issuer?: unknown; jwks_uri?: unknown } | null) : null;
      // OpenID Connect Discovery §4.3: the document must name exactly the issuer it was fetched for.
      if (!metadata || metadata.issuer !== issuer || typeof metadata.jwks_uri !== 'string') throw new ProviderUnavailableError('the identity provider discovery document is unavailable or names another issuer');
      url = metadata.jwks_uri;
    }
    return createRemoteJWKSet(new URL(url), { timeoutDuration: 5000, cooldownDuration: 30_000 });
  };
  return async (header, token) => {
    keys ??= discover().catch((error: unknown) => {
      keys = null;
      throw error;
    });
    return (await keys)(header, token);
  };
}
