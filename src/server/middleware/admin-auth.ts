// Admin credential: a bearer token compared in constant time (both sides hashed first, so the
// comparison does not leak the token's length either).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { ApiError } from '../problem.ts';
import { bearerToken } from './partner-auth.ts';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export function adminAuth(adminToken: string | null): MiddlewareHandler<AppEnv> {
  const expected = adminToken === null ? null : digest(adminToken);
  return async (_c, next) => {
    if (expected === null) throw new ApiError('ADMIN_DISABLED', 'set VAXPASS_ADMIN_TOKEN to enable the admin API');
    const token = bearerToken(_c.req.header('authorization'));
    if (token === null || !timingSafeEqual(digest(token), expected)) {
      throw new ApiError('INVALID_ADMIN_TOKEN', 'send the admin token as "Authorization: Bearer <token>"', { 'WWW-Authenticate': 'Bearer realm="vaxpass-admin"' });
    }
    await next();
  };
}
