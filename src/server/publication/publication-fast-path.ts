// The requests hundreds of thousands of scanners make: a conditional GET of the trust bundle or
// of the revocation delta since the version they hold. Answered before the app's general
// middleware (request id, access log line, header rewriting), which cost four times what the
// answer itself costs (bench/publication.ts): the bytes, the ETag and every header are computed
// once per published version, and a 304 is one string comparison. Such requests are counted in
// /metrics but get no access-log line each. Anything else (a failing publisher, an invalid or
// uncached `since`, a preflight) falls through to the regular routes in publication-routes.ts.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { ifNoneMatchHits } from '../http-cache.ts';
import { ambiguousHost } from '../middleware/single-host.ts';
import type { Metrics } from '../metrics.ts';
import { deltaEtag, type BundlePublisher, type PublishedBundle } from './bundle-publisher.ts';

export const PUBLIC_CACHE = 'public, max-age=300, stale-while-revalidate=86400';

/**
 * The headers of a bundle or delta answer; the regular routes send the same. A 304 gets only the
 * validators and the cache and CORS headers (RFC 9110 §15.4.5): the others describe a body.
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

const VERSION = /^\d{1,15}$/;

/** `security`: the headers every response carries (securityHeaderSet), which the general middleware would have added. */
export function publicationFastPath(deps: { publisher: BundlePublisher; metrics: Metrics; security: Readonly<Record<string, string>> }): { bundle: MiddlewareHandler<AppEnv>; delta: MiddlewareHandler<AppEnv> } {
  let headersOf: PublishedBundle | null = null;
  let notModifiedHeaders: Record<string, string> = {};
  let okHeaders: Record<string, string> = {};

  async function currentOrNull(): Promise<PublishedBundle | null> {
    try {
      return await deps.publisher.current();
    } catch {
      return null;
    }
  }

  const answer = (route: string, started: number, response: Response): Response => {
    deps.metrics.observeRequest('GET', route, response.status, (performance.now() - started) / 1000);
    return response;
  };

  return {
    async bundle(c, next) {
      const started = performance.now();
      // Anything the general middleware refuses (two Host headers) goes the regular way to be refused.
      if (c.req.method !== 'GET' || ambiguousHost(c.req.header('host'))) return next();
      const bundle = await currentOrNull();
      if (!bundle) return next();
      if (bundle !== headersOf) {
        notModifiedHeaders = artifactHeaders(bundle, bundle.etag, 304);
        okHeaders = artifactHeaders(bundle, bundle.etag, 200, deps.security);
        headersOf = bundle;
        deps.metrics.bundleVersion = bundle.version;
      }
      const hit = ifNoneMatchHits(c.req.header('if-none-match'), bundle.etag);
      // A plain Response with a plain header object: @hono/node-server writes it without building a Headers instance.
      return answer('/api/v1/trust-bundle', started, hit ? new Response(null, { status: 304, headers: notModifiedHeaders }) : new Response(bundle.jws, { status: 200, headers: okHeaders }));
    },
    async delta(c, next) {
      const started = performance.now();
      const header = c.req.header('if-none-match');
      const since = c.req.query('since');
      if (c.req.method !== 'GET' || !header || since === undefined || !VERSION.test(since) || ambiguousHost(c.req.header('host'))) return next();
      const bundle = await currentOrNull();
      if (!bundle || Number(since) > bundle.version) return next();
      const etag = deltaEtag(bundle, Number(since));
      if (!ifNoneMatchHits(header, etag)) return next();
      return answer('/api/v1/trust-bundle/revocations', started, new Response(null, { status: 304, headers: artifactHeaders(bundle, etag, 304) }));
    },
  };
}
