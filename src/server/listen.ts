// The issuer's listener: @hono/node-server's adapter, with the node front (node-front.ts) answering
// its few requests on the node:http request before the adapter builds a Fetch Request.
//
// It also bounds what a flood can make the process hold. Each open connection costs a socket,
// buffers and a parser, and every request on it costs CPU before admission control sees it; in a
// 10 × C spike those costs, not the signing, decide whether the loop keeps up (bench/overload).
// So past `maxConnections` open connections a request is answered and its connection closed:
// what the node front answers without the application (/livez, conditional bundle GETs, cached
// holder refreshes) is still answered, the rest gets 503 OVERLOADED with Retry-After — partner
// requests past the limit, holder requests past twice it, as admission control treats event-loop
// lag. Past four times the limit node drops new connections unanswered (server.maxConnections),
// the last bound on memory. The count is the server's own: nothing a client sends changes it.
//
// Before any of that, connections wait in the kernel's accept queue, where nothing in the process
// can see or refuse them and their clients' patience runs out; `backlog` bounds that queue. Past
// it the kernel drops the handshake (the SYN, or its final ACK) and the client retries: a delay the
// client sees, not a stale request the server later works on.
import { createAdaptorServer, type ServerType } from '@hono/node-server';
import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type ServerOptions, type ServerResponse } from 'node:http';
import { ConfigError, integer, type Env } from './config.ts';
import type { Lane } from './admission.ts';
import type { NodeFront } from './node-front.ts';
import { PROBLEMS, problemType } from './problem.ts';

export interface ConnectionLimits {
  /** Open connections past which requests are refused (partners; holders past twice it). */
  readonly maxConnections: number;
  /** A client must have sent its request headers within this (node's headersTimeout). */
  readonly headersTimeoutMs: number;
  /** ... and its whole request within this (node's requestTimeout). */
  readonly requestTimeoutMs: number;
  /** Connections the kernel holds for the process before it accepts them (listen(2)'s backlog; node's default is 511). */
  readonly backlog: number;
}

export interface ListenOptions {
  readonly limits?: ConnectionLimits;
  /** Called for each request refused at the connection limit (for /metrics). */
  readonly onRefused?: (lane: Lane) => void;
}

/** VAXPASS_MAX_CONNECTIONS, VAXPASS_HEADERS_TIMEOUT_MS, VAXPASS_REQUEST_TIMEOUT_MS, VAXPASS_LISTEN_BACKLOG (docs/operations.md "Overload"). */
export function connectionLimits(env: Env): ConnectionLimits {
  const headersTimeoutMs = integer(env, 'VAXPASS_HEADERS_TIMEOUT_MS', 10_000, 1000, 600_000);
  const requestTimeoutMs = integer(env, 'VAXPASS_REQUEST_TIMEOUT_MS', 30_000, 1000, 600_000);
  if (requestTimeoutMs < headersTimeoutMs) throw new ConfigError('VAXPASS_REQUEST_TIMEOUT_MS', `must not be below VAXPASS_HEADERS_TIMEOUT_MS (${headersTimeoutMs})`);
  // The kernel caps the backlog at net.core.somaxconn (4096 on current Linux) without saying so.
  return { maxConnections: integer(env, 'VAXPASS_MAX_CONNECTIONS', 1024, 1, 1_000_000), headersTimeoutMs, requestTimeoutMs, backlog: integer(env, 'VAXPASS_LISTEN_BACKLOG', 511, 1, 65_535) };
}

const OVERLOADED = JSON.stringify({ type: problemType('OVERLOADED'), title: PROBLEMS.OVERLOADED.title, status: 503, detail: 'the issuer has too many open connections; retry after the delay in Retry-After (with jitter)', code: 'OVERLOADED' });
const OVERLOADED_HEADERS = { 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store', 'Retry-After': '1', Connection: 'close', 'Content-Length': String(Buffer.byteLength(OVERLOADED)) };

function laneOf(req: IncomingMessage): Lane {
  return req.url?.startsWith('/api/v1/holder/') ? 'holder' : 'partner';
}

export function listen(fetch: (request: Request, env: never) => Response | Promise<Response>, port: number, hostname: string, front?: NodeFront, options: ListenOptions = {}): Promise<ServerType> {
  const { limits, onRefused } = options;
  let open = 0;
  const overLimit = (req: IncomingMessage) => limits !== undefined && open > (laneOf(req) === 'holder' ? 2 * limits.maxConnections : limits.maxConnections);
  const refuse = (req: IncomingMessage, res: ServerResponse) => {
    onRefused?.(laneOf(req));
    res.writeHead(503, OVERLOADED_HEADERS).end(OVERLOADED);
  };
  // The front answers its few requests on the node:http request itself; the rest go to Hono's adapter.
  const createServer = (serverOptions: ServerOptions, listener: RequestListener) => {
    // Declared once, not per request: under tsx every named closure made per request also costs a
    // defineProperty call (its name), measurable in a flood of cheap answers (bench/cheap-answers.ts).
    function pass(req: IncomingMessage, res: ServerResponse, crowded: boolean): void {
      if (crowded) refuse(req, res);
      else void listener(req, res);
    }
    const server = createHttpServer(
      // node enforces both timeouts only when it checks its connections (every 30 s by default): check every second.
      limits ? { ...serverOptions, headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: 1000 } : serverOptions,
      (req, res) => {
        const crowded = overLimit(req);
        // Past the limit every answer closes its connection, so the count comes back down.
        if (crowded) res.setHeader('Connection', 'close');
        const handled = front ? front(req, res) : false;
        if (handled === true) return;
        if (handled === false) return pass(req, res, crowded);
        handled.then((done) => done || pass(req, res, crowded), () => pass(req, res, crowded));
      },
    );
    if (limits) {
      server.maxConnections = 4 * limits.maxConnections;
      server.on('connection', (socket) => {
        open++;
        socket.once('close', () => open--);
      });
    }
    return server;
  };
  // Hono's serve() would call listen without a backlog: build its server and listen here.
  const server = createAdaptorServer({ fetch: fetch as (request: Request) => Response | Promise<Response>, hostname, createServer: createServer as never });
  return new Promise<ServerType>((ok, fail) => {
    server.once('error', fail);
    server.listen({ port, host: hostname, backlog: limits?.backlog }, () => (server.off('error', fail), ok(server)));
  });
}

