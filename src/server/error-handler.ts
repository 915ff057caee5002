// The one place failures become HTTP: an ApiError's code picks the status and the RFC 9457
// problem document; anything else is a 500 with a request id and no internals.
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { AppEnv } from './app-env.ts';
import type { Logger } from './logger.ts';
import { ApiError, PROBLEMS, problemType, type ProblemCode } from './problem.ts';
import { STORAGE_PROBLEMS, type StorageHealth } from './storage-health.ts';

export function problemResponse(c: Context<AppEnv>, code: ProblemCode, detail: string, headers: Readonly<Record<string, string>> = {}, extensions: Readonly<Record<string, unknown>> = {}): Response {
  const { status, title } = PROBLEMS[code];
  const requestId = c.get('requestId') ?? null;
  c.set('problemCode', code);
  const body = { type: problemType(code), title, status, detail, code, instance: requestId ? `urn:vaxpass:request:${requestId}` : undefined, ...extensions };
  return c.body(JSON.stringify(body), status as ContentfulStatusCode, { 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store', ...headers });
}

export function createErrorHandler(logger: Logger, storage: StorageHealth | null = null) {
  return (error: Error, c: Context<AppEnv>): Response => {
    if (error instanceof ApiError) return problemResponse(c, error.code, error.detail, error.headers, error.extensions);
    // A condition of the database (full, busy, damaged, unreachable), not a bug: a 503 the client
    // can retry, counted and logged with the driver's code by StorageHealth, and readiness follows.
    const failure = storage?.failed(error);
    if (failure) {
      const problem = STORAGE_PROBLEMS[failure.kind];
      return problemResponse(c, problem.code, problem.detail, { 'Retry-After': String(problem.retryAfterSeconds) });
    }
    if (error instanceof HTTPException && error.status === 413) return problemResponse(c, 'PAYLOAD_TOO_LARGE', 'the request body is larger than this endpoint accepts');
    if (error instanceof HTTPException && error.status < 500) return problemResponse(c, 'BAD_REQUEST', 'the request could not be read');
    // Only the error's class goes to the log: messages from lower layers can quote data.
    logger.error('unhandled error', { requestId: c.get('requestId'), error: error.name, route: c.req.routePath });
    return problemResponse(c, 'INTERNAL', 'the server could not complete the request; quote the request id if you report it');
  };
}
