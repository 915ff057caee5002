// The issuer's listener: @hono/node-server's adapter, with the node front (node-front.ts) answering
// its few requests on the node:http request before the adapter builds a Fetch Request.
import { serve, type ServerType } from '@hono/node-server';
import { createServer as createHttpServer, type RequestListener, type ServerOptions } from 'node:http';
import type { NodeFront } from './node-front.ts';

export function listen(fetch: (request: Request, env: never) => Response | Promise<Response>, port: number, hostname: string, front?: NodeFront): Promise<ServerType> {
  // The front answers its few requests on the node:http request itself; the rest go to Hono's adapter.
  const createServer = (options: ServerOptions, listener: RequestListener) =>
    createHttpServer(options, (req, res) => {
      const handled = front?.(req, res) ?? false;
      if (handled === false) return void listener(req, res);
      if (handled !== true) handled.then((done) => void (done || listener(req, res)), () => void listener(req, res));
    });
  return new Promise<ServerType>((ok, fail) => {
    const s = serve({ fetch: fetch as (request: Request) => Response | Promise<Response>, port, hostname, createServer: createServer as never }, () => ok(s));
    s.once('error', fail);
  });
}
