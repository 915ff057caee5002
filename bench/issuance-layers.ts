// What the layers around partner issuance cost (issue 7): the issuer's HTTP stack for
// POST /api/v1/partner/passes — node front, @hono/node-server's adapter, the middleware chain,
// authentication, admission, the body's bounded read, strict JSON and zod, the route — against a
// bare node:http handler that reads the body, JSON.parse-s it and calls the same issuance function
// (issueForPartner) with the same store, keys and self-check; and between them Hono alone (the
// same adapter and listener, one route doing what the bare handler does, no middleware). Both listen in this process; wrk (one
// thread, 16 connections, a fresh Idempotency-Key per request) drives them in interleaved rounds,
// and the figure is this process's main-thread CPU per request (/proc/<pid>/task/<pid>/stat), which
// a loaded shared machine disturbs much less than requests per second. full − bare is what
// everything outside issueForPartner costs; hono − bare the framework's share of it (adapter,
// router, context, Response), full − hono the application's layers (middleware, authentication,
// admission, bounded body read, strict JSON and zod, the route's checks).
//   npx tsx bench/issuance-layers.ts [seconds per run, default 3] [rounds, default 6]
// BENCH_ONLY=full (or hono, or bare) runs one side only, e.g. under `node --cpu-prof --import tsx`.
import { Hono } from 'hono';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/db/open-database.ts';
import { findPartnerById } from '../src/db/queries/partners.ts';
import { systemClock, unixNow } from '../src/server/clock.ts';
import { testConfig } from '../src/server/config.ts';
import { createApp } from '../src/server/create-app.ts';
import type { IssuanceContext } from '../src/server/issuance/issuance-context.ts';
import { createIssuedPassCheck } from '../src/server/issuance/issued-pass-check.ts';
import { issueForPartner } from '../src/server/issuance/partner-issuance.ts';
import { watchedKeyDirectory } from '../src/server/issuer-keys.ts';
import { listen } from '../src/server/listen.ts';
import { silentLogger } from '../src/server/logger.ts';
import { formatSpread as range, spread } from './support/measure.ts';
import { seedBenchIssuer } from './support/seed-bench-issuer.ts';
import { mainThreadAndProcessCpuSeconds as cpuSeconds, runWrk, type WrkTarget } from './support/wrk.ts';

const SECONDS = Number(process.argv[2] ?? 3);
const ROUNDS = Number(process.argv[3] ?? 6);
type Side = 'full' | 'hono' | 'bare';
const SIDES = (process.env.BENCH_ONLY ? [process.env.BENCH_ONLY] : ['full', 'hono', 'bare']) as Side[];
const dir = mkdtempSync(join(tmpdir(), 'vaxpass-issuance-layers-'));
const db = openDatabase(join(dir, 'bench.sqlite'));
try {
  const now = unixNow(systemClock);
  const keysDir = join(dir, 'keys');
  const { apiKey } = await seedBenchIssuer(db, keysDir, now);
  // As main.ts: the key directory checked once a second. No shedding: the bench measures the work.
  const keys = watchedKeyDirectory(keysDir, 1000);
  const config = testConfig({ admission: { maxConcurrent: 64, holderReserve: 1, maxQueue: 1000, maxWaitMs: 60_000, maxEventLoopLagMs: 0, standingQueueAfterMs: 0, standingQueueWaitMs: 0, maxLoopUtilization: 0 } });
  const app = createApp({ db, signer: keys, clock: systemClock, config, logger: silentLogger });
  const full = await listen(app.fetch as never, 0, '127.0.0.1', app.nodeFront);
  // The issuance function as createApp wires it (the same self-check against the published bundle).
  const ctx: IssuanceContext = { db, keys, clock: systemClock, config, personProof: null, checkIssued: createIssuedPassCheck(app.publisher, keys) };
  const partner = (await findPartnerById(db, 'bench'))!;
  const readJson = (req: IncomingMessage): Promise<unknown> =>
    new Promise((ok, fail) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk)).on('error', fail).on('end', () => ok(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    });
  const issue = async (req: IncomingMessage) => {
    const response = await issueForPartner(ctx, partner, String(req.headers['idempotency-key']), (await readJson(req)) as { personId: string }, { requestId: randomUUID(), clientRequestId: null });
    const passId = (JSON.parse(response.body) as { passId: string }).passId;
    return { response, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', Location: `/api/v1/partner/passes/${passId}` } };
  };
  const bare: Server = createServer((req, res) => {
    issue(req).then(
      ({ response, headers }) => res.writeHead(response.status, headers).end(response.body),
      () => res.writeHead(500).end(),
    );
  });
  const honoOnly = new Hono<{ Bindings: { incoming: IncomingMessage; outgoing: ServerResponse } }>().post('/api/v1/partner/passes', async (c) => {
    const { response, headers } = await issue(c.env.incoming);
    return c.body(response.body, response.status as 201, headers);
  });
  const hono = await listen(honoOnly.fetch as never, 0, '127.0.0.1');
  await new Promise<void>((ok) => bare.listen(0, '127.0.0.1', ok));
  const url = (server: unknown) => `http://127.0.0.1:${((server as Server).address() as { port: number }).port}/api/v1/partner/passes`;
  const urls = { full: url(full), hono: url(hono), bare: url(bare) };
  const target = (side: Side, keyPrefix: string): WrkTarget => ({ url: urls[side], method: 'POST', headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' }, body: '{"personId":"demo-0002"}', keyPrefix });
  const figures = Object.fromEntries(SIDES.map((side) => [side, { rate: [] as number[], main: [] as number[], all: [] as number[] }])) as Record<Side, { rate: number[]; main: number[]; all: number[] }>;
  const loads: number[] = [];
  // A warm-up run each (JIT, SQLite page cache), not counted.
  for (const side of SIDES) await runWrk(dir, target(side, `${side}-w-`), 16, 1);
  let run = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (const side of r % 2 ? [...SIDES].reverse() : SIDES) {
      const before = cpuSeconds(process.pid);
      const { rate, requests, non2xx } = await runWrk(dir, target(side, `${side}-${++run}-`), 16, SECONDS);
      const after = cpuSeconds(process.pid);
      if (non2xx > 0) process.stderr.write(`  warning: ${non2xx} non-2xx answers from ${side}\n`);
      figures[side].rate.push(rate);
      figures[side].main.push(((after.main - before.main) / requests) * 1e6);
      figures[side].all.push(((after.all - before.all) / requests) * 1e6);
      loads.push(loadavg()[0]!);
    }
  }
  console.log(`bench/issuance-layers (SQLite): wrk 16 connections, ${SECONDS} s per run, ${ROUNDS} interleaved rounds, load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`);
  console.log('\n| side | req/s | main-thread CPU µs/request | process CPU µs/request |');
  console.log('|---|---|---|---|');
  const label = { full: 'full: the issuer over HTTP', hono: 'hono: adapter + one route, no middleware', bare: 'bare: node:http + issueForPartner' };
  for (const side of SIDES) console.log(`| ${label[side]} | ${range(figures[side].rate)} | ${range(figures[side].main)} | ${range(figures[side].all)} |`);
  if (SIDES.length === 3) {
    const m = (side: Side) => spread(figures[side].main).median;
    const share = (µs: number) => `${µs.toFixed(0)} µs per request (${((µs / m('full')) * 100).toFixed(0)} % of the full request)`;
    console.log(`\nmedians of main-thread CPU: full − bare ${share(m('full') - m('bare'))}; hono − bare ${share(m('hono') - m('bare'))}; full − hono ${share(m('full') - m('hono'))}`);
  }
  full.close();
  hono.close();
  bare.close();
  await app.close();
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
