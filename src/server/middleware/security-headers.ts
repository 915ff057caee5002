// Conservative headers for an API that also serves a few static pages. Set before the route runs,
// so they go into the response as it is built: setting them afterwards made Hono copy every
// response once more. A route's own Content-Security-Policy and Permissions-Policy (the apps')
// replace the defaults. HSTS only when the public URL is https: on http://127.0.0.1 a browser
// ignores it, and on a plain-http test host it would pin the name to https for a year.
import type { MiddlewareHandler } from 'hono';
import { permissionsPolicy } from '../app-page-headers.ts';

/**
 * What every response carries. The publication fast path (src/server/publication/publication-fast-path.ts)
 * answers before this middleware and sends the same set itself.
 */
export function securityHeaderSet(options: { publicUrl: string | null }): Readonly<Record<string, string>> {
  const hsts = options.publicUrl?.startsWith('https://') ?? false;
  return {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
    'Permissions-Policy': permissionsPolicy(false),
    ...(hsts ? { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' } : {}),
  };
}

export function securityHeaders(options: { publicUrl: string | null }): MiddlewareHandler {
  const headers = Object.entries(securityHeaderSet(options));
  return async (c, next) => {
    for (const [name, value] of headers) c.header(name, value);
    await next();
  };
}
