// Where shared quota state should live: one GCRA check per request, in Redis (the Lua script of
// src/server/redis-rate-limiter.ts) or in PostgreSQL (the same step as one UPSERT on an UNLOGGED
// table, the cheapest honest PostgreSQL form). Sequential latency and throughput with 32 checks in
// flight, interleaved rounds in one run. Run: npx tsx bench/quota-store.ts
import pg from 'pg';
import { manualClock } from '../src/server/clock.ts';
import { silentLogger } from '../src/server/logger.ts';
import { createRedisRateLimiter } from '../src/server/redis-rate-limiter.ts';

const PG_URL = process.env.VAXPASS_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.VAXPASS_TEST_REDIS_URL || 'redis://127.0.0.1:6379';
const schema = `quota_bench_${process.pid}`;

const clock = manualClock(new Date());
// A check that times out (50 ms) or fails is let through (fail open) and counted here, not hidden.
let redisFailures = 0;
const redis = createRedisRateLimiter({ url: REDIS_URL, clock, logger: silentLogger, prefix: `bench:${process.pid}:`, onUnavailable: () => redisFailures++ });
if (!(await redis.ready())) throw new Error(`Redis not reachable at ${REDIS_URL}`);
const pool = new pg.Pool({ connectionString: PG_URL, max: 32 });
await pool.query(`CREATE SCHEMA ${schema}`);
await pool.query(`CREATE UNLOGGED TABLE ${schema}.quota_tat (key text PRIMARY KEY, tat double precision NOT NULL)`);
const upsert = `INSERT INTO ${schema}.quota_tat (key, tat) VALUES ($1, $2::float8 + $3::float8)
  ON CONFLICT (key) DO UPDATE SET tat = GREATEST(${schema}.quota_tat.tat, $2::float8) + $3::float8
  WHERE GREATEST(${schema}.quota_tat.tat, $2::float8) + $3::float8 - $2::float8 <= $4::float8 RETURNING tat`;
const postgresTake = async (key: string, limit: number) => {
  const interval = 60_000 / limit;
  const r = await pool.query(upsert, [key, Date.now(), interval, limit * interval]);
  return r.rowCount === 1 ? null : 1;
};

const contenders = { redis: (key: string) => redis.take(key, 1_000_000), postgres: (key: string) => postgresTake(key, 1_000_000) };
type Name = keyof typeof contenders;

async function round(name: Name, inFlight: number, ms: number): Promise<{ perSecond: number; p50: number; p99: number }> {
  const take = contenders[name];
  const latencies: number[] = [];
  const end = performance.now() + ms;
  let i = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        await take(`partner:${i++ % 200}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { perSecond: latencies.length / (ms / 1000), p50: latencies[Math.floor(latencies.length / 2)]!, p99: latencies[Math.floor(latencies.length * 0.99)]! };
}

const results: Record<string, { perSecond: number; p50: number; p99: number }[]> = {};
for (const [name] of Object.entries(contenders)) await round(name as Name, 8, 300);
for (let r = 0; r < 3; r++) {
  for (const inFlight of [1, 32]) {
    for (const name of Object.keys(contenders) as Name[]) (results[`${name} ×${inFlight}`] ??= []).push(await round(name, inFlight, 1000));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
process.stdout.write('| store, checks in flight | checks/s (min / median / max) | p50 ms | p99 ms |\n|---|---:|---:|---:|\n');
for (const [name, rounds] of Object.entries(results)) {
  const rates = rounds.map((x) => x.perSecond);
  process.stdout.write(`| ${name} | ${Math.round(Math.min(...rates))} / ${Math.round(median(rates))} / ${Math.round(Math.max(...rates))} | ${median(rounds.map((x) => x.p50)).toFixed(2)} | ${median(rounds.map((x) => x.p99)).toFixed(2)} |\n`);
}
process.stdout.write(`Redis checks that failed open (timeout 50 ms or error): ${redisFailures}\n`);
await pool.query(`DROP SCHEMA ${schema} CASCADE`);
await pool.end();
await redis.close?.();
