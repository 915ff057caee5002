// Request headers (src/server/request-header.ts): over a real port they are read from the
// node:http request, in-process (app.request) from the Fetch Request. node:http keeps only the
// first of a repeated Host, Authorization or Content-Type, the Fetch API joins repeats with ", ":
// both paths must give the same answers, a repeated header included.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerFixture, listen, newIdempotencyKey, type ServerFixture } from './support/server-fixture.ts';

let f: ServerFixture;
let server: { url: string; close(): Promise<void> };

beforeAll(async () => {
  f = await createServerFixture();
  server = await listen(f.app);
});
afterAll(async () => {
  await server.close();
  await f.cleanup();
});

const BODY = '{"personId":"demo-0001"}';

/** A partner POST with these headers (repeats allowed), over the port and in process: status and problem code of each. */
async function both(headers: readonly (readonly [string, string])[]): Promise<{ port: string; inProcess: string }> {
  const { port } = new URL(server.url);
  const lines = [...headers, ['Content-Length', String(BODY.length)], ['Connection', 'close']].map(([k, v]) => `${k}: ${v}\r\n`).join('');
  const text = await new Promise<string>((ok, fail) => {
    // write, not end: a half-closed connection is a client that left (client-gone.ts).
    const socket = connect(Number(port), '127.0.0.1', () => socket.write(`POST /api/v1/partner/passes HTTP/1.1\r\n${lines}\r\n${BODY}`));
    let answer = '';
    socket.on('data', (d) => (answer += d.toString()));
    socket.on('end', () => ok(answer));
    socket.on('error', fail);
  });
  const status = text.slice(9, 12);
  const code = /"code":"([A-Z_]+)"/.exec(text)?.[1] ?? '';
  // The in-process request has the same headers, minus the key repeated (a new pass each time).
  const res = await f.app.request('/api/v1/partner/passes', { method: 'POST', headers: new Headers(headers.map(([k, v]) => [k, k === 'Idempotency-Key' && headers.filter(([n]) => n === k).length === 1 ? newIdempotencyKey() : v] as [string, string])), body: BODY });
  const inProcessCode = res.status >= 400 ? ((await res.json()) as { code: string }).code : '';
  return { port: `${status} ${code}`.trim(), inProcess: `${res.status} ${inProcessCode}`.trim() };
}

describe('request headers from the node request', () => {
  const auth = () => ['Authorization', `Bearer ${f.partnerA.apiKey}`] as const;
  const json = ['Content-Type', 'application/json'] as const;
  const host = ['Host', 'issuer.example'] as const;
  const key = () => ['Idempotency-Key', newIdempotencyKey()] as const;

  it('a plain partner POST issues on both paths', async () => {
    expect(await both([host, auth(), json, key()])).toEqual({ port: '201', inProcess: '201' });
  });

  it('two Authorization headers (even the same key twice) authenticate nobody', async () => {
    expect(await both([host, auth(), auth(), json, key()])).toEqual({ port: '401 INVALID_API_KEY', inProcess: '401 INVALID_API_KEY' });
  });

  it('two Host headers are 400 AMBIGUOUS_HOST', async () => {
    expect(await both([host, ['Host', 'evil.example'], auth(), json, key()])).toEqual({ port: '400 AMBIGUOUS_HOST', inProcess: '400 AMBIGUOUS_HOST' });
  });

  it('two Content-Type headers are 415, two Idempotency-Keys a 400', async () => {
    expect(await both([host, auth(), json, json, key()])).toEqual({ port: '415 UNSUPPORTED_MEDIA_TYPE', inProcess: '415 UNSUPPORTED_MEDIA_TYPE' });
    const k = key();
    expect(await both([host, auth(), json, k, k])).toEqual({ port: '400 BAD_REQUEST', inProcess: '400 BAD_REQUEST' });
  });

  it("a client's X-Request-Id comes back beside the server's own id", async () => {
    const res = await fetch(`${server.url}/api/v1/partner/passes`, { method: 'POST', headers: { Authorization: `Bearer ${f.partnerA.apiKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': newIdempotencyKey(), 'X-Request-Id': 'partner-call-0001' }, body: BODY });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-request-id')).not.toBe('partner-call-0001');
    const audit = (await import('../../src/db/queries/audit-log.ts')).readAuditLog;
    expect(JSON.stringify(await audit(f.db))).toContain('partner-call-0001');
  });
});
