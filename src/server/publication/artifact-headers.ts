// The headers of a trust bundle or revocation delta answer, whichever path gives it (the node
// front, the Hono fast path, the regular routes in publication-routes.ts).
import type { PublishedBundle } from './bundle-publisher.ts';

export const PUBLIC_CACHE = 'public, max-age=300, stale-while-revalidate=86400';

/**
 * A 304 gets only the validators and the cache and CORS headers (RFC 9110 §15.4.5): the others
 * describe a body.
 */
export function artifactHeaders(bundle: PublishedBundle, etag: string, status: 200 | 304 = 200, security: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    ...(status === 200 ? { ...security, 'Content-Type': 'application/jose' } : {}),
    ETag: etag,
    'Cache-Control': PUBLIC_CACHE,
    'X-Bundle-Version': String(bundle.version),
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Expose-Headers': 'ETag,X-Bundle-Version',
  };
}
