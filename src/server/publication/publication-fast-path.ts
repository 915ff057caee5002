// The requests hundreds of thousands of scanners make: a conditional GET of the trust bundle or
// of the revocation delta since the version they hold. Answered before the app's general
// middleware (request id, access log line, header rewriting), which cost four times what the
// answer itself costs (bench/publication.ts). The decision and the headers are not-modified.ts's,
// shared with the node front (node-front.ts), which answers the same requests on a real listener
// before this runs; this path serves in-process callers of app.fetch. Such requests are counted
// in /metrics but get no access-log line each. Anything else (a failing publisher, an invalid or
// uncached `since`, a preflight) falls through to the regular routes in publication-routes.ts.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { ambiguousHost } from '../middleware/single-host.ts';
import type { Metrics } from '../metrics.ts';
import type { BundlePublisher } from './bundle-publisher.ts';
import { publicationAnswers } from './not-modified.ts';

/** `security`: the headers every response carries (securityHeaderSet), which the general middleware would have added. */
export function publicationFastPath(deps: { publisher: BundlePublisher; metrics: Metrics; security: Readonly<Record<string, string>> }): { bundle: MiddlewareHandler<AppEnv>; delta: MiddlewareHandler<AppEnv> } {
  const answers = publicationAnswers(deps);
  const answer = (route: string, started: number, response: Response): Response => {
    deps.metrics.observeRequest('GET', route, response.status, (performance.now() - started) / 1000);
    return response;
  };

  return {
    async bundle(c, next) {
      const started = performance.now();
      // Anything the general middleware refuses (two Host headers) goes the regular way to be refused.
      if (c.req.method !== 'GET' || ambiguousHost(c.req.header('host'))) return next();
      const decided = await answers.bundle(c.req.header('if-none-match'));
      if (!decided) return next();
      // A plain Response with a plain header object: @hono/node-server writes it without building a Headers instance.
      return answer('/api/v1/trust-bundle', started, decided.status === 304 ? new Response(null, { status: 304, headers: decided.headers }) : new Response(decided.bundle.jws, { status: 200, headers: decided.headers }));
    },
    async delta(c, next) {
      const started = performance.now();
      if (c.req.method !== 'GET' || ambiguousHost(c.req.header('host'))) return next();
      const headers = await answers.deltaNotModified(c.req.header('if-none-match'), c.req.query('since'));
      if (!headers) return next();
      return answer('/api/v1/trust-bundle/revocations', started, new Response(null, { status: 304, headers }));
    },
  };
}
