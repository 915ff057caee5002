// Issuer paths at scale, real processes on loopback, wrk with 16 connections:
//   - partner issuance (POST /api/v1/partner/passes, durable)            vs a Hono POST that parses JSON and signs (no storage)
//   - holder refresh answered 304 (If-None-Match)                         vs a Hono small-JSON GET
//   - holder 304 for a person with 12,000 partner-issued passes           vs the same GET
// on SQLite with 1 issuer process (a second process on the same file is refused: one writer per
// file) and on PostgreSQL with 1 and 2 (2: two wrk of 8 connections, one per process) (skipped with a message when it does not answer), min / median / max over
// interleaved rounds, and the ratio the issue sets as the goal.
//   npx tsx bench/scale.ts [seconds per run, default 3] [rounds, default 3]
// BENCH_PROFILE=<dir> runs the issuer processes with --cpu-prof into that directory.
// Beside each rate: the CPU per request of the server processes (all threads; the baselines' too)
// and, on PostgreSQL, of the issuers' PostgreSQL backends (found by their application_name in
// pg_stat_activity, read from /proc): figures that a loaded, shared machine disturbs far less.
// For a focused run: BENCH_STORES=SQLite (or PostgreSQL), BENCH_PROCESSES=1, BENCH_MANY=0 (skips
// the 12 k-pass person), BENCH_PATHS=holder,issuance,bundle (substrings of the row names).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { cpuSecondsOf, runWrk, type WrkTarget } from './support/wrk.ts';
import { initKeyDirectory } from '../src/keys/key-directory.ts';
import { signInThroughProvider } from '../test/support/sign-in-through-provider.ts';
import { waitForLine } from './support/wait-for-line.ts';
import { spread } from './support/measure.ts';

const SECONDS = Number(process.argv[2] ?? 3);
const ROUNDS = Number(process.argv[3] ?? 3);
const CONNECTIONS = 16;
const PG_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const ADMIN = 'scale-bench-admin-token-0123456789abcdef';
const MANY = Number(process.env.BENCH_MANY ?? 12_000);
const STORES = process.env.BENCH_STORES?.split(',') ?? null;
const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 2);
const PATHS = process.env.BENCH_PATHS?.split(',') ?? null;
/** Sessions the uncached holder row rotates through: concurrent refreshes come from different holders. */
const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 16);
const dir = mkdtempSync(join(tmpdir(), 'vaxpass-scale-'));
const children: ChildProcess[] = [];
/** The process serving each origin (issuers and baselines), for CPU per request. */
const serverPids = new Map<string, number>();
const APPLICATION_NAME = `vaxpass-scale-${process.pid}`;

async function baseline(mode: 'post' | 'get'): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/support/scale-baseline.ts', mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const url = JSON.parse((await waitForLine(child, 'stdout', /^\{.*\}$/)).input).url as string;
  serverPids.set(new URL(url).origin, child.pid!);
  return url;
}

async function issuer(env: Record<string, string>): Promise<string> {
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = spawn(process.execPath, [...profile, '--expose-gc', '--import', 'tsx', 'src/server/main.ts'], {
    env: { ...process.env, PORT: '0', VAXPASS_KEYS: join(dir, 'keys'), VAXPASS_APPS_DIR: join(dir, 'apps'), VAXPASS_DEV_IDP: 'on', VAXPASS_SEED_DEMO: 'on', VAXPASS_ADMIN_TOKEN: ADMIN, VAXPASS_HOLDER_QUOTA_PER_MINUTE: '1000000', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  const url = (await waitForLine(child, 'stderr', /listening on (http:\/\/\S+)/))[1]!;
  serverPids.set(new URL(url).origin, child.pid!);
  return url;
}

/** A wrk target; `postgres`: its issuers run on PostgreSQL (their backends' CPU is measured too). */
type Target = WrkTarget & { readonly postgres?: boolean };

let runCounter = 0;

/** The PostgreSQL backends serving the issuers of this run (none when PostgreSQL is not used). */
async function backendPids(): Promise<number[]> {
  if (!(await reachable(PG_URL))) return [];
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return (await client.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [APPLICATION_NAME])).rows.map((r) => r.pid);
  } finally {
    await client.end();
  }
}

/** CPU used between two readings; a pid first seen in the second counts whole. */
function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

interface Measured {
  readonly rate: number;
  /** Server process CPU per request, µs. */
  readonly serverCpu: number;
  /** PostgreSQL backend CPU per request, µs (0 off PostgreSQL). */
  readonly backendCpu: number;
}

/** Requests/s summed over the targets, each driven by its own wrk with an equal share of the connections; CPU per request beside it. */
async function measure(targets: readonly Target[]): Promise<Measured> {
  const round = ++runCounter;
  const servers = [...new Set(targets.map((t) => serverPids.get(new URL(t.url).origin)!))];
  const onPostgres = targets.some((t) => t.postgres);
  const serverBefore = cpuSecondsOf(servers);
  const backendsBefore = onPostgres ? cpuSecondsOf(await backendPids()) : new Map<number, number>();
  const results = await Promise.all(
    targets.map(async (t, i) => {
      // The same wrk invocation as bench/publication.ts (bench/support/wrk.ts).
      const { rate, requests, non2xx: bad } = await runWrk(dir, { ...t, ...(t.keyPrefix ? { keyPrefix: `${t.keyPrefix}-${round}-${i}-` } : {}) }, CONNECTIONS / targets.length, SECONDS);
      // wrk counts a 304 as non-2xx; every other path must answer 2xx.
      if (bad > 0 && !t.headers['If-None-Match']) process.stderr.write(`  warning: ${bad} non-2xx answers from ${t.url}\n`);
      return { rate, requests };
    }),
  );
  const serverCpu = cpuBetween(serverBefore, cpuSecondsOf(servers));
  const backendCpu = onPostgres ? cpuBetween(backendsBefore, cpuSecondsOf([...new Set([...backendsBefore.keys(), ...(await backendPids())])])) : 0;
  const requests = Math.max(1, results.reduce((a, r) => a + r.requests, 0));
  return { rate: results.reduce((a, r) => a + r.rate, 0), serverCpu: (serverCpu / requests) * 1e6, backendCpu: (backendCpu / requests) * 1e6 };
}

async function jsonPost(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<Record<string, unknown>>;
}

interface Deployment {
  readonly name: string;
  readonly urls: string[];
  readonly apiKey: string;
}

/** Starts `processes` issuers on one store, a partner, and the 12k-pass person (demo-0003). */
async function deploy(name: string, processes: number, env: Record<string, string>, shared?: Deployment): Promise<Deployment> {
  const urls: string[] = [];
  // One after another: the first migrates and seeds.
  for (let i = 0; i < processes; i++) urls.push(await issuer(env));
  if (shared) return { name, urls, apiKey: shared.apiKey };
  const apiKey = (await jsonPost(`${urls[0]}/api/v1/admin/partners`, { id: 'bench', name: 'Bench', quotaPerMinute: 1_000_000, registryTrusted: true }, { Authorization: `Bearer ${ADMIN}` })).apiKey as string;
  // The person with many partner-issued passes: their holder pass first, then 12 k partner passes
  // issued through the API, 64 at a time, all newer than it (the worst case for the reuse lookup).
  await holderTarget(urls[0]!, 'demo-0003');
  for (let done = 0; done < MANY; done += 64) {
    await Promise.all(
      Array.from({ length: Math.min(64, MANY - done) }, (_, i) =>
        fetch(`${urls[0]}/api/v1/partner/passes`, { method: 'POST', headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': `many-${name}-${done + i}` }, body: '{"personId":"demo-0003"}' }).then((r) => r.arrayBuffer()),
      ),
    );
  }
  return { name, urls, apiKey };
}

async function holderTarget(url: string, personId: string): Promise<Target> {
  // Signed in as the holder app is: code + PKCE through the dev provider, then the session cookie.
  const cookie = await signInThroughProvider(url, personId);
  const first = await fetch(`${url}/api/v1/holder/passes`, { headers: { Cookie: cookie } });
  await first.arrayBuffer();
  return { url: `${url}/api/v1/holder/passes`, method: 'GET', headers: { Cookie: cookie, 'If-None-Match': first.headers.get('etag')! } };
}

/** The uncached holder refresh for `count` sessions of demo-0001, one after another per request. */
async function manySessions(url: string, count: number): Promise<Target> {
  const sessions: Target[] = [];
  for (let i = 0; i < count; i++) sessions.push(weak(await holderTarget(url, 'demo-0001')));
  return { ...sessions[0]!, rotate: sessions.map((s) => s.headers) };
}

function weak(target: Target): Target {
  return { ...target, headers: { ...target.headers, 'If-None-Match': `W/${target.headers['If-None-Match']}` } };
}

async function bundleTarget(url: string): Promise<Target> {
  const res = await fetch(`${url}/api/v1/trust-bundle`);
  await res.arrayBuffer();
  return { url: `${url}/api/v1/trust-bundle`, method: 'GET', headers: { 'If-None-Match': res.headers.get('etag')! } };
}

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((ok) => {
    const s = new Socket();
    const done = (up: boolean) => (s.destroy(), ok(up));
    s.setTimeout(1000, () => done(false));
    s.once('error', () => done(false));
    s.connect(Number(port || 5432), hostname, () => done(true));
  });
}

/** The URL with this run's application_name, by which its backends are found in pg_stat_activity. */
function withApplicationName(url: string): string {
  const u = new URL(url);
  u.searchParams.set('application_name', APPLICATION_NAME);
  return u.toString();
}

const fmt = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} k` : n.toFixed(0));

const schema = `bench_scale_${process.pid}`;
try {
  await initKeyDirectory(join(dir, 'keys'), { now: Math.floor(Date.now() / 1000) - 86_400 });
  const postUrl = `${await baseline('post')}/sign`;
  const getUrl = `${await baseline('get')}/small`;
  const contenders = new Map<string, Target[]>();
  contenders.set('baseline: Hono POST, parse + sign', [{ url: postUrl, method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"personId":"demo-0002"}' }]);
  contenders.set('baseline: Hono small-JSON GET', [{ url: getUrl, method: 'GET', headers: {} }]);

  const stores: { name: string; env: Record<string, string>; maxProcesses: number }[] = [{ name: 'SQLite', env: { VAXPASS_DB: join(dir, 'scale.sqlite') }, maxProcesses: 1 }];
  if (await reachable(PG_URL)) stores.push({ name: 'PostgreSQL', env: { DATABASE_URL: withApplicationName(PG_URL), VAXPASS_PG_SCHEMA: schema, VAXPASS_PG_POOL_SIZE: '8' }, maxProcesses: 2 });
  else console.log(`PostgreSQL not reachable at ${new URL(PG_URL).host}: PostgreSQL rows skipped.`);

  for (const store of stores.filter((s) => !STORES || STORES.includes(s.name))) {
    const one = await deploy(`${store.name}`, 1, store.env);
    const processes = Math.min(PROCESSES, store.maxProcesses);
    const two = processes >= 2 ? { ...one, urls: [...one.urls, ...(await deploy(store.name, 1, store.env, one)).urls] } : one;
    for (const d of processes >= 2 ? [one, two] : [one]) {
      const label = `${store.name}, ${d.urls.length} process${d.urls.length > 1 ? 'es' : ''}`;
      contenders.set(`${label}: partner issuance`, d.urls.map((url) => ({ url: `${url}/api/v1/partner/passes`, method: 'POST', headers: { Authorization: `Bearer ${d.apiKey}`, 'Content-Type': 'application/json' }, body: '{"personId":"demo-0002"}', keyPrefix: `k-${label.replace(/[^A-Za-z0-9]+/g, "-")}`, postgres: store.name === 'PostgreSQL' })));
      // Every PostgreSQL row marks its targets, so its backends' CPU is measured too (it was for issuance only).
      const onStore = (t: Target): Target => ({ ...t, postgres: store.name === 'PostgreSQL' });
      contenders.set(`${label}: holder 304`, await Promise.all(d.urls.map(async (url) => onStore(await holderTarget(url, 'demo-0001')))));
      // The same refresh with the weak form of its ETag: If-None-Match still matches (weak comparison),
      // but the refresh cache only ever confirms the exact ETag it gave, so every request takes the
      // full path: what a refresh costs when it is the session's first in the cache lifetime.
      // Each wrk request takes the next of SESSIONS signed-in sessions, as concurrent refreshes come
      // from different holders (a lookup shared by identical sessions would flatter the store).
      contenders.set(`${label}: holder 304, uncached`, await Promise.all(d.urls.map(async (url) => onStore(await manySessions(url, SESSIONS)))));
      if (MANY > 0) contenders.set(`${label}: holder 304, ${MANY / 1000} k-pass person`, await Promise.all(d.urls.map(async (url) => onStore(await holderTarget(url, 'demo-0003')))));
      contenders.set(`${label}: bundle 304`, await Promise.all(d.urls.map(async (url) => onStore(await bundleTarget(url)))));
    }
  }

  for (const name of [...contenders.keys()]) if (PATHS && !name.startsWith('baseline') && !PATHS.some((p) => name.includes(p))) contenders.delete(name);
  const rates = new Map<string, number[]>([...contenders.keys()].map((k) => [k, []]));
  const serverCpu = new Map<string, number[]>([...contenders.keys()].map((k) => [k, []]));
  const backendCpu = new Map<string, number[]>([...contenders.keys()].map((k) => [k, []]));
  console.log(`bench/scale: wrk ${CONNECTIONS} connections, ${SECONDS} s per run, ${ROUNDS} interleaved rounds (the machine is shared: compare ratios)`);
  for (let r = 0; r < ROUNDS; r++) {
    const order = [...contenders.entries()];
    if (r % 2) order.reverse();
    for (const [name, targets] of order) {
      const m = await measure(targets);
      rates.get(name)!.push(m.rate);
      serverCpu.get(name)!.push(m.serverCpu);
      backendCpu.get(name)!.push(m.backendCpu);
    }
  }
  const post = spread(rates.get('baseline: Hono POST, parse + sign')!).median;
  const get = spread(rates.get('baseline: Hono small-JSON GET')!).median;
  const postCpu = spread(serverCpu.get('baseline: Hono POST, parse + sign')!).median;
  const getCpu = spread(serverCpu.get('baseline: Hono small-JSON GET')!).median;
  console.log('\n| path | req/s median (min–max) | ratio to baseline | goal | server CPU µs/req median (min–max) | baseline CPU / this server CPU | PostgreSQL backend CPU µs/req median (min–max) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [name, xs] of rates) {
    const s = spread(xs);
    const base = name.includes('issuance') ? post : name.includes('holder') || name.includes('bundle') ? get : null;
    const goal = name.includes('issuance') ? '≥ 0.6' : name.includes('k-pass') ? 'same as any person' : name.includes('holder') ? '≥ 0.5' : name.includes('bundle') ? '≥ 0.8' : '';
    const cpu = (m: number[]) => {
      const c = spread(m);
      return c.max === 0 ? '—' : `${c.median.toFixed(0)} (${c.min.toFixed(0)}–${c.max.toFixed(0)})`;
    };
    const baseCpu = name.includes('issuance') ? postCpu : base ? getCpu : null;
    const ownCpu = spread(serverCpu.get(name)!).median;
    console.log(`| ${name} | ${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)}) | ${base ? (s.median / base).toFixed(2) : '—'} | ${goal} | ${cpu(serverCpu.get(name)!)} | ${baseCpu && ownCpu ? (baseCpu / ownCpu).toFixed(2) : '—'} | ${cpu(backendCpu.get(name)!)} |`);
  }
  console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(', ')}`);
} finally {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((ok) => c.once('exit', ok)) : null)));
  if (await reachable(PG_URL)) {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
  rmSync(dir, { recursive: true, force: true });
}
