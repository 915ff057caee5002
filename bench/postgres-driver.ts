// Which PostgreSQL driver the store uses: postgres.js or node-postgres (pg), both through drizzle
// as the store runs them. Two workloads, 16 concurrent callers on a pool of 10 connections:
//   - round trip: one single-row INSERT then one SELECT by primary key (autocommit),
//   - transaction: BEGIN, three single-row INSERTs, COMMIT (the shape of one issuance).
// Reports wall-clock operations/s and this process's CPU per operation (the issuer's event loop
// pays the driver's CPU), min / median / max over interleaved rounds.
//   npx tsx bench/postgres-driver.ts            (BENCH_ROUNDS, BENCH_ROUND_MS to change)
import { eq, sql } from 'drizzle-orm';
import { openPostgres, type PostgresDatabase, type PostgresDriver } from '../src/db/postgres/open-postgres.ts';

const URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 5;
const ROUND_MS = Number(process.env.BENCH_ROUND_MS) || 1500;
const CONCURRENCY = 16;

let seq = 0;
const row = () => ({ at: ++seq, actor: 'bench', action: 'bench', passId: null, personId: null, requestId: `r${seq}`, detail: null });

const workloads: Record<string, (db: PostgresDatabase) => Promise<unknown>> = {
  'round trip (insert + select)': async (db) => {
    const [inserted] = await db.orm.insert(db.t.auditLog).values(row()).returning({ id: db.t.auditLog.id });
    await db.orm.select().from(db.t.auditLog).where(eq(db.t.auditLog.id, inserted!.id));
  },
  'transaction (3 inserts)': (db) =>
    db.transaction(async (tx) => {
      await tx.orm.insert(tx.t.auditLog).values(row());
      await tx.orm.insert(tx.t.auditLog).values(row());
      await tx.orm.insert(tx.t.auditLog).values(row());
    }),
};

async function round(db: PostgresDatabase, work: (db: PostgresDatabase) => Promise<unknown>, ms: number): Promise<{ rate: number; cpuUs: number }> {
  const deadline = performance.now() + ms;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let ops = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        await work(db);
        ops++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { rate: ops / seconds, cpuUs: (cpu.user + cpu.system) / ops };
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]!, max: s[s.length - 1]! };
};

const drivers: PostgresDriver[] = ['postgres.js', 'pg'];
const schema = `bench_driver_${process.pid}`;
const stores = new Map<PostgresDriver, PostgresDatabase>();
for (const driver of drivers) stores.set(driver, await openPostgres(URL, { schema, driver, poolSize: 10 }));
try {
  console.log(`PostgreSQL driver comparison: ${CONCURRENCY} concurrent callers, pool 10, ${ROUNDS} interleaved rounds of ${ROUND_MS} ms`);
  for (const [name, work] of Object.entries(workloads)) {
    const results = new Map<PostgresDriver, { rate: number[]; cpu: number[] }>(drivers.map((d) => [d, { rate: [], cpu: [] }]));
    for (const driver of drivers) await round(stores.get(driver)!, work, 300);
    for (let r = 0; r < ROUNDS; r++) {
      for (const driver of r % 2 ? [...drivers].reverse() : drivers) {
        const { rate, cpuUs } = await round(stores.get(driver)!, work, ROUND_MS);
        results.get(driver)!.rate.push(rate);
        results.get(driver)!.cpu.push(cpuUs);
      }
    }
    console.log(`\n${name}`);
    for (const driver of drivers) {
      const rate = stats(results.get(driver)!.rate);
      const cpu = stats(results.get(driver)!.cpu);
      console.log(`  ${driver.padEnd(12)} ${rate.median.toFixed(0).padStart(6)} ops/s (min ${rate.min.toFixed(0)}, max ${rate.max.toFixed(0)})   CPU ${cpu.median.toFixed(0).padStart(4)} µs/op (min ${cpu.min.toFixed(0)}, max ${cpu.max.toFixed(0)})`);
    }
    const ratio = stats(results.get('postgres.js')!.rate).median / stats(results.get('pg')!.rate).median;
    console.log(`  postgres.js / pg throughput: ${ratio.toFixed(2)}`);
  }
} finally {
  const db = stores.get('pg')!;
  await (db.orm as unknown as { execute(q: ReturnType<typeof sql>): Promise<unknown> }).execute(sql.raw(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
  for (const store of stores.values()) await store.close();
}
