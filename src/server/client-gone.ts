// Whether the client that sent a request has gone away (closed its connection). Checked before
// expensive work starts, so a client that gave up during a queue wait or a slow peak does not get a
// pass signed and committed for nobody. On a real server this reads the socket, which is cheaper
// than materialising the Fetch Request for its AbortSignal; in-process (app.request) it reads the
// signal.
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

export function clientGone(c: Context): boolean {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming) return incoming.socket.destroyed || incoming.destroyed && !incoming.complete;
  return c.req.raw.signal.aborted;
}
