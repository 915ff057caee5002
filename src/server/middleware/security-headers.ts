// Conservative headers for an API that also serves a few static pages.
import type { MiddlewareHandler } from 'hono';

/** What every response carries (the publication fast path sets them itself, src/server/publication/publication-fast-path.ts). */
export const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
} as const;

export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', SECURITY_HEADERS['X-Content-Type-Options']);
    c.header('Referrer-Policy', SECURITY_HEADERS['Referrer-Policy']);
    c.header('X-Frame-Options', SECURITY_HEADERS['X-Frame-Options']);
    if (!c.res.headers.has('Content-Security-Policy')) c.header('Content-Security-Policy', SECURITY_HEADERS['Content-Security-Policy']);
  };
}
