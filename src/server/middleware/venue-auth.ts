// Venue credentials: "Authorization: Bearer vxv_…", looked up by SHA-256 (venues.ts). The venue a
// request acts for is the one its credential belongs to; a path naming another venue is refused,
// so a stolen credential uploads as its own venue only and reads nothing (there is no read route).
import type { MiddlewareHandler } from 'hono';
import { findVenueByCredential } from '../../db/queries/venues.ts';
import type { Queryable } from '../../db/store.ts';
import type { AppEnv } from '../app-env.ts';
import { ApiError } from '../problem.ts';
import type { RateLimiter } from '../rate-limiter.ts';
import { bearerToken } from './partner-auth.ts';

const CHALLENGE = { 'WWW-Authenticate': 'Bearer realm="vaxpass-venue"' };
/** Uploads per venue per minute: a scanner uploads a batch every few seconds at most, even at the peak. */
export const VENUE_UPLOADS_PER_MINUTE = 600;

export function venueAuth(db: Queryable, limiter: RateLimiter): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const credential = bearerToken(c.req.header('authorization'));
    if (credential === null) throw new ApiError('UNAUTHENTICATED', 'send the venue credential as "Authorization: Bearer <credential>"', CHALLENGE);
    const venue = await findVenueByCredential(db, credential);
    if (!venue || venue.revokedAt !== null) throw new ApiError('INVALID_VENUE_CREDENTIAL', 'the venue credential is not known or was revoked; enrol the scanner again with a new code', { 'WWW-Authenticate': 'Bearer realm="vaxpass-venue", error="invalid_token"' });
    if (venue.id !== c.req.param('venueId')) throw new ApiError('VENUE_MISMATCH', 'this credential belongs to another venue');
    const retryAfter = await limiter.take(`venue:${venue.id}`, VENUE_UPLOADS_PER_MINUTE);
    if (retryAfter !== null) throw new ApiError('RATE_LIMITED', `at most ${VENUE_UPLOADS_PER_MINUTE} uploads a minute per venue; retry after Retry-After seconds`, { 'Retry-After': String(retryAfter) });
    c.set('venue', venue);
    await next();
  };
}
