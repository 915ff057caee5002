// Partner API keys: "Authorization: Bearer vxp_…" only. The key's SHA-256 is looked up (through
// the partner key cache: at most one read per partner and clock second, partner-key-cache.ts) and
// compared in constant time; a revoked key or a missing scope is refused with a distinct code.
import type { MiddlewareHandler } from 'hono';
import type { Queryable } from '../../db/store.ts';
import type { PartnerScope } from '../../db/queries/partners.ts';
import type { AppEnv } from '../app-env.ts';
import { ApiError } from '../problem.ts';
import { requestHeader } from '../request-header.ts';
import type { RateLimiter } from '../rate-limiter.ts';
import type { PartnerKeyCache } from '../partner-key-cache.ts';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="vaxpass-partner"' };

/** The token of an "Authorization: Bearer <token>" header; the scheme name is case-insensitive (RFC 9110 §11.1). */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer +([\x21-\x7e]{1,4096})$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

export function partnerAuth(db: Queryable, partnerKeys: PartnerKeyCache, scope: PartnerScope, limiter: RateLimiter): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = requestHeader(c, 'authorization');
    if (!header) throw new ApiError('UNAUTHENTICATED', 'send the partner API key as "Authorization: Bearer <key>"', CHALLENGE);
    const key = bearerToken(header);
    const partner = key ? await partnerKeys.find(db, key) : null;
    if (!partner) throw new ApiError('INVALID_API_KEY', 'the API key is not known', { 'WWW-Authenticate': 'Bearer realm="vaxpass-partner", error="invalid_token"' });
    if (partner.revokedAt !== null) throw new ApiError('API_KEY_REVOKED', 'this API key was revoked; ask the issuer for a new one', { 'WWW-Authenticate': 'Bearer realm="vaxpass-partner", error="invalid_token"' });
    if (!partner.scopes.includes(scope)) throw new ApiError('INSUFFICIENT_SCOPE', `this API key lacks the "${scope}" scope`);
    const retryAfter = await limiter.take(`partner:${partner.id}`, partner.quotaPerMinute);
    if (retryAfter !== null) throw new ApiError('RATE_LIMITED', `quota of ${partner.quotaPerMinute} requests per minute (bursts up to ${partner.quotaPerMinute}) used up; retry after Retry-After seconds`, { 'Retry-After': String(retryAfter) });
    c.set('partner', partner);
    await next();
  };
}
