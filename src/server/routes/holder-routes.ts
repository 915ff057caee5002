// Holder API: the signed-in person's own passes. There is no person parameter to tamper with:
// the person comes from the holder app's session (cookie) or, for other clients, a verified ID token.
import { Hono, type MiddlewareHandler } from 'hono';
import type { HolderTokenVerifier } from '../../idp/holder-token-verifier.ts';
import { findHolderSession } from '../../db/queries/holder-sessions.ts';
import type { AdmissionController } from '../admission.ts';
import type { AppEnv } from '../app-env.ts';
import { unixNow } from '../clock.ts';
import { ifNoneMatchHits } from '../http-cache.ts';
import { currentHolderPasses } from '../issuance/holder-passes.ts';
import type { IssuanceContext } from '../issuance/issuance-context.ts';
import type { Metrics } from '../metrics.ts';
import { admit } from '../middleware/admit.ts';
import { bearerToken } from '../middleware/partner-auth.ts';
import { ApiError } from '../problem.ts';
import type { RateLimiter } from '../rate-limiter.ts';
import type { HolderRefreshCache } from '../session/holder-refresh-cache.ts';
import { holderAnswerEtag } from '../session/holder-answer-etag.ts';
import type { HolderNotModified } from '../session/holder-not-modified.ts';
import { readSessionCookie } from '../session/holder-session-cookie.ts';
import { storeHolderAnswer } from '../../db/queries/holder-answers.ts';
import { storageFailureOf } from '../../db/storage-failure.ts';
import { ambiguousHost } from '../middleware/single-host.ts';
import { requestRef } from '../middleware/request-id.ts';

// Personal data: cacheable by the holder's own app only, and revalidated every time.
export const PRIVATE_CACHE = { 'Cache-Control': 'private, no-cache', Vary: 'Authorization, Cookie' };

export function holderRoutes(ctx: IssuanceContext, verifier: HolderTokenVerifier, limiter: RateLimiter, admission: AdmissionController, metrics: Metrics, refreshCache: HolderRefreshCache): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  // Holder fetches take the holder lane: ahead of partner bulk issuance when the issuer is busy.
  app.get('/passes', holderAuth(ctx, verifier, limiter), admit(admission, 'holder', metrics), async (c) => {
    const personId = c.get('holderPersonId');
    const { passes, validUntil, stamp } = await currentHolderPasses(ctx, personId, requestRef(c));
    const body = JSON.stringify({ passes });
    const etag = holderAnswerEtag(body);
    const headers = { ETag: etag, ...PRIVATE_CACHE };
    // Later refreshes get their 304 from this (holder-not-modified.ts). Not storing it only costs
    // them the full path, so a storage failure (disk full, database busy) is counted, not answered;
    // anything else is a fault and fails loudly.
    await storeHolderAnswer(ctx.db, personId, stamp, etag, validUntil).catch((error: unknown) => {
      const failure = storageFailureOf(error);
      if (!failure) throw error;
      metrics.storageFailed(failure.kind, failure.driverCode);
    });
    const session = c.get('holderSession');
    if (session) refreshCache.remember(session.cookie, personId, etag, unixNow(ctx.clock), session.expiresAt);
    if (ifNoneMatchHits(c.req.header('if-none-match'), etag)) return c.body(null, 304, headers);
    return c.body(body, 200, { 'Content-Type': 'application/json', ...headers });
  });
  return app;
}

/** The signed-in person (the session cookie's, else a bearer ID token's), within the per-holder quota. */
function holderAuth(ctx: IssuanceContext, verifier: HolderTokenVerifier, limiter: RateLimiter): MiddlewareHandler<AppEnv> {
  const challenge = { 'WWW-Authenticate': 'Bearer realm="vaxpass-holder"' };

  async function holderPerson(cookie: string | null, authorization: string | undefined): Promise<{ ok: true; personId: string; session?: { cookie: string; expiresAt: number } } | { ok: false; reason: string; code?: 'INVALID_ID_TOKEN' }> {
    if (cookie !== null) {
      const session = await findHolderSession(ctx.db, cookie, unixNow(ctx.clock));
      if (session?.personId) return { ok: true, personId: session.personId, session: { cookie, expiresAt: session.expiresAt } };
      if (authorization === undefined) return { ok: false, reason: 'the session has ended; sign in again' };
    }
    const token = bearerToken(authorization);
    if (!token) return { ok: false, reason: 'sign in (the holder app keeps a session cookie), or send an ID token as "Authorization: Bearer <id_token>"' };
    const verified = await verifier.verify(token);
    return verified.ok ? verified : { ...verified, code: 'INVALID_ID_TOKEN' };
  }

  return async (c, next) => {
    const result = await holderPerson(readSessionCookie(c), c.req.header('authorization'));
    if (!result.ok) throw new ApiError(result.code ?? 'UNAUTHENTICATED', result.reason, result.code ? { 'WWW-Authenticate': 'Bearer realm="vaxpass-holder", error="invalid_token"' } : challenge);
    const retryAfter = await limiter.take(`holder:${result.personId}`, ctx.config.holderQuotaPerMinute);
    if (retryAfter !== null) throw new ApiError('RATE_LIMITED', 'too many refreshes; the pass you have stays valid', { 'Retry-After': String(retryAfter) });
    c.set('holderPersonId', result.personId);
    c.set('holderSession', 'session' in result ? result.session : undefined);
    await next();
  };
}

/**
 * A refresh that can be answered 304 without building the answer (holder-not-modified.ts, the
 * decision the node front makes too): 304 before the general middleware. Everything else goes on
 * to the route.
 */
export function holderRefreshFastPath(deps: { notModified: HolderNotModified; metrics: Metrics }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    if (c.req.method !== 'GET' || ambiguousHost(c.req.header('host'))) return next();
    const etag = await deps.notModified(readSessionCookie(c), c.req.header('if-none-match'));
    if (etag === null) return next();
    const response = new Response(null, { status: 304, headers: { ETag: etag, ...PRIVATE_CACHE } });
    deps.metrics.observeRequest('GET', '/api/v1/holder/passes', 304, (performance.now() - started) / 1000);
    return response;
  };
}
