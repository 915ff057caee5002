// The answers given on the node:http request before Hono (src/server/node-front.ts), on a real
// port: the same status, headers and refusals as the application's own routes.
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server/main.ts';

let dir: string;
let server: RunningServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vaxpass-front-'));
  server = await startServer({
    env: { PORT: '0', VAXPASS_DB: join(dir, 'vaxpass.sqlite'), VAXPASS_KEYS: join(dir, 'keys'), VAXPASS_DEV_IDP: 'on', LOG_LEVEL: 'silent', VAXPASS_APPS_DIR: join(dir, 'no-apps') },
    print: () => undefined,
    writeLog: () => undefined,
  });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One raw HTTP/1.1 request (fetch cannot send two Host headers); the status line and the text. */
function raw(request: string): Promise<string> {
  const { port } = new URL(server.url);
  return new Promise((ok, fail) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.end(request));
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    socket.on('end', () => ok(text));
    socket.on('error', fail);
  });
}

describe('node front', () => {
  it('/livez answers 200 with the security headers and no-store, and is counted in /metrics', async () => {
    const res = await fetch(`${server.url}/livez`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it('a bundle conditional GET with the current ETag is 304 with the validators; another ETag gets the bundle', async () => {
    const full = await fetch(`${server.url}/api/v1/trust-bundle`);
    const etag = full.headers.get('etag')!;
    await full.arrayBuffer();
    const again = await fetch(`${server.url}/api/v1/trust-bundle`, { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('x-bundle-version')).toBe(full.headers.get('x-bundle-version'));
    expect(again.headers.get('access-control-allow-origin')).toBe('*');
    const other = await fetch(`${server.url}/api/v1/trust-bundle`, { headers: { 'If-None-Match': '"stale"' } });
    expect(other.status).toBe(200);
    expect(other.headers.get('content-type')).toBe('application/jose');
    await other.arrayBuffer();
  });

  it('a delta conditional GET with its ETag is 304; a since beyond the current version goes to the application', async () => {
    const full = await fetch(`${server.url}/api/v1/trust-bundle`);
    const version = Number(full.headers.get('x-bundle-version'));
    await full.arrayBuffer();
    const first = await fetch(`${server.url}/api/v1/trust-bundle/revocations?since=${version}`);
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    await first.arrayBuffer();
    const again = await fetch(`${server.url}/api/v1/trust-bundle/revocations?since=${version}`, { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    const ahead = await fetch(`${server.url}/api/v1/trust-bundle/revocations?since=${version + 1000}`, { headers: { 'If-None-Match': etag } });
    expect(ahead.status).not.toBe(304);
    await ahead.arrayBuffer();
  });

  it('while the event loop lags past the limit, partner issuance and uncached holder fetches get 503 OVERLOADED before any other work', async () => {
    const lagging = await startServer({
      env: { PORT: '0', VAXPASS_DB: join(dir, 'lag.sqlite'), VAXPASS_KEYS: join(dir, 'keys'), VAXPASS_DEV_IDP: 'on', VAXPASS_DEV_IDP_PORT: '0', LOG_LEVEL: 'silent', VAXPASS_APPS_DIR: join(dir, 'no-apps'), VAXPASS_MAX_EVENT_LOOP_LAG_MS: '1' },
      print: () => undefined,
      writeLog: () => undefined,
    });
    try {
      // The server runs in this process: stall its loop, then let the lag watcher see the stall.
      const until = performance.now() + 400;
      while (performance.now() < until);
      await new Promise((ok) => setTimeout(ok, 12));
      const [partner, holder] = await Promise.all([
        fetch(`${lagging.url}/api/v1/partner/passes`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }),
        fetch(`${lagging.url}/api/v1/holder/passes`, { headers: { Cookie: `vaxpass_session=${'a'.repeat(43)}` } }),
      ]);
      for (const res of [partner, holder]) {
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('1');
        expect(res.headers.get('content-type')).toBe('application/problem+json');
        expect(await res.json()).toMatchObject({ status: 503, code: 'OVERLOADED' });
      }
      // /livez and the bundle never wait for admission.
      expect((await fetch(`${lagging.url}/livez`)).status).toBe(200);
    } finally {
      await lagging.close();
    }
  });

  it('two Host headers still get 400 AMBIGUOUS_HOST, on /livez and on a bundle 304', async () => {
    const etag = (await fetch(`${server.url}/api/v1/trust-bundle`, { method: 'HEAD' })).headers.get('etag');
    for (const request of [
      'GET /livez HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\nConnection: close\r\n\r\n',
      `GET /api/v1/trust-bundle HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\nIf-None-Match: ${etag}\r\nConnection: close\r\n\r\n`,
    ]) {
      const text = await raw(request);
      expect(text).toMatch(/^HTTP\/1\.1 400 /);
      expect(text).toContain('AMBIGUOUS_HOST');
    }
  });
  it('the bundle and delta 304s on the listener and through app.fetch (the Hono fast path) are the same decision with the same headers', async () => {
    const full = await fetch(`${server.url}/api/v1/trust-bundle`);
    const etag = full.headers.get('etag')!;
    const version = full.headers.get('x-bundle-version')!;
    await full.arrayBuffer();
    const delta = await fetch(`${server.url}/api/v1/trust-bundle/revocations?since=${version}`);
    const deltaEtag = delta.headers.get('etag')!;
    await delta.arrayBuffer();
    const headersOf = (res: Response) => [...res.headers].filter(([name]) => name !== 'date' && name !== 'connection' && name !== 'keep-alive');
    const cases = [
      { path: '/api/v1/trust-bundle', etag, status: 304 },
      { path: `/api/v1/trust-bundle/revocations?since=${version}`, etag: deltaEtag, status: 304 },
      { path: '/api/v1/trust-bundle/revocations?since=1e3', etag: deltaEtag, status: 400 },
      { path: `/api/v1/trust-bundle/revocations?since=${Number(version) + 1}`, etag: deltaEtag, status: 400 },
    ];
    for (const { path, etag: tag, status } of cases) {
      const onListener = await fetch(`${server.url}${path}`, { headers: { 'If-None-Match': tag } });
      const inProcess = await server.app.fetch(new Request(`http://localhost${path}`, { headers: { 'If-None-Match': tag } }));
      await Promise.all([onListener.arrayBuffer(), inProcess.arrayBuffer()]);
      expect([path, onListener.status]).toEqual([path, status]);
      expect([path, inProcess.status]).toEqual([path, status]);
      if (status === 304) expect(headersOf(onListener)).toEqual(headersOf(inProcess));
    }
  });
});
