// What a draining server remembers of the responses it still owes (src/server/open-responses.ts):
// nothing after their connection is gone, even pipelined responses whose own 'close' never comes
// (the 0.7–1.4 GiB an overload spike left behind), and every unsent one while the connection lives.
import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openResponses, type OpenResponses } from '../../src/server/open-responses.ts';

let server: Server | null = null;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((ok) => server?.close(ok) ?? ok(undefined));
  server = null;
});

/** A server that tracks every response and answers none until told; resolves once `count` requests arrived. */
async function silentServer(open: OpenResponses, count: number) {
  const held: ServerResponse[] = [];
  let arrived!: () => void;
  const allArrived = new Promise<void>((ok) => (arrived = ok));
  const serverSockets: Socket[] = [];
  server = createServer((_req, res) => {
    open.track(res);
    held.push(res);
    if (held.length === count) arrived();
  });
  server.on('connection', (socket: Socket) => serverSockets.push(socket));
  await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  const client = connect(port, '127.0.0.1');
  client.on('error', () => undefined);
  client.on('data', () => undefined);
  await new Promise((ok) => client.once('connect', ok));
  client.write('GET /slow HTTP/1.1\r\nHost: issuer\r\n\r\n'.repeat(count));
  await allArrived;
  return { held, client, serverSockets };
}

describe('open responses', () => {
  it('forgets pipelined responses that were never sent once their connection closes', async () => {
    const open = openResponses();
    const { held, client, serverSockets } = await silentServer(open, 50);
    expect(open.size).toBe(50);
    const closed = new Promise((ok) => serverSockets[0]!.once('close', ok));
    client.destroy();
    await closed;
    // Node (20) emits 'close' for the head response only; the other 49 go with the connection.
    expect(held.filter((res) => !res.headersSent)).toHaveLength(50);
    expect(open.size).toBe(0);
  });

  it('offers every unsent response of a live connection, and forgets each one sent', async () => {
    const open = openResponses();
    const { held, client } = await silentServer(open, 5);
    const unsent = () => {
      const seen: ServerResponse[] = [];
      open.forEachUnsent((res) => seen.push(res));
      return seen.length;
    };
    expect(unsent()).toBe(5);
    const answered = new Promise((ok) => held[0]!.once('close', ok));
    held[0]!.end('first');
    await answered;
    expect(unsent()).toBe(4);
    expect(open.size).toBe(4);
    client.destroy();
  });
});
