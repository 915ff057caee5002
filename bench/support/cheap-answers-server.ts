// Child process for bench/cheap-answers.ts: one server answering the cheap answers of the overload
// spike, printing one JSON line with what the client needs.
//   tsx bench/support/cheap-answers-server.ts issuer <tree>   the real issuer (startServer) of the
//     source tree <tree> (so one run compares two checkouts), started as bench/overload/run.ts
//     starts it (dev mode, SQLite, liveness listener). A holder signs in and fetches once for an
//     ETag; then admission's event-loop check is made to always answer "lagging", so every partner
//     POST is refused by the node front (503 OVERLOADED) and every holder refresh with the current
//     ETag is answered 304 — the two answers that filled the spike.
//   tsx bench/support/cheap-answers-server.ts baseline        plain node:http: 304 with an ETag for
//     GET, a fixed 503 JSON for POST (the least any server could spend on the same exchanges).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEMO_PEOPLE } from '../../src/demo/seed-demo-registry.ts';
import { signInThroughProvider } from '../../test/support/sign-in-through-provider.ts';

const [mode, tree] = process.argv.slice(2);
const ADMIN = 'cheap-answers-bench-admin-token-0123456789';

if (mode === 'baseline') {
  const body = JSON.stringify({ status: 503, code: 'OVERLOADED' });
  const server = createServer((req, res) => {
    if (req.method === 'GET') return void res.writeHead(304, { ETag: '"baseline"', 'Cache-Control': 'private, no-cache' }).end();
    res.writeHead(503, { 'Content-Type': 'application/problem+json', 'Retry-After': '1', 'Content-Length': Buffer.byteLength(body) }).end(body);
  });
  process.stdin.setEncoding('utf8').on('data', () => void process.stdout.write('ok\n'));
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, cookie: 'none=1', etag: '"baseline"', apiKey: 'none' })}\n`));
} else {
  const dir = mkdtempSync(join(tmpdir(), 'vaxpass-cheap-answers-'));
  const { startServer } = (await import(resolve(tree!, 'src/server/main.ts'))) as typeof import('../../src/server/main.ts');
  const env = { VAXPASS_DEV_IDP: 'on', PORT: '0', HOST: '127.0.0.1', VAXPASS_DB: join(dir, 'db.sqlite'), VAXPASS_KEYS: join(dir, 'keys'), VAXPASS_APPS_DIR: join(dir, 'none'), VAXPASS_ADMIN_TOKEN: ADMIN, VAXPASS_HOLDER_QUOTA_PER_MINUTE: '1000000', LOG_LEVEL: 'info', VAXPASS_DRAIN_DELAY_MS: '0', VAXPASS_MAX_EVENT_LOOP_LAG_MS: '30', VAXPASS_MAX_QUEUE: '0', VAXPASS_LIVENESS_PORT: '0', VAXPASS_DEV_IDP_PORT: '0' };
  const running = await startServer({ env, installSignalHandlers: false, print: () => {}, writeLog: () => {} });
  const admin = (await (await fetch(`${running.url}/api/v1/admin/partners`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ id: 'bench-partner', name: 'Bench partner', quotaPerMinute: 1_000_000, registryTrusted: true }) })).json()) as { apiKey: string };
  // A holder partners do not issue for, as in bench/overload/run.ts.
  const cookie = await signInThroughProvider(running.url, DEMO_PEOPLE.at(-1)!.personId);
  // The first fetch issues the holder's passes, a write that keeps its own answer from being
  // stored; the second is stored, so a refresh past the cache's lifetime still finds its ETag.
  let etag: string | null = null;
  for (let fetches = 0; fetches < 2; fetches++) {
    const res = await fetch(`${running.url}/api/v1/holder/passes`, { headers: { Cookie: cookie } });
    await res.arrayBuffer();
    etag = res.headers.get('etag');
    if (res.status !== 200 || !etag) throw new Error(`holder fetch answered ${res.status}`);
  }
  // The spike's conditions, without spending CPU to create them. Every partner slot is taken (and
  // never given back) and partner queues hold nobody (VAXPASS_MAX_QUEUE=0), so admission refuses
  // any partner request at once (queue-full); and the loop "lags" for every lane, so the node front
  // refuses partner requests before admission sees them. The bench switches the lag off and on
  // (a line 'admission' or 'front' on stdin) to measure both refusals.
  const { admission } = running.app;
  for (;;) {
    const taken = admission.admit('partner', 'slot-holder');
    if ('then' in taken || !taken.ok) break;
  }
  let lagging = true;
  admission.overLoopLag = () => lagging;
  process.stdin.setEncoding('utf8').on('data', (line: string) => {
    lagging = line.trim() !== 'admission';
    process.stdout.write('ok\n');
  });
  process.stdout.write(`${JSON.stringify({ url: running.url, cookie, etag, apiKey: admin.apiKey })}\n`);
  process.on('SIGTERM', () => void running.close().then(() => (rmSync(dir, { recursive: true, force: true }), process.exit(0))));
}
