// Shutdown that loses nothing: readiness turns 503 at once while the listener still serves for
// VAXPASS_DRAIN_DELAY_MS, responses while draining say Connection: close, in-flight requests
// finish, and a rolling restart of two instances behind a round-robin proxy drops no request.
// Also /metrics on its own listener behind a token.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Admitted } from '../../src/server/admission.ts';
import { DEMO_PARTNER_ID, startServer, type RunningServer } from '../../src/server/main.ts';
import { devPersonProof } from '../support/dev-person-proof.ts';

const dir = mkdtempSync(join(tmpdir(), 'vaxpass-drain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function start(env: Record<string, string> = {}): Promise<RunningServer> {
  const at = join(dir, String(++n));
  return startServer({
    env: { PORT: '0', VAXPASS_DB: join(at, 'vaxpass.sqlite'), VAXPASS_KEYS: join(dir, 'keys'), VAXPASS_DEV_IDP: 'on', LOG_LEVEL: 'silent', VAXPASS_APPS_DIR: join(dir, 'no-apps'), ...env },
    print: () => undefined,
    writeLog: () => undefined,
  });
}

function get(url: string): Promise<{ status: number; connection: string | undefined; body: string }> {
  return new Promise((ok, fail) => {
    const req = httpRequest(url, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => ok({ status: res.statusCode!, connection: res.headers.connection, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

describe('drain', () => {
  it('readiness 503 during the drain delay, Connection: close, in-flight requests finish, bounded drain time', async () => {
    const server = await start({ VAXPASS_DRAIN_DELAY_MS: '300', VAXPASS_MAX_CONCURRENT: '1', VAXPASS_HOLDER_RESERVE: '0', VAXPASS_MAX_QUEUE_WAIT_MS: '5000' });
    expect((await get(`${server.url}/readyz`)).connection).toBe('keep-alive');
    // A partner request waits for the only slot while shutdown starts.
    const busy = server.app.admission.admit('partner', 'elsewhere') as Admitted;
    const idToken = await devPersonProof(server.devIdpIssuer!, DEMO_PARTNER_ID, 'demo-0001');
    const inFlight = fetch(`${server.url}/api/v1/partner/passes`, { method: 'POST', headers: { Authorization: `Bearer ${server.demoPartnerApiKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': 'drain-test-0001' }, body: JSON.stringify({ idToken }) });
    await expect.poll(() => server.app.admission.stats().queued).toBe(1);
    const started = performance.now();
    const closed = server.close();
    const ready = await get(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.connection).toBe('close');
    expect((await get(`${server.url}/livez`)).status).toBe(200);
    busy.release();
    const res = await inFlight;
    expect(res.status).toBe(201);
    expect(res.headers.get('connection')).toBe('close');
    await closed;
    const drainMs = performance.now() - started;
    expect(drainMs).toBeGreaterThanOrEqual(290);
    expect(drainMs).toBeLessThan(3000);
    await expect(get(`${server.url}/livez`)).rejects.toThrow();
  });
});

describe('/metrics exposure', () => {
  it('on its own listener behind a token, and not on the API port', async () => {
    const token = 'metrics-token-0123456789abcdefghijklmnop';
    const server = await start({ VAXPASS_METRICS_PORT: '0', VAXPASS_METRICS_TOKEN: token });
    try {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
      const metricsUrl = server.metricsUrl!;
      expect((await fetch(`${metricsUrl}/metrics`)).status).toBe(401);
      const res = await fetch(`${metricsUrl}/metrics`, { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('nodejs_eventloop_lag_p99_seconds');
    } finally {
      await server.close();
    }
  });
});

/** A small round-robin proxy, as a load balancer would be: it polls /readyz and sends only to ready backends. */
function roundRobinProxy(backends: () => string[]): Promise<{ url: string; server: Server; stop(): void }> {
  const ready = new Map<string, boolean>();
  const poll = setInterval(() => {
    for (const b of backends()) void get(`${b}/readyz`).then((r) => ready.set(b, r.status === 200), () => ready.set(b, false));
  }, 20);
  let next = 0;
  const server = createServer((req, res) => {
    const live = backends().filter((b) => ready.get(b));
    const target = live[next++ % Math.max(1, live.length)];
    if (!target) return void res.writeHead(502).end('no backend');
    const upstream = httpRequest(`${target}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode!, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end('upstream failed'));
    req.pipe(upstream);
  });
  return new Promise((ok) =>
    server.listen(0, '127.0.0.1', () => ok({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, stop: () => (clearInterval(poll), server.close()) })),
  );
}

describe('rolling restart', () => {
  it('two instances behind a round-robin proxy, each restarted in turn under steady traffic: no request lost', async () => {
    const env = { VAXPASS_DRAIN_DELAY_MS: '150' };
    const instances: RunningServer[] = [await start(env), await start(env)];
    const proxy = await roundRobinProxy(() => instances.map((i) => i.url));
    await new Promise((ok) => setTimeout(ok, 60));
    const statuses: number[] = [];
    let running = true;
    const traffic = (async () => {
      const agent = { keepalive: true } as const;
      while (running) {
        const batch = await Promise.all(Array.from({ length: 4 }, () => fetch(`${proxy.url}/api/v1/trust-bundle`, agent).then((r) => (void r.arrayBuffer(), r.status), () => 0)));
        statuses.push(...batch);
      }
    })();
    for (const i of [0, 1]) {
      await new Promise((ok) => setTimeout(ok, 100));
      const old = instances[i]!;
      const replacement = await start(env);
      instances.push(replacement);
      await new Promise((ok) => setTimeout(ok, 60));
      await old.close();
      instances.splice(instances.indexOf(old), 1);
    }
    await new Promise((ok) => setTimeout(ok, 100));
    running = false;
    await traffic;
    proxy.stop();
    await Promise.all(instances.map((i) => i.close()));
    expect(statuses.length).toBeGreaterThan(40);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });
});
