// The uncached holder 304 on PostgreSQL (a refresh answered from the person's stored ETag, the path
// of nearly every holder refresh; bench/scale.ts's "uncached" row): what one 304 costs in CPU, in
// the issuer (main thread and whole process) and in the PostgreSQL backends serving it, and how many
// round trips it takes. Requests per second on the shared 2-core machine move with whoever else
// holds the cores; CPU per request moves much less.
//
// Each tree given on the command line (a checkout of this repository, so main and a branch compare
// in one run) gets its own issuer on its own fresh schema of DATABASE_URL (default the local test
// server), with BENCH_SESSIONS (default 16) signed-in sessions of demo-0001 that wrk rotates
// through, each sending the weak form of its ETag (which the per-process refresh cache never
// confirms). The Hono small-JSON GET of bench/scale.ts is the baseline. Rounds interleave (reversed
// every other round); the table gives min / median / max.
//   npx tsx bench/holder-304-cpu.ts [seconds per run, default 3] [rounds, default 5] [tree …, default .]
// BENCH_PROFILE=<dir> runs the issuers with --cpu-prof into that directory.
// BENCH_OTHER_SESSIONS (default 50,000) sessions of other people, each with a stored answer, are
// put in each schema first: how PostgreSQL plans the read depends on the table sizes, and a
// schema holding only the bench's own 16 sessions is planned as no deployment is.
//
// Round trips per 304: the issuer's write system calls (/proc/<pid>/io syscw) per request, less
// one for the 304 itself. node writes each response, and node-postgres each corked statement, with
// one write; nothing else in the issuer writes during the run at LOG_LEVEL=warn.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { initKeyDirectory } from '../src/keys/key-directory.ts';
import { signInThroughProvider } from '../test/support/sign-in-through-provider.ts';
import { mainThreadAndProcessCpuSeconds as cpuSeconds, runWrk, type WrkTarget } from './support/wrk.ts';
import { backendCpuByPid } from './support/postgres-bench.ts';
import { waitForLine } from './support/wait-for-line.ts';
import { spread, formatSpread as range } from './support/measure.ts';

const SECONDS = Number(process.argv[2] ?? 3);
const ROUNDS = Number(process.argv[3] ?? 5);
const TREES = process.argv.slice(4).length > 0 ? process.argv.slice(4).map((t) => resolve(t)) : [resolve('.')];
/** wrk's connections (default 16, as bench/scale.ts; 8 is what each of its 2 processes gets). */
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 16);
const OTHER_SESSIONS = Number(process.env.BENCH_OTHER_SESSIONS ?? 50_000);
const PG_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const ADMIN = 'holder-304-cpu-bench-admin-token-0123456789';
const schemaOf = (n: number) => `bench_holder_304_${process.pid}_${n}`;
const applicationOf = (n: number) => `vaxpass-holder-304-${process.pid}-${n}`;
const dir = mkdtempSync(join(tmpdir(), 'vaxpass-holder-304-'));
const children: ChildProcess[] = [];

function writeCalls(pid: number): number {
  return Number(/syscw: (\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
}

interface Contender {
  readonly name: string;
  readonly pid: number;
  readonly target: WrkTarget;
  /** The application_name of its PostgreSQL connections (issuers only). */
  readonly application?: string;
}

async function baseline(): Promise<Contender> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/support/scale-baseline.ts', 'get'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const url = (JSON.parse((await waitForLine(child, 'stdout', /^\{.*\}$/)).input) as { url: string }).url;
  return { name: 'baseline: Hono small-JSON GET', pid: child.pid!, target: { url: `${url}/small`, method: 'GET', headers: {} } };
}

/** Other people's sessions and stored answers, straight into the issuer's schema (the row shapes of schema.ts). */
async function fillOtherSessions(client: pg.Client, schema: string): Promise<void> {
  if (OTHER_SESSIONS <= 0) return;
  const far = Math.floor(Date.now() / 1000) + 86_400;
  await client.query(`insert into "${schema}".holder_sessions (id_hash, person_id, csrf_token, created_at, expires_at) select md5('other-' || i) || md5('session-' || i), 'other-' || i, 'x', 0, $1 from generate_series(1, $2::int) i`, [far, OTHER_SESSIONS]);
  await client.query(`insert into "${schema}".holder_answers (person_id, changes, etag, valid_until, generation) select 'other-' || i, 0, '"' || md5('etag-' || i) || '"', $1, 0 from generate_series(1, $2::int) i`, [far, OTHER_SESSIONS]);
  await client.query(`analyze "${schema}".holder_sessions, "${schema}".holder_answers`);
}

async function issuer(tree: string, n: number): Promise<Contender> {
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const url = new URL(PG_URL);
  url.searchParams.set('application_name', applicationOf(n));
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'src/server/main.ts'], {
    cwd: tree,
    env: { ...process.env, PORT: '0', DATABASE_URL: url.toString(), VAXPASS_PG_SCHEMA: schemaOf(n), VAXPASS_PG_POOL_SIZE: '8', VAXPASS_KEYS: join(dir, 'keys'), VAXPASS_APPS_DIR: join(dir, 'apps'), VAXPASS_DEV_IDP: 'on', VAXPASS_SEED_DEMO: 'on', VAXPASS_ADMIN_TOKEN: ADMIN, VAXPASS_HOLDER_QUOTA_PER_MINUTE: '1000000', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  const origin = (await waitForLine(child, 'stderr', /listening on (http:\/\/\S+)/))[1]!;
  await fillOtherSessions(client, schemaOf(n));
  const sessions: Record<string, string>[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const cookie = await signInThroughProvider(origin, 'demo-0001');
    const first = await fetch(`${origin}/api/v1/holder/passes`, { headers: { Cookie: cookie } });
    await first.arrayBuffer();
    sessions.push({ Cookie: cookie, 'If-None-Match': `W/${first.headers.get('etag')!}` });
  }
  return { name: `issuer ${tree}`, pid: child.pid!, application: applicationOf(n), target: { url: `${origin}/api/v1/holder/passes`, method: 'GET', headers: sessions[0]!, rotate: sessions } };
}

const client = new pg.Client({ connectionString: PG_URL });
await client.connect();
try {
  await initKeyDirectory(join(dir, 'keys'), { now: Math.floor(Date.now() / 1000) - 86_400 });
  const contenders = [await baseline()];
  // One after another: each signs in its sessions through the dev provider.
  for (const [i, tree] of TREES.entries()) contenders.push(await issuer(tree, i));
  const figures = new Map(contenders.map((c) => [c.name, { rate: [] as number[], main: [] as number[], all: [] as number[], backend: [] as number[], trips: [] as number[] }]));
  const loads: number[] = [];
  // A warm-up run each (JIT, prepared statements on every pooled connection), not counted.
  for (const c of contenders) await runWrk(dir, c.target, CONNECTIONS, 1);
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 ? [...contenders].reverse() : contenders;
    for (const c of order) {
      const before = { cpu: cpuSeconds(c.pid), writes: writeCalls(c.pid), backends: c.application ? await backendCpuByPid(client, c.application) : new Map<number, number>() };
      const { rate, requests, non2xx } = await runWrk(dir, c.target, CONNECTIONS, SECONDS);
      const after = { cpu: cpuSeconds(c.pid), writes: writeCalls(c.pid), backends: c.application ? await backendCpuByPid(client, c.application) : new Map<number, number>() };
      if (non2xx > 0) process.stderr.write(`  warning: ${non2xx} answers of 400 or more from ${c.name}\n`);
      let backend = 0;
      for (const [pid, seconds] of after.backends) backend += seconds - (before.backends.get(pid) ?? 0);
      const f = figures.get(c.name)!;
      f.rate.push(rate);
      f.main.push(((after.cpu.main - before.cpu.main) / requests) * 1e6);
      f.all.push(((after.cpu.all - before.cpu.all) / requests) * 1e6);
      f.backend.push((backend / requests) * 1e6);
      f.trips.push((after.writes - before.writes) / requests - 1);
      loads.push(loadavg()[0]!);
    }
  }
  const base = figures.get(contenders[0]!.name)!;
  console.log(`bench/holder-304-cpu (PostgreSQL, ${SESSIONS} sessions in rotation among ${OTHER_SESSIONS} others): wrk ${CONNECTIONS} connections, ${SECONDS} s per run, ${ROUNDS} interleaved rounds, load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`);
  console.log('\n| contender | req/s | ratio to baseline | main-thread CPU µs/request | process CPU µs/request | PostgreSQL backend CPU µs/request | statements per 304 |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [i, [name, f]] of [...figures].entries()) {
    const db = i === 0 ? ['—', '—'] : [range(f.backend), range(f.trips, 3)];
    console.log(`| ${name} | ${range(f.rate)} | ${(spread(f.rate).median / spread(base.rate).median).toFixed(2)} | ${range(f.main)} | ${range(f.all)} | ${db.join(' | ')} |`);
  }
} finally {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((ok) => c.once('exit', ok)) : null)));
  rmSync(dir, { recursive: true, force: true });
  for (let n = 0; n < TREES.length; n++) await client.query(`DROP SCHEMA IF EXISTS "${schemaOf(n)}" CASCADE`);
  await client.end();
}
