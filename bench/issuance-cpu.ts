// Partner issuance: the issuer's main-thread CPU per request, the figure that bounds it once the
// disk does not (issue 7). Wall-clock rates on a shared 2-core machine move with whoever else holds
// the cores; the main thread's CPU time per request served (/proc/<pid>/task/<pid>/stat, utime +
// stime) does much less. Each tree given on the command line (a checkout of this repository, so
// main and a branch can be compared in one run) gets its own issuer on a fresh SQLite file; the
// Hono POST+sign baseline of bench/scale.ts is measured the same way. Rounds interleave (reversed
// every other round); the table gives min / median / max and the ratio to the same-run baseline,
// and with two trees or more, each tree's CPU against the first tree's in the same round.
//   npx tsx bench/issuance-cpu.ts [seconds per run, default 3] [rounds, default 5] [tree …, default .]
// BENCH_STORE=PostgreSQL puts each issuer on its own fresh schema of DATABASE_URL (default the
// local test server) instead of a SQLite file, and adds the CPU of that issuer's PostgreSQL
// backends per request (found by application_name): PostgreSQL shares the cores with the issuer.
// BENCH_PROFILE=<dir> runs the issuers with --cpu-prof into that directory. Admission may queue a
// request for up to 10 s here (VAXPASS_MAX_QUEUE_WAIT_MS): on a loaded machine the default 50 ms
// sheds some requests with a cheap 503, which would lower the CPU per request without any change.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { mainThreadAndProcessCpuSeconds as cpuSeconds, runWrk, type WrkTarget } from './support/wrk.ts';
import { backendCpuByPid } from './support/postgres-bench.ts';
import { waitForLine } from './support/wait-for-line.ts';
import { spread, formatSpread as range } from './support/measure.ts';

const SECONDS = Number(process.argv[2] ?? 3);
const ROUNDS = Number(process.argv[3] ?? 5);
const TREES = process.argv.slice(4).length > 0 ? process.argv.slice(4).map((t) => resolve(t)) : [resolve('.')];
const CONNECTIONS = 16;
const ADMIN = 'issuance-cpu-bench-admin-token-0123456789';
const PG_URL = process.env.BENCH_STORE === 'PostgreSQL' ? process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test' : null;
const schemaOf = (n: number) => `bench_issuance_cpu_${process.pid}_${n}`;
const applicationOf = (n: number) => `vaxpass-issuance-cpu-${process.pid}-${n}`;
const dir = mkdtempSync(join(tmpdir(), 'vaxpass-issuance-cpu-'));
const children: ChildProcess[] = [];

interface Contender {
  readonly name: string;
  readonly pid: number;
  readonly target: WrkTarget;
  /** The application_name of its PostgreSQL connections (issuers on PostgreSQL only). */
  readonly application?: string;
}

async function baseline(): Promise<Contender> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/support/scale-baseline.ts', 'post'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const url = (JSON.parse((await waitForLine(child, 'stdout', /^\{.*\}$/)).input) as { url: string }).url;
  return { name: 'baseline: Hono POST, parse + sign', pid: child.pid!, target: { url: `${url}/sign`, method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"personId":"demo-0002"}' } };
}

async function issuer(tree: string, n: number): Promise<Contender> {
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const pgUrl = PG_URL ? new URL(PG_URL) : null;
  pgUrl?.searchParams.set('application_name', applicationOf(n));
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'src/server/main.ts'], {
    cwd: tree,
    env: { ...process.env, PORT: '0', ...(PG_URL ? { DATABASE_URL: pgUrl!.toString(), VAXPASS_PG_SCHEMA: schemaOf(n) } : { VAXPASS_DB: join(dir, `issuer-${n}.sqlite`) }), VAXPASS_KEYS: join(dir, `keys-${n}`), VAXPASS_APPS_DIR: join(dir, 'apps'), VAXPASS_DEV_IDP: 'on', VAXPASS_SEED_DEMO: 'on', VAXPASS_ADMIN_TOKEN: ADMIN, VAXPASS_MAX_QUEUE_WAIT_MS: '10000', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  const url = (await waitForLine(child, 'stderr', /listening on (http:\/\/\S+)/))[1]!;
  const res = await fetch(`${url}/api/v1/admin/partners`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ id: 'bench', name: 'Bench', quotaPerMinute: 1_000_000, registryTrusted: true }) });
  if (!res.ok) throw new Error(`partner: ${res.status} ${await res.text()}`);
  const { apiKey } = (await res.json()) as { apiKey: string };
  // The same tree may be given twice (an A/A control of the pairing): names stay distinct.
  return { name: `issuer ${tree}${TREES.indexOf(tree) === n ? '' : ` (#${n + 1})`}`, pid: child.pid!, target: { url: `${url}/api/v1/partner/passes`, method: 'POST', headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' }, body: '{"personId":"demo-0002"}', keyPrefix: `issuer-${n}` }, ...(PG_URL ? { application: applicationOf(n) } : {}) };
}

/** CPU seconds so far of the PostgreSQL backends of one issuer (found by application_name). */
async function backendCpu(client: pg.Client | null, application: string | undefined): Promise<Map<number, number>> {
  return client && application ? backendCpuByPid(client, application) : new Map();
}

const client = PG_URL ? new pg.Client({ connectionString: PG_URL }) : null;
await client?.connect();
try {
  const contenders = [await baseline(), ...(await Promise.all(TREES.map((tree, i) => issuer(tree, i))))];
  const figures = new Map(contenders.map((c) => [c.name, { rate: [] as number[], main: [] as number[], all: [] as number[], backend: [] as number[] }]));
  const loads: number[] = [];
  let round = 0;
  // A warm-up run each (JIT, SQLite page cache), not counted.
  for (const c of contenders) await runWrk(dir, { ...c.target, ...(c.target.keyPrefix ? { keyPrefix: `${c.target.keyPrefix}-w-` } : {}) }, CONNECTIONS, 1);
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 ? [...contenders].reverse() : contenders;
    for (const c of order) {
      const before = cpuSeconds(c.pid);
      const backendsBefore = await backendCpu(client, c.application);
      const { rate, requests, non2xx } = await runWrk(dir, { ...c.target, ...(c.target.keyPrefix ? { keyPrefix: `${c.target.keyPrefix}-${++round}-` } : {}) }, CONNECTIONS, SECONDS);
      const after = cpuSeconds(c.pid);
      const backendsAfter = await backendCpu(client, c.application);
      let backend = 0;
      for (const [pid, seconds] of backendsAfter) backend += seconds - (backendsBefore.get(pid) ?? 0);
      if (non2xx > 0) process.stderr.write(`  warning: ${non2xx} non-2xx answers from ${c.name}\n`);
      const f = figures.get(c.name)!;
      f.rate.push(rate);
      f.main.push(((after.main - before.main) / requests) * 1e6);
      f.all.push(((after.all - before.all) / requests) * 1e6);
      f.backend.push((backend / requests) * 1e6);
      loads.push(loadavg()[0]!);
    }
  }
  const base = figures.get(contenders[0]!.name)!;
  console.log(`bench/issuance-cpu (${PG_URL ? 'PostgreSQL' : 'SQLite'}): wrk ${CONNECTIONS} connections, ${SECONDS} s per run, ${ROUNDS} interleaved rounds, load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`);
  console.log(`\n| contender | req/s | ratio to baseline | main-thread CPU µs/request | process CPU µs/request |${PG_URL ? ' PostgreSQL backend CPU µs/request |' : ''}`);
  console.log(`|---|---|---|---|---|${PG_URL ? '---|' : ''}`);
  for (const [i, [name, f]] of [...figures].entries()) {
    const db = PG_URL ? ` ${i === 0 ? '—' : range(f.backend)} |` : '';
    console.log(`| ${name} | ${range(f.rate)} | ${(spread(f.rate).median / spread(base.rate).median).toFixed(2)} | ${range(f.main)} | ${range(f.all)} |${db}`);
  }
  // Paired by round: each tree against the first one in the same round (the two run back to back),
  // which cancels most of the load drift that widens the spreads above.
  const first = contenders[1] ? figures.get(contenders[1].name) : undefined;
  if (first && contenders.length > 2) {
    console.log(`\n| against ${contenders[1]!.name}, paired by round | main-thread CPU ratio | process CPU ratio | rounds with less main-thread CPU |`);
    console.log('|---|---|---|---|');
    for (const c of contenders.slice(2)) {
      const f = figures.get(c.name)!;
      const main = f.main.map((v, r) => v / first.main[r]!);
      const all = f.all.map((v, r) => v / first.all[r]!);
      console.log(`| ${c.name} | ${range(main, 3)} | ${range(all, 3)} | ${main.filter((x) => x < 1).length} of ${main.length} |`);
    }
  }
} finally {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((ok) => c.once('exit', ok)) : null)));
  rmSync(dir, { recursive: true, force: true });
  if (client) {
    for (let n = 0; n < TREES.length; n++) await client.query(`DROP SCHEMA IF EXISTS "${schemaOf(n)}" CASCADE`);
    await client.end();
  }
}
