// A holder's first fetch and their first refresh after it, in process (app.request, the Hono fast
// path that makes the node front's decision too), on fresh people: the issue-7 first-day surge,
// where every holder fetches once (which issues their passes) and refreshes later. Measured by
// what a loaded shared machine disturbs least: the statements each request sends (counted at the
// driver, the fewest of five), this process's CPU per request and, on PostgreSQL, the server
// backends' CPU per request, one request at a time.
//
// Each tree given on the command line (a checkout of this repository: main and a branch compare in
// one run) is imported by path in its own child process, one child per tree per round, the trees'
// order reversed every other round; the table gives median (min–max) over the rounds.
//   npx tsx bench/holder-first-refresh.ts [people per round, default 200] [rounds, default 5] [tree …, default .]
//   BENCH_STORES=SQLite (or PostgreSQL) to run one store only.
// Between the fetch and the refresh the server clock moves on an hour (past the per-process refresh
// cache's lifetime, as a real refresh hours later): the refresh is answered from the stored ETag,
// or, where none was stored, by the full path.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { countStatements } from '../test/support/statement-counter.ts';
import { formatSpread as range, spread } from './support/measure.ts';
import { backendCpuSeconds, dropSchema } from './support/postgres-bench.ts';

const PG_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const APPLICATION_NAME = `vaxpass-first-refresh-bench-${process.pid}`;

interface Phase {
  readonly statements: number;
  readonly cpuUs: number;
  readonly backendUs: number | null;
  /** Median wall-clock ms of one request (moves with the machine's load more than the CPU does). */
  readonly latencyMs: number;
  readonly statuses: Record<number, number>;
}
type ChildResult = Record<'fetch' | 'refresh' | 'again', Phase>;


const backendCpu = () => backendCpuSeconds(PG_URL, APPLICATION_NAME);

/** One tree, one store, one round: prints a ChildResult as JSON. */
async function child(tree: string, store: string, people: number): Promise<void> {
  const from = <T>(path: string) => import(pathToFileURL(join(tree, path)).href) as Promise<T>;
  const { openDatabase } = await from<typeof import('../src/db/open-database.ts')>('src/db/open-database.ts');
  const { openPostgres } = await from<typeof import('../src/db/postgres/open-postgres.ts')>('src/db/postgres/open-postgres.ts');
  const { registryWriter } = await from<typeof import('../src/db/queries/registry-import.ts')>('src/db/queries/registry-import.ts');
  const { insertHolderSession, sessionIdHash } = await from<typeof import('../src/db/queries/holder-sessions.ts')>('src/db/queries/holder-sessions.ts');
  const { validateRecord } = await from<typeof import('../src/registry/registry-record.ts')>('src/registry/registry-record.ts');
  const { civilDayAt, formatIsoDate } = await from<typeof import('../src/core/civil-time.ts')>('src/core/civil-time.ts');
  const { initKeyDirectory } = await from<typeof import('../src/keys/key-directory.ts')>('src/keys/key-directory.ts');
  const { manualClock, unixNow } = await from<typeof import('../src/server/clock.ts')>('src/server/clock.ts');
  const { testConfig } = await from<typeof import('../src/server/config.ts')>('src/server/config.ts');
  const { createApp } = await from<typeof import('../src/server/create-app.ts')>('src/server/create-app.ts');
  const { watchedKeyDirectory } = await from<typeof import('../src/server/issuer-keys.ts')>('src/server/issuer-keys.ts');
  const { silentLogger } = await from<typeof import('../src/server/logger.ts')>('src/server/logger.ts');

  const dir = mkdtempSync(join(tmpdir(), 'vaxpass-first-refresh-'));
  const schema = `bench_first_refresh_${process.pid}`;
  const url = new URL(PG_URL);
  url.searchParams.set('application_name', APPLICATION_NAME);
  const db = store === 'PostgreSQL' ? await openPostgres(url.toString(), { schema, poolSize: 4 }) : openDatabase(join(dir, 'bench.sqlite'));
  try {
    // Noon in Seoul: an hour later is the same civil day, so the answer does not change by itself.
    const clock = manualClock(new Date('2026-01-10T03:00:00Z'));
    const now = unixNow(clock);
    const keysDir = join(dir, 'keys');
    await initKeyDirectory(keysDir, { now: now - 86_400 });
    const day = (offset: number) => formatIsoDate(civilDayAt(now, 'Asia/Seoul') + offset);
    // Warm-up people (statement counts and JIT) first, then the measured ones.
    const ids = Array.from({ length: people + 20 }, (_, i) => `bench-${String(i).padStart(6, '0')}`);
    await db.transaction(async (tx) => {
      const writer = registryWriter(tx, now);
      for (const personId of ids) {
        for (const raw of [
          { kind: 'person', personId, name: `Bench Person ${personId.replace(/\d/g, (d) => 'abcdefghij'[Number(d)]!)}`, birthDate: '1985-03-14' },
          { kind: 'vaccination', personId, product: 'Pfizer-BioNTech Comirnaty', date: day(-240) },
          { kind: 'vaccination', personId, product: 'Pfizer-BioNTech Comirnaty', date: day(-212) },
          { kind: 'vaccination', personId, product: 'Moderna Spikevax', date: day(-20) },
        ]) {
          const valid = validateRecord(raw, { now, today: day(0) });
          if (!valid.ok) throw new Error(valid.reason);
          await writer.write(valid.record);
        }
      }
    });
    const cookies = new Map<string, string>();
    await db.transaction(async (tx) => {
      for (const personId of ids) {
        const cookie = randomBytes(32).toString('base64url');
        cookies.set(personId, cookie);
        await insertHolderSession(tx, { idHash: sessionIdHash(cookie), personId, csrfToken: 'csrf', pkceVerifier: null, state: null, nonce: null, createdAt: now, expiresAt: now + 30 * 86_400 });
      }
    });
    const app = createApp({ db, signer: watchedKeyDirectory(keysDir, 0), clock, config: testConfig({ holderQuotaPerMinute: 1_000_000 }), logger: silentLogger });
    const etags = new Map<string, string>();
    const statuses: Record<number, number> = {};
    const get = async (personId: string, withEtag: boolean) => {
      const res = await app.request('/api/v1/holder/passes', { headers: { Cookie: `vaxpass_session=${cookies.get(personId)}`, ...(withEtag ? { 'If-None-Match': etags.get(personId)! } : {}) } });
      await res.text();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status !== 200 && res.status !== 304) throw new Error(`holder fetch answered ${res.status}`);
      etags.set(personId, res.headers.get('etag')!);
    };
    const warm = ids.slice(people);
    const measured = ids.slice(0, people);
    const fewest = async (run: (personId: string) => Promise<void>, of: string[]) => {
      let least = Infinity;
      for (const personId of of) least = Math.min(least, (await countStatements(() => run(personId))).statements);
      return least;
    };
    const phase = async (withEtag: boolean): Promise<Phase> => {
      for (const k of Object.keys(statuses)) delete statuses[Number(k)];
      const b0 = store === 'PostgreSQL' ? await backendCpu() : 0;
      const c0 = process.cpuUsage();
      const times: number[] = [];
      for (const personId of measured) {
        const t0 = performance.now();
        await get(personId, withEtag);
        times.push(performance.now() - t0);
      }
      const used = process.cpuUsage(c0);
      const backendUs = store === 'PostgreSQL' ? (((await backendCpu()) - b0) * 1e6) / people : null;
      return { statements: 0, cpuUs: (used.user + used.system) / people, backendUs, latencyMs: spread(times).median, statuses: { ...statuses } };
    };
    // The first fetch of everyone, an hour, the first refresh, and (for scale) the one after it.
    // The statements are counted on five warm-up people, the others only warm the path up.
    const counted = warm.slice(0, 5);
    const fetchStatements = await fewest((p) => get(p, false), counted);
    for (const p of warm.slice(5)) await get(p, false);
    const fetch = { ...(await phase(false)), statements: fetchStatements };
    clock.advance(3600);
    const refreshStatements = await fewest((p) => get(p, true), counted);
    for (const p of warm.slice(5)) await get(p, true);
    const refresh = { ...(await phase(true)), statements: refreshStatements };
    clock.advance(3600);
    const againStatements = await fewest((p) => get(p, true), counted);
    const again = { ...(await phase(true)), statements: againStatements };
    process.stdout.write(`${JSON.stringify({ fetch, refresh, again } satisfies ChildResult)}\n`);
  } finally {
    await db.close();
    if (store === 'PostgreSQL') await dropSchema(PG_URL, schema);
    rmSync(dir, { recursive: true, force: true });
  }
}


async function parent(): Promise<void> {
  const people = Number(process.argv[2] ?? 200);
  const rounds = Number(process.argv[3] ?? 5);
  const trees = process.argv.slice(4).length > 0 ? process.argv.slice(4).map((t) => resolve(t)) : [resolve('.')];
  const stores = process.env.BENCH_STORES?.split(',') ?? ['SQLite', 'PostgreSQL'];
  const self = fileURLToPath(import.meta.url);
  const loads: string[] = [];
  console.log(`bench/holder-first-refresh: ${people} fresh people per round, one request at a time, ${rounds} rounds; median (min–max)`);
  console.log('| store | tree | request | statements | this process CPU µs/request | PostgreSQL backend CPU µs/request | latency ms | statuses (last round) |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const store of stores) {
    const results = new Map<string, ChildResult[]>(trees.map((t) => [t, []]));
    for (let r = 0; r < rounds; r++) {
      for (const tree of r % 2 === 0 ? trees : [...trees].reverse()) {
        const run = spawnSync(process.execPath, ['--import', 'tsx', self, 'child', tree, store, String(people)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
        if (run.status !== 0) throw new Error(`child for ${tree} (${store}) exited ${run.status}`);
        results.get(tree)!.push(JSON.parse(run.stdout.trim().split('\n').pop()!) as ChildResult);
      }
      loads.push(readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '));
    }
    for (const tree of trees) {
      const all = results.get(tree)!;
      for (const request of ['fetch', 'refresh', 'again'] as const) {
        const of = all.map((x) => x[request]);
        const backend = of.map((p) => p.backendUs).filter((x): x is number => x !== null);
        const label = { fetch: 'first fetch (200)', refresh: 'first refresh, If-None-Match', again: 'second refresh, If-None-Match' }[request];
        console.log(`| ${store} | ${tree} | ${label} | ${of.map((p) => p.statements).join(', ')} | ${range(of.map((p) => p.cpuUs))} | ${backend.length ? range(backend) : '—'} | ${range(of.map((p) => p.latencyMs), 2)} | ${JSON.stringify(of.at(-1)!.statuses)} |`);
      }
    }
  }
  console.log(`load average after each round: ${loads.join('; ')}`);
}

if (process.argv[2] === 'child') await child(process.argv[3]!, process.argv[4]!, Number(process.argv[5]));
else await parent();
