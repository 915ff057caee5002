// Partner issuance, in process, measured by what a loaded shared machine disturbs least: the
// statements one issuance sends (counted at the driver), and with one issuance at a time (no
// queueing, no batching) the wall-clock latency, this process's CPU and, on PostgreSQL, the
// server backends' CPU per issuance. Then 16 concurrent callers for a rate. Run it from a
// checkout of main and from a branch, interleaved, for before/after pairs.
//   npx tsx bench/issuance-statements.ts [issuances per round, default 300] [rounds, default 3]
//   BENCH_STORES=SQLite (or PostgreSQL) to run one store only.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/db/open-database.ts';
import { openPostgres } from '../src/db/postgres/open-postgres.ts';
import type { VaxpassDatabase } from '../src/db/store.ts';
import { systemClock, unixNow } from '../src/server/clock.ts';
import { testConfig } from '../src/server/config.ts';
import { createApp } from '../src/server/create-app.ts';
import { watchedKeyDirectory } from '../src/server/issuer-keys.ts';
import { silentLogger } from '../src/server/logger.ts';
import { countStatements } from '../test/support/statement-counter.ts';
import { formatSpread as range, spread } from './support/measure.ts';
import { backendCpuSeconds, dropSchema } from './support/postgres-bench.ts';
import { seedBenchIssuer } from './support/seed-bench-issuer.ts';

const N = Number(process.argv[2] ?? 300);
const ROUNDS = Number(process.argv[3] ?? 3);
const CONCURRENT_MS = 3000;
const PG_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const STORES = process.env.BENCH_STORES?.split(',') ?? ['SQLite', 'PostgreSQL'];
const APPLICATION_NAME = `vaxpass-issuance-bench-${process.pid}`;

const backendCpu = () => backendCpuSeconds(PG_URL, APPLICATION_NAME);


async function bench(store: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vaxpass-issuance-bench-'));
  const schema = `bench_issuance_${process.pid}`;
  const url = new URL(PG_URL);
  url.searchParams.set('application_name', APPLICATION_NAME);
  // Pool of 16: every concurrent caller keeps its own backend, so the backends' CPU is counted whole.
  const db: VaxpassDatabase = store === 'PostgreSQL' ? await openPostgres(url.toString(), { schema, poolSize: 16 }) : openDatabase(join(dir, 'bench.sqlite'));
  try {
    const now = unixNow(systemClock);
    const keysDir = join(dir, 'keys');
    const { apiKey } = await seedBenchIssuer(db, keysDir, now);
    const app = createApp({ db, signer: watchedKeyDirectory(keysDir, 0), clock: systemClock, // No shedding: the bench measures the work, not admission control.
      config: testConfig({ admission: { maxConcurrent: 64, holderReserve: 1, maxQueue: 1000, maxWaitMs: 60_000, maxEventLoopLagMs: 0, standingQueueAfterMs: 0, standingQueueWaitMs: 0, maxLoopUtilization: 0 } }), logger: silentLogger });
    let seq = 0;
    const issue = async () => {
      const res = await app.request('/api/v1/partner/passes', { method: 'POST', headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': `bench-key-${++seq}` }, body: '{"personId":"demo-0002"}' });
      const body = await res.text();
      if (res.status !== 201) throw new Error(`issuance answered ${res.status}: ${body.slice(0, 300)}`);
    };
    for (let i = 0; i < 50; i++) await issue();
    // The fewest of ten: the app's timers (bundle publication, the per-second revoked-key read) add
    // statements of their own to some of them.
    let counted = await countStatements(issue);
    for (let i = 0; i < 9; i++) {
      const next = await countStatements(issue);
      if (next.statements < counted.statements) counted = next;
    }
    const latency: number[] = [];
    const cpu: number[] = [];
    const backend: number[] = [];
    const rate: number[] = [];
    const rateCpu: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      // One at a time.
      let cpu0 = process.cpuUsage();
      let b0 = store === 'PostgreSQL' ? await backendCpu() : 0;
      const times: number[] = [];
      for (let i = 0; i < N; i++) {
        const t0 = performance.now();
        await issue();
        times.push(performance.now() - t0);
      }
      let used = process.cpuUsage(cpu0);
      latency.push(spread(times).median);
      cpu.push((used.user + used.system) / N);
      if (store === 'PostgreSQL') backend.push(((await backendCpu()) - b0) * 1e6 / N);
      // 16 concurrent callers.
      cpu0 = process.cpuUsage();
      b0 = store === 'PostgreSQL' ? await backendCpu() : 0;
      const deadline = performance.now() + CONCURRENT_MS;
      let done = 0;
      const t0 = performance.now();
      await Promise.all(Array.from({ length: 16 }, async () => {
        while (performance.now() < deadline) {
          await issue();
          done++;
        }
      }));
      used = process.cpuUsage(cpu0);
      rate.push(done / ((performance.now() - t0) / 1000));
      rateCpu.push((used.user + used.system) / done);
    }
    const load = (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(`| ${store} | ${counted.statements} | ${range(latency, 2)} | ${range(cpu)} | ${store === 'PostgreSQL' ? range(backend) : '—'} | ${range(rate)} | ${range(rateCpu)} | ${load} |`);
  } finally {
    await db.close();
    if (store === 'PostgreSQL') await dropSchema(PG_URL, schema);
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`bench/issuance-statements: ${N} issuances one at a time, then 16 callers for ${CONCURRENT_MS / 1000} s, ${ROUNDS} rounds; median (min–max)`);
console.log('| store | statements per issuance | latency ms, one at a time | this process CPU µs/issuance, one at a time | PostgreSQL backend CPU µs/issuance, one at a time | issuances/s, 16 callers | CPU µs/issuance, 16 callers | load average at end |');
console.log('|---|---|---|---|---|---|---|---|');
for (const store of STORES) await bench(store);
