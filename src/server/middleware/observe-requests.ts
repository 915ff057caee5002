// Access log line and metrics per request: method, route pattern, status, problem code, duration,
// request id (no line for an overload refusal: /metrics counts those).
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';

export function observeRequests(logger: Logger, metrics: Metrics): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = c.req.routePath === '/*' || c.req.routePath === '*' ? 'unmatched' : c.req.routePath;
    metrics.observeRequest(c.req.method, route, c.res.status, seconds);
    // An overload refusal gets no line, as the node front's refusals get none (node-front.ts): in a
    // flood the line cost a tenth of each refusal's CPU (bench/cheap-answers.ts), and
    // vaxpass_requests_shed_total counts every one by lane and reason.
    if (c.get('problemCode') === 'OVERLOADED') return;
    logger.info('request', { requestId: c.get('requestId'), clientRequestId: c.get('clientRequestId') ?? undefined, method: c.req.method, route, status: c.res.status, code: c.get('problemCode'), ms: Math.round(seconds * 10_000) / 10 });
  };
}
