// Conservative headers for an API that also serves a few static pages. Set before the route runs,
// so they go into the response as it is built: setting them afterwards made Hono copy every
// response once more. A route's own Content-Security-Policy (the apps') replaces the default.
import type { MiddlewareHandler } from 'hono';

export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('X-Frame-Options', 'DENY');
    c.header('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    await next();
  };
}
