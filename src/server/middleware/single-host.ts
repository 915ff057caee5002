// RFC 9112 §3.2: a request with more than one Host header is invalid and MUST get 400. Behind a
// proxy, two Host values let the proxy route on one and the application build URLs from the other
// (cache poisoning, password-reset-link style attacks). Repeated headers reach the app joined with
// ", ", and a Host value never contains a comma, so a comma means more than one.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { ApiError } from '../problem.ts';
import { requestHeader } from '../request-header.ts';

/** True when the Host header is repeated (joined with ", ") or empty. */
export function ambiguousHost(host: string | undefined): boolean {
  return host !== undefined && (host.includes(',') || host.trim() === '');
}

export function singleHost(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (ambiguousHost(requestHeader(c, 'host'))) throw new ApiError('AMBIGUOUS_HOST', 'send exactly one non-empty Host header');
    await next();
  };
}
