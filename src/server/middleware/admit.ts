// Admission in front of a route's expensive work: admitted at once, after a short wait, or shed
// with 503 OVERLOADED and Retry-After before any signing or writing starts. A client that went
// away while waiting is not served (its slot goes to the next waiter).
import type { Context, MiddlewareHandler } from 'hono';
import type { AdmissionController, Lane, Refusal } from '../admission.ts';
import type { AppEnv } from '../app-env.ts';
import { clientGone } from '../client-gone.ts';
import type { Metrics } from '../metrics.ts';
import { problemResponse } from '../error-handler.ts';
import { ApiError } from '../problem.ts';
import { requestBody } from '../request-body.ts';

const RETRY_AFTER = { 'Retry-After': '1' };

export function admit(controller: AdmissionController, lane: Lane, metrics: Metrics, tenantOf?: (c: Context<AppEnv>) => string): MiddlewareHandler<AppEnv> {
  // Answered here, not thrown: the same problem the error handler would make, without an Error and
  // its stack trace for each of the thousands of refusals a second in a flood (bench/overload).
  function shed(c: Context<AppEnv>, reason: Refusal): Response {
    metrics.shed(lane, reason);
    return problemResponse(c, 'OVERLOADED', 'the issuer is at capacity; retry after the delay in Retry-After (with jitter)', RETRY_AFTER);
  }
  return async (c, next) => {
    // The partner id comes from partnerAuth (a verified API key), never from the request itself.
    const tenant = tenantOf ? tenantOf(c) : lane === 'partner' ? c.get('partner').id : '';
    // A request that would be refused now is refused before its body is read: work its answer
    // does not need, for most requests in a flood.
    const early = controller.refusesNow(lane, tenant);
    if (early !== null) return shed(c, early);
    // The body is read (and cached for the route) before taking a slot: a slow upload must not hold one.
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') await requestBody(c);
    const pending = controller.admit(lane, tenant);
    const admission = 'then' in pending ? await pending : pending;
    if (!admission.ok) return shed(c, admission.reason);
    try {
      if (clientGone(c)) {
        metrics.shed(lane, 'client-gone');
        throw new ApiError('CLIENT_GONE', 'the client closed the connection before the work started');
      }
      await next();
    } finally {
      admission.release();
    }
  };
}
