// What scanners and CDNs fetch: the signed trust bundle, revocation deltas, the issuer JWKS and
// (for the dev scanner) the root public key.
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import type { VaxpassDatabase } from '../../db/store.ts';
import type { AppEnv } from '../app-env.ts';
import { unixNow, type Clock } from '../clock.ts';
import { ifNoneMatchHits } from '../http-cache.ts';
import type { IssuerKeys } from '../issuer-keys.ts';
import { publishedKeys } from '../issuer-keys.ts';
import type { Metrics } from '../metrics.ts';
import { ApiError } from '../problem.ts';
import { deltaEtag, type BundlePublisher } from '../publication/bundle-publisher.ts';
import { artifactHeaders, PUBLIC_CACHE } from '../publication/artifact-headers.ts';
import { revokedKeyIds } from '../../db/queries/revoked-sets.ts';


// Scanners may be served from another origin than the issuer or its CDN: let them revalidate with
// If-None-Match (not a CORS-safelisted header, so it needs a preflight) and read ETag and the version.
const publicCors = cors({ origin: '*', allowMethods: ['GET', 'HEAD'], allowHeaders: ['If-None-Match'], exposeHeaders: ['ETag', 'X-Bundle-Version'], maxAge: 86_400 });

export function publicationRoutes(deps: { db: VaxpassDatabase; keys: IssuerKeys; clock: Clock; publisher: BundlePublisher; metrics: Metrics }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  for (const path of ['/api/v1/trust-bundle', '/api/v1/trust-bundle/revocations', '/.well-known/jwks.json', '/api/v1/trust-root']) app.use(path, publicCors);

  app.get('/api/v1/trust-bundle', async (c) => {
    const bundle = await deps.publisher.current();
    deps.metrics.bundleVersion = bundle.version;
    if (ifNoneMatchHits(c.req.header('if-none-match'), bundle.etag)) return c.body(null, 304, artifactHeaders(bundle, bundle.etag, 304));
    return c.body(bundle.jws, 200, artifactHeaders(bundle, bundle.etag));
  });

  app.get('/api/v1/trust-bundle/revocations', async (c) => {
    const since = c.req.query('since');
    const bundle = await deps.publisher.current();
    if (since === undefined || !/^\d{1,15}$/.test(since) || Number(since) > bundle.version) {
      throw new ApiError('VERSION_NOT_AVAILABLE', `since must be a bundle version between 0 and ${bundle.version}`);
    }
    const fromVersion = Number(since);
    const etag = deltaEtag(bundle, fromVersion);
    if (ifNoneMatchHits(c.req.header('if-none-match'), etag)) return c.body(null, 304, artifactHeaders(bundle, etag, 304));
    const delta = await deps.publisher.delta(bundle, fromVersion);
    return c.body(delta.jws, 200, artifactHeaders(bundle, etag));
  });

  app.get('/.well-known/jwks.json', async (c) => {
    const now = unixNow(deps.clock);
    const keys = publishedKeys(deps.keys.current(), now, await revokedKeyIds(deps.db))
      .filter((k) => k.status !== 'revoked')
      .map((k) => ({ kty: 'OKP', crv: 'Ed25519', x: k.publicKey, kid: k.kid, alg: 'EdDSA', use: 'sig', iss: k.iss, status: k.status, nbf: k.validFrom, signUntil: k.signUntil, verifyUntil: k.verifyUntil }));
    return c.json({ keys }, 200, { 'Cache-Control': PUBLIC_CACHE, 'Access-Control-Allow-Origin': '*' });
  });

  app.get('/api/v1/trust-root', (c) => {
    const directory = deps.keys.current();
    const x = Buffer.from(directory.rootPublicKey).toString('base64url');
    return c.json({ kid: directory.rootKid, publicKey: x, jwk: { kty: 'OKP', crv: 'Ed25519', x } }, 200, { 'Cache-Control': PUBLIC_CACHE, 'Access-Control-Allow-Origin': '*' });
  });
  return app;
}
