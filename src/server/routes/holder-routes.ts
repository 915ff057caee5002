// Holder API: the signed-in person's own passes. There is no person parameter to tamper with:
// the person comes from the verified ID token only.
import { Hono } from 'hono';
import type { HolderTokenVerifier } from '../../idp/holder-token-verifier.ts';
import { DEV_IDP_PATH } from '../../idp/dev-identity-provider.ts';
import type { AppEnv } from '../app-env.ts';
import { ifNoneMatchHits, strongEtag } from '../http-cache.ts';
import { currentHolderPasses } from '../issuance/holder-passes.ts';
import type { IssuanceContext } from '../issuance/issuance-context.ts';
import { bearerToken } from '../middleware/partner-auth.ts';
import { ApiError } from '../problem.ts';
import type { RateLimiter } from '../rate-limiter.ts';
import { requestRef } from '../middleware/request-id.ts';

export function holderRoutes(ctx: IssuanceContext, verifier: HolderTokenVerifier, limiter: RateLimiter): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const challenge = { 'WWW-Authenticate': 'Bearer realm="vaxpass-holder"' };

  app.get('/passes', async (c) => {
    const token = bearerToken(c.req.header('authorization'));
    if (!token) throw new ApiError('UNAUTHENTICATED', 'sign in and send the ID token as "Authorization: Bearer <id_token>"', challenge);
    const origin = ctx.config.publicUrl ?? new URL(c.req.url).origin;
    const result = await verifier.verify(token, ctx.config.devIdp ? `${origin}${DEV_IDP_PATH}` : null);
    if (!result.ok) throw new ApiError('INVALID_ID_TOKEN', result.reason, { 'WWW-Authenticate': 'Bearer realm="vaxpass-holder", error="invalid_token"' });
    const retryAfter = limiter.take(`holder:${result.personId}`, ctx.config.holderQuotaPerMinute);
    if (retryAfter !== null) throw new ApiError('RATE_LIMITED', 'too many refreshes; the pass you have stays valid', { 'Retry-After': String(retryAfter) });

    const passes = await currentHolderPasses(ctx, result.personId, requestRef(c));
    const body = JSON.stringify({ passes });
    const etag = strongEtag(body);
    // Personal data: cacheable by the holder's own app only, and revalidated every time.
    const headers = { ETag: etag, 'Cache-Control': 'private, no-cache', Vary: 'Authorization' };
    if (ifNoneMatchHits(c.req.header('if-none-match'), etag)) return c.body(null, 304, headers);
    return c.body(body, 200, { 'Content-Type': 'application/json', ...headers });
  });
  return app;
}
