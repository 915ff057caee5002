// Conservative headers for an API that also serves a few static pages. Set before the route runs,
// so they go into the response as it is built: setting them afterwards made Hono copy every
// response once more. A route's own Content-Security-Policy and Permissions-Policy (the apps')
// replace the defaults. HSTS only when the public URL is https: on http://127.0.0.1 a browser
// ignores it, and on a plain-http test host it would pin the name to https for a year.
import type { MiddlewareHandler } from 'hono';
import { permissionsPolicy } from '../app-page-headers.ts';

/** What every response carries (the publication fast path sets them itself, src/server/publication/publication-fast-path.ts). */
export const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
} as const;

export function securityHeaders(options: { publicUrl: string | null }): MiddlewareHandler {
  const hsts = options.publicUrl?.startsWith('https://') ?? false;
  return async (c, next) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
    c.header('Permissions-Policy', permissionsPolicy(false));
    if (hsts) c.header('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    await next();
  };
}
