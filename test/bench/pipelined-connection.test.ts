// The overload benchmark's pipelined generator against a real node http server on loopback: answers
// matched to pipelined requests by order, 304 without a body, chunked bodies, and a connection
// whose oldest request timed out given up and replaced.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PipelinedConnection } from '../../bench/overload/pipelined-connection.ts';
import { pipelinedMode } from '../../bench/overload/pipelined-mode.ts';
import { ResponseParser, type ParsedResponse } from '../../bench/overload/response-parser.ts';
import type { HolderOutcome } from '../../bench/overload/load-mode.ts';

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((ok) => server?.close(ok) ?? ok(undefined));
  server = undefined;
});

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<number> {
  server = createServer(handler);
  await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
  return (server.address() as AddressInfo).port;
}

const get = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: test\r\n${extra}\r\n`;
const answers = (c: PipelinedConnection, requests: string[]) =>
  Promise.all(requests.map((r) => new Promise<ParsedResponse | null>((ok) => c.send(r, performance.now(), ok))));

describe('pipelined connection', () => {
  it('matches answers to requests by order, though the first is the slowest to finish', async () => {
    let arrived = 0;
    let arrivedBeforeFirstAnswer = 0;
    const port = await listen((req, res) => {
      arrived++;
      const n = Number(new URL(req.url!, 'http://x').searchParams.get('n'));
      setTimeout(() => {
        if (n === 0) arrivedBeforeFirstAnswer = arrived;
        res.end(`answer ${n}`);
      }, n === 0 ? 100 : 1);
    });
    const c = new PipelinedConnection('127.0.0.1', port);
    const got = await answers(c, [0, 1, 2, 3, 4].map((n) => get(`/?n=${n}`)));
    expect(got.map((r) => [r?.status, r?.body.toString()])).toEqual([0, 1, 2, 3, 4].map((n) => [200, `answer ${n}`]));
    // Pipelined: every request reached the server before the first was answered.
    expect(arrivedBeforeFirstAnswer).toBe(5);
    c.destroy();
  });

  it('reads a 304 without a body and the answer behind it', async () => {
    const port = await listen((req, res) => {
      if (req.headers['if-none-match'] === '"v1"') return res.writeHead(304, { ETag: '"v1"' }).end();
      res.writeHead(200, { ETag: '"v1"', 'Content-Type': 'application/json' }).end('{"passes":[]}');
    });
    const c = new PipelinedConnection('127.0.0.1', port);
    const [notModified, full] = await answers(c, [get('/', 'If-None-Match: "v1"\r\n'), get('/')]);
    expect([notModified?.status, notModified?.etag, notModified?.body.length]).toEqual([304, '"v1"', 0]);
    expect([full?.status, full?.etag, full?.body.toString()]).toEqual([200, '"v1"', '{"passes":[]}']);
    c.destroy();
  });

  it('reads chunked bodies', async () => {
    const port = await listen((_req, res) => {
      res.write('first part, ');
      setTimeout(() => res.end('second part'), 5);
    });
    const c = new PipelinedConnection('127.0.0.1', port);
    const got = await answers(c, [get('/a'), get('/b')]);
    expect(got.map((r) => r?.body.toString())).toEqual(['first part, second part', 'first part, second part']);
    c.destroy();
  });

  it('parses an answer that arrives a byte at a time', () => {
    const seen: ParsedResponse[] = [];
    const parser = new ResponseParser((r) => seen.push(r));
    const wire = 'HTTP/1.1 503 Service Unavailable\r\nContent-Length: 2\r\nConnection: close\r\n\r\nnoHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n';
    for (const byte of Buffer.from(wire, 'latin1')) parser.push(Buffer.from([byte]));
    expect(seen.map((r) => [r.status, r.close, r.body.toString()])).toEqual([
      [503, true, 'no'],
      [200, false, 'abc'],
    ]);
  });

  it('gives up a connection whose oldest request timed out, counts what was behind it, and replaces it', async () => {
    const port = await listen((req, res) => {
      // The cookie names the behaviour: "hang" is never answered.
      if (req.headers.cookie === 'hang') return;
      res.writeHead(200, { ETag: '"e"' }).end('{}');
    });
    const mode = pipelinedMode({ url: `http://127.0.0.1:${port}`, apiKey: 'k', timeoutMs: 300 }, 1);
    const holder = (cookie: string) => new Promise<HolderOutcome & { ms: number }>((ok) => {
      const t0 = performance.now();
      mode.holder(cookie, undefined, (r) => ok({ ...r, ms: performance.now() - t0 }));
    });
    try {
      const [hung, behind] = await Promise.all([holder('hang'), holder('ok')]);
      expect(hung.status).toBe(0);
      expect(hung.ms).toBeGreaterThanOrEqual(290);
      expect(behind.status).toBe(0);
      const after = await holder('ok');
      expect([after.status, after.etag]).toEqual([200, '"e"']);
    } finally {
      mode.close();
    }
  });
});
