// Each request gets an id generated here, echoed in the response, the logs, problem documents and
// the audit log. A caller's X-Request-Id is never the request id (two partners could send the same
// one, or reuse another's to muddle the audit trail): when it is a short token it is kept only as
// `clientRequestId`, next to the server's id, so a partner can still find their call.
import { randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { requestHeader } from '../request-header.ts';

const ACCEPTABLE_CLIENT_ID = /^[A-Za-z0-9._-]{8,64}$/;

/** The ids of one request, for the audit log. */
export interface RequestRef {
  readonly requestId: string;
  readonly clientRequestId: string | null;
}

export function requestId(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = requestHeader(c, 'x-request-id');
    c.set('requestId', randomUUID());
    c.set('clientRequestId', incoming !== undefined && ACCEPTABLE_CLIENT_ID.test(incoming) ? incoming : null);
    c.header('X-Request-Id', c.get('requestId'));
    await next();
  };
}

export function requestRef(c: Context<AppEnv>): RequestRef {
  return { requestId: c.get('requestId'), clientRequestId: c.get('clientRequestId') };
}
