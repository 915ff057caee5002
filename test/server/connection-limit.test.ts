// The listener's connection limit (src/server/listen.ts): past VAXPASS_MAX_CONNECTIONS open
// connections a partner request gets a polite 503 OVERLOADED with Retry-After and Connection:
// close, before any work; holders only past twice the limit; /livez is still answered. The count
// is the server's own: no header, cookie or date the client sends changes the answer.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countIssuedPasses } from '../../src/db/queries/issued-passes.ts';
import { ConfigError } from '../../src/server/config.ts';
import { connectionLimits } from '../../src/server/listen.ts';
import { startServer, type RunningServer } from '../../src/server/main.ts';

let dir: string;
let server: RunningServer;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vaxpass-connections-'));
  server = await startServer({
    env: { PORT: '0', VAXPASS_MAX_CONNECTIONS: '2', VAXPASS_DB: join(dir, 'db.sqlite'), VAXPASS_KEYS: join(dir, 'keys'), VAXPASS_DEV_IDP: 'on', VAXPASS_APPS_DIR: join(dir, 'none'), LOG_LEVEL: 'error' },
    print: () => {},
    writeLog: () => {},
  });
  port = Number(new URL(server.url).port);
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Idle connections that count against the limit. */
async function holdConnections(n: number): Promise<Socket[]> {
  const sockets = await Promise.all(Array.from({ length: n }, () => new Promise<Socket>((ok, fail) => {
    const s = connect(port, '127.0.0.1', () => ok(s));
    s.once('error', fail);
  })));
  // The server counts a connection once it has accepted it.
  await new Promise((ok) => setTimeout(ok, 50));
  return sockets;
}

/** One raw HTTP/1.1 request on its own connection; the whole answer as text. */
function raw(request: string): Promise<string> {
  return new Promise((ok, fail) => {
    const s = connect(port, '127.0.0.1', () => s.write(request));
    let answer = '';
    s.on('data', (d: Buffer) => (answer += d.toString()));
    s.once('end', () => ok(answer));
    s.once('error', fail);
    // A keep-alive answer does not end the connection: stop at the end of the body.
    s.setTimeout(1000, () => (s.destroy(), ok(answer)));
  });
}

const partnerPost = (headers = '') => `POST /api/v1/partner/passes HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${server.demoPartnerApiKey}\r\nContent-Type: application/json\r\nIdempotency-Key: conn-limit-${Math.random()}\r\n${headers}Content-Length: 27\r\n\r\n{"personId":"demo-0001"}   `;

describe('connection limit', () => {
  it('refuses a partner request past the limit with 503 OVERLOADED, Retry-After and Connection: close, and issues nothing', async () => {
    const before = await countIssuedPasses(server.db);
    const idle = await holdConnections(2);
    try {
      const answer = await raw(partnerPost());
      expect(answer).toMatch(/^HTTP\/1\.1 503 /);
      expect(answer).toMatch(/\r\nretry-after: 1\r\n/i);
      expect(answer).toMatch(/\r\nconnection: close\r\n/i);
      expect(answer).toMatch(/content-type: application\/problem\+json/i);
      expect(answer).toContain('"code":"OVERLOADED"');
      expect(answer).not.toMatch(/\bat .*\.ts:\d+/);
      expect(await countIssuedPasses(server.db)).toBe(before);
    } finally {
      for (const s of idle) s.destroy();
    }
    // Back under the limit the same request gets past the listener (to authentication and the proof check).
    await new Promise((ok) => setTimeout(ok, 50));
    expect(await raw(partnerPost())).not.toMatch(/^HTTP\/1\.1 503 /);
  });

  it('still answers /livez past the limit, closing the connection after it', async () => {
    const idle = await holdConnections(3);
    try {
      const answer = await raw('GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    } finally {
      for (const s of idle) s.destroy();
    }
  });

  it('lets holder requests through up to twice the limit', async () => {
    const idle = await holdConnections(3);
    try {
      // 4 open connections: past the limit (2), not past twice it. No session: 401, not 503.
      expect(await raw('GET /api/v1/holder/passes HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')).toMatch(/^HTTP\/1\.1 401 /);
      const more = await holdConnections(1);
      try {
        expect(await raw('GET /api/v1/holder/passes HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')).toMatch(/^HTTP\/1\.1 503 /);
      } finally {
        for (const s of more) s.destroy();
      }
    } finally {
      for (const s of idle) s.destroy();
    }
  });

  it('nothing the client sends (clock, header, cookie) changes the refusal', async () => {
    const idle = await holdConnections(2);
    try {
      const plain = await raw(partnerPost());
      const dressed = await raw(partnerPost('Date: Thu, 01 Jan 2099 00:00:00 GMT\r\nX-Priority: holder\r\nPriority: u=0\r\nCookie: lane=holder; vaxpass_session=x\r\nX-Forwarded-For: 127.0.0.1\r\nConnection: keep-alive\r\n'));
      const strip = (a: string) => a.replace(/\r\ndate: [^\r]*/i, '');
      expect(strip(dressed)).toBe(strip(plain));
      expect(plain).toMatch(/^HTTP\/1\.1 503 /);
    } finally {
      for (const s of idle) s.destroy();
    }
  });

  it('disconnects a client that does not finish its headers within VAXPASS_HEADERS_TIMEOUT_MS', async () => {
    const dir2 = mkdtempSync(join(tmpdir(), 'vaxpass-slow-client-'));
    const slow = await startServer({
      env: { PORT: '0', VAXPASS_HEADERS_TIMEOUT_MS: '1000', VAXPASS_DB: join(dir2, 'db.sqlite'), VAXPASS_KEYS: join(dir2, 'keys'), VAXPASS_DEV_IDP: 'on', VAXPASS_APPS_DIR: join(dir2, 'none'), LOG_LEVEL: 'error' },
      print: () => {},
      writeLog: () => {},
    });
    try {
      const started = performance.now();
      const answer = await new Promise<string>((ok, fail) => {
        const s = connect(Number(new URL(slow.url).port), '127.0.0.1', () => s.write('GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\n'));
        let text = '';
        s.on('data', (d: Buffer) => (text += d.toString()));
        s.once('close', () => ok(text));
        s.once('error', fail);
      });
      // node answers 408 and closes, within the timeout plus one connection check (1 s), not 30 s later.
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(performance.now() - started).toBeLessThan(5000);
    } finally {
      await slow.close();
      rmSync(dir2, { recursive: true, force: true });
    }
  });

  it('listens with the backlog VAXPASS_LISTEN_BACKLOG sets, as the kernel reports it', async () => {
    // For a listening socket, ss's Send-Q column is the accept queue's limit (listen(2)'s backlog).
    const backlogOf = (p: number) => Number(execFileSync('ss', ['-ltnH', `sport = :${p}`], { encoding: 'utf8' }).trim().split(/\s+/)[2]);
    expect(backlogOf(port)).toBe(511);
    const dir2 = mkdtempSync(join(tmpdir(), 'vaxpass-backlog-'));
    const small = await startServer({
      env: { PORT: '0', VAXPASS_LISTEN_BACKLOG: '7', VAXPASS_DB: join(dir2, 'db.sqlite'), VAXPASS_KEYS: join(dir2, 'keys'), VAXPASS_DEV_IDP: 'on', VAXPASS_APPS_DIR: join(dir2, 'none'), LOG_LEVEL: 'error' },
      print: () => {},
      writeLog: () => {},
    });
    try {
      expect(backlogOf(Number(new URL(small.url).port))).toBe(7);
    } finally {
      await small.close();
      rmSync(dir2, { recursive: true, force: true });
    }
  });

  it('is configured by VAXPASS_MAX_CONNECTIONS, the header/request timeouts and VAXPASS_LISTEN_BACKLOG, refusing bad values by name', () => {
    expect(connectionLimits({})).toEqual({ maxConnections: 1024, headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, backlog: 511 });
    expect(connectionLimits({ VAXPASS_LISTEN_BACKLOG: '64' }).backlog).toBe(64);
    expect(() => connectionLimits({ VAXPASS_LISTEN_BACKLOG: '0' })).toThrow(/VAXPASS_LISTEN_BACKLOG/);
    expect(connectionLimits({ VAXPASS_MAX_CONNECTIONS: '64' }).maxConnections).toBe(64);
    expect(() => connectionLimits({ VAXPASS_MAX_CONNECTIONS: '0' })).toThrow(/VAXPASS_MAX_CONNECTIONS/);
    expect(() => connectionLimits({ VAXPASS_HEADERS_TIMEOUT_MS: '20000', VAXPASS_REQUEST_TIMEOUT_MS: '10000' })).toThrow(ConfigError);
  });
});
