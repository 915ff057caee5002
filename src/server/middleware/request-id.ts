// Each request gets an id (the caller's X-Request-Id if it is a short token, else a fresh UUID),
// echoed in the response, the logs, problem documents and the audit log.
import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';

const ACCEPTABLE = /^[A-Za-z0-9._-]{8,64}$/;

export function requestId(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const id = incoming && ACCEPTABLE.test(incoming) ? incoming : randomUUID();
    c.set('requestId', id);
    c.header('X-Request-Id', id);
    await next();
  };
}
