// The request body: read once per request, never past its size limit, and cached for whoever asks
// next (admission reads it before taking a slot, the route then parses it). Served by
// @hono/node-server, the bytes come straight from the node:http request (`c.env.incoming`): going
// through the Fetch `Request` made the adapter build a full undici Request, an AbortController and
// a web stream over the node stream for every POST, about a tenth of a partner issuance's
// main-thread time (docs/benchmarks.md "Partner issuance: request-path CPU"). In-process callers
// (app.request) have no node request; their bytes come from the Fetch Request, bounded the same way.
import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.ts';
import { ApiError } from './problem.ts';
import { readBounded } from '../core/bounded-read.ts';

export interface BodyLimit {
  readonly maxBytes: number;
  /** The refusal for a body past maxBytes (PAYLOAD_TOO_LARGE with a route's own advice). */
  readonly tooLarge: () => ApiError;
}

const cached = new WeakMap<Context, Promise<Uint8Array>>();

function nodeRequestOf(c: Context): IncomingMessage | undefined {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
}

/**
 * Sets the body limit for the routes behind it. A declared Content-Length past the limit is refused
 * before anything is read; a body without one (chunked) is read now, so it is bounded before
 * authentication or admission runs, as hono/body-limit did.
 */
export function limitRequestBody(limit: BodyLimit): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('bodyLimit', limit);
    const incoming = nodeRequestOf(c);
    const chunked = incoming ? incoming.headers['transfer-encoding'] !== undefined : c.req.header('transfer-encoding') !== undefined;
    const length = incoming ? incoming.headers['content-length'] : c.req.header('content-length');
    if (length !== undefined && !chunked) {
      if (Number.parseInt(length, 10) > limit.maxBytes) throw limit.tooLarge();
    } else if (incoming ? !incoming.complete : c.req.raw.body !== null) {
      await requestBody(c);
    }
    await next();
  };
}

/** The whole body (empty when there is none); PAYLOAD_TOO_LARGE past the route's limit. */
export function requestBody(c: Context<AppEnv>): Promise<Uint8Array> {
  let body = cached.get(c);
  if (!body) {
    const limit = c.get('bodyLimit');
    if (!limit) throw new Error('requestBody: no limitRequestBody in front of this route');
    const incoming = nodeRequestOf(c);
    body = incoming ? readNodeRequest(incoming, limit) : readFetchRequest(c.req.raw, limit);
    cached.set(c, body);
  }
  return body;
}

function readNodeRequest(incoming: IncomingMessage, limit: BodyLimit): Promise<Uint8Array> {
  if (incoming.readableEnded) return Promise.resolve(new Uint8Array(0));
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (settle: () => void) => {
      incoming.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      settle();
    };
    // What is left unread after a refusal is drained by the adapter once the answer is sent.
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit.maxBytes) finish(() => (incoming.pause(), fail(limit.tooLarge())));
      else chunks.push(chunk);
    };
    const onEnd = () => finish(() => ok(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    const gone = () => new ApiError('CLIENT_GONE', 'the client closed the connection before the whole body arrived');
    const onError = () => finish(() => fail(gone()));
    const onClose = () => finish(() => (incoming.complete ? ok(Buffer.concat(chunks, size)) : fail(gone())));
    incoming.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

async function readFetchRequest(request: Request, limit: BodyLimit): Promise<Uint8Array> {
  if (request.body === null) return new Uint8Array(0);
  const bytes = await readBounded(request.body, limit.maxBytes);
  if (bytes === null) throw limit.tooLarge();
  return bytes;
}
