// bench/overload: the issuer under an open-model load on loopback (docs/operations.md "Overload").
//   1. Capacity C: the highest arrival rate (steps of 4 s) with p99 under the SLO and no errors.
//   2. 0.5 × C for 5 s, 10 × C for 30 s, 0.5 × C for 20 s, with a mix of holder fetches and partner
//      issuance (forwarded as a proxy would, or through the shipped PartnerClient), RSS every second, and /livez probed every 100 ms
//      (main port and liveness listener) from a probe process of its own (probe.ts).
//   3. No load for OVERLOAD_QUIET_SECONDS (40): does memory come back once the issuer is idle? The
//      issuer's own memory breakdown (heap by space, external, cache sizes; memory.ts) is read from
//      its /metrics every second throughout (OVERLOAD_MEMORY_TRACE=<file> keeps every reading;
//      OVERLOAD_SERVER_FLAGS passes node flags to the issuer only, e.g. --optimize-for-size).
// The server and the generator are separate processes, pinned to different cores (server on CPU 0,
// generator on CPU 1, with taskset) so the load does not take its CPU from the server it measures;
// OVERLOAD_PIN=off: no pinning (both share the machine). Run: npx tsx bench/overload/run.ts
// (OVERLOAD_SPIKE_SECONDS, OVERLOAD_SLO_MS, OVERLOAD_HOLDER_SHARE to change the defaults;
// OVERLOAD_HOLDER_ETAGS=off: holders never send If-None-Match, so every fetch takes the full path;
// OVERLOAD_GENERATOR=client: partners' own clients instead of the pipelined connections of a
// proxy, OVERLOAD_CONNECTIONS: how many of those — generator.ts).
// Besides the goals it reports, for the spike, the issuer's CPU per answered request and how its
// main thread and the generator's spent the time (running, waiting for a CPU, idle): on a shared
// machine this tells a slow issuer from a starved one or from a generator that could not offer the load.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GeneratorOutput, GeneratorSecond, Sample } from './generator.ts';
import { DEFAULT_SEARCH, searchCapacity, type StepResult } from './capacity-search.ts';
import { describeMemory, peakMemory, scrapeMemory, type MemorySample } from './memory.ts';
import { DEMO_PEOPLE } from '../../src/demo/seed-demo-registry.ts';
import { signInThroughProvider } from '../../test/support/sign-in-through-provider.ts';

const SLO_MS = Number(process.env.OVERLOAD_SLO_MS ?? 100);
const SPIKE_SECONDS = Number(process.env.OVERLOAD_SPIKE_SECONDS ?? 30);
const HOLDER_SHARE = Number(process.env.OVERLOAD_HOLDER_SHARE ?? 0.5);
const TIMEOUT_MS = 2000;
// After the 0.5 × C tail, this long with no load at all: whether memory comes back once the issuer is idle.
const QUIET_SECONDS = Number(process.env.OVERLOAD_QUIET_SECONDS ?? 40);
const HOLDER_ETAGS = process.env.OVERLOAD_HOLDER_ETAGS !== 'off';
const ADMIN = 'overload-bench-admin-token-0123456789abcdef';

const GENERATOR = process.env.OVERLOAD_GENERATOR ?? 'pipelined';
const PIN = process.env.OVERLOAD_PIN !== 'off';
/** The command line for a process pinned to one CPU (taskset), or unpinned with OVERLOAD_PIN=off. */
const pinned = (cpu: number, args: string[]): [string, string[]] => (PIN ? ['taskset', ['-c', String(cpu), process.execPath, ...args]] : [process.execPath, args]);

const dir = mkdtempSync(join(tmpdir(), 'vaxpass-overload-'));
// OVERLOAD_PROFILE=<dir>: the server runs with --cpu-prof into that directory.
const profile = process.env.OVERLOAD_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.OVERLOAD_PROFILE}`] : [];
// OVERLOAD_GENERATOR_PROFILE=<dir>: each generator process runs with --cpu-prof into that directory.
const generatorProfile = process.env.OVERLOAD_GENERATOR_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.OVERLOAD_GENERATOR_PROFILE}`] : [];
// OVERLOAD_SERVER_FLAGS="--max-semi-space-size=4 …": node flags for the issuer only (memory experiments).
const serverFlags = (process.env.OVERLOAD_SERVER_FLAGS ?? '').split(' ').filter(Boolean);
const server = spawn(...pinned(0, [...profile, ...serverFlags, '--expose-gc', '--import', 'tsx', 'src/server/main.ts', '--dev']), {
  env: { ...process.env, PORT: '0', VAXPASS_DB: join(dir, 'db.sqlite'), VAXPASS_KEYS: join(dir, 'keys'), VAXPASS_APPS_DIR: join(dir, 'none'), VAXPASS_ADMIN_TOKEN: ADMIN, VAXPASS_HOLDER_QUOTA_PER_MINUTE: '1000000', LOG_LEVEL: 'info', VAXPASS_DRAIN_DELAY_MS: '0', VAXPASS_MAX_EVENT_LOOP_LAG_MS: process.env.VAXPASS_MAX_EVENT_LOOP_LAG_MS ?? '30', VAXPASS_LIVENESS_PORT: '0', VAXPASS_METRICS_PORT: '0' },
  stdio: ['ignore', 'ignore', 'pipe'],
});
let crashed = false;
server.once('exit', (code, signal) => void (crashed = code !== 0 || signal !== null));
// The liveness listener's line follows the banner; an issuer without one (before it existed) has none.
const [url, livenessUrl, metricsUrl] = await new Promise<[string, string | null, string | null]>((ok, fail) => {
  let err = '';
  let found = false;
  server.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    const m = /listening on (http:\/\/\S+)/.exec(err);
    // The liveness line is printed right after the banner.
    if (m && !found) {
      found = true;
      setTimeout(() => ok([m[1]!, /Liveness\s+(http:\/\/\S+)/.exec(err)?.[1] ?? null, /Metrics\s+(http:\/\/\S+)\/metrics/.exec(err)?.[1] ?? null]), 300);
    }
  });
  server.once('exit', () => fail(new Error(err)));
});
// CPU seconds (user + system) of the issuer process and of its main thread, from /proc: under a load
// the other tenants make noisy, CPU per answered request is the figure that moves with the code.
const cpuSeconds = (stat: string) => {
  const text = readFileSync(stat, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
// A thread's time on a CPU and waiting for one (ns, /proc/<pid>/schedstat): a main thread neither
// running nor waiting was idle in epoll — no work had reached it.
const schedstat = (pid: number | undefined) => {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ').map(Number);
    return { run: run! / 1e9, wait: wait! / 1e9 };
  } catch {
    return { run: NaN, wait: NaN };
  }
};
let generatorPid: number | undefined;
const issuerCpu = () => ({ process: cpuSeconds(`/proc/${server.pid}/stat`), main: cpuSeconds(`/proc/${server.pid}/task/${server.pid}/stat`), issuer: schedstat(server.pid), generator: schedstat(generatorPid), at: performance.now() });
const rssMiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))![1]) / 1024;

// The issuer's main-thread CPU from here to the end, against the requests it says it answered
// (/metrics): unlike the per-answered figure of the spike, not inflated when clients time out.
const mainCpuAtStart = cpuSeconds(`/proc/${server.pid}/task/${server.pid}/stat`);
const admin = await (await fetch(`${url}/api/v1/admin/partners`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ id: 'bench-partner', name: 'Bench partner', quotaPerMinute: 1_000_000, registryTrusted: true }) })).json() as { apiKey: string };
const people = DEMO_PEOPLE;
// Holders are people partners do not issue for: every partner pass adds a row the holder refresh
// reads (a known cost, issue 7), which would turn this into a benchmark of that query.
// Each holder signs in as the holder app does (code + PKCE through the dev provider) and refreshes with its session cookie.
const holderCookies: string[] = [];
for (const p of people.slice(-2)) holderCookies.push(await signInThroughProvider(url, p.personId));
// Partners ask for vaccination passes: only people whose registry record has one.
const personIds: string[] = [];
// On a loaded machine the issuer may shed these probes (event-loop lag): retry a 503 (same key), or
// the partner traffic would be all 422s for an empty list.
for (const p of people.slice(0, -2)) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const res = await fetch(`${url}/api/v1/partner/passes`, { method: 'POST', headers: { Authorization: `Bearer ${admin.apiKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': `probe-${p.personId}` }, body: JSON.stringify({ personId: p.personId }) });
    if (res.status === 201) personIds.push(p.personId);
    if (res.status !== 503) break;
    await new Promise((ok) => setTimeout(ok, 200));
  }
}
if (personIds.length === 0) throw new Error('no demo person could be issued a pass: the issuer refused every probe');

let generatorSeconds: GeneratorSecond[] = [];
function generate(phases: { name: string; rate: number; seconds: number }[], onSecond?: () => void): Promise<Sample[]> {
  const plan = { url, apiKey: admin.apiKey, holderCookies, personIds, holderShare: HOLDER_SHARE, holderEtags: HOLDER_ETAGS, phases, timeoutMs: TIMEOUT_MS };
  const child: ChildProcess = spawn(...pinned(1, [...generatorProfile, '--import', 'tsx', 'bench/overload/generator.ts']), { env: { ...process.env, OVERLOAD_PLAN: JSON.stringify(plan) }, stdio: ['ignore', 'pipe', 'inherit'] });
  generatorPid = child.pid;
  // The liveness probes, in their own process beside the generator (probe.ts), for the spike run.
  const seconds = phases.reduce((sum, p) => sum + p.seconds, 0);
  const prober: ChildProcess | null = onSecond ? spawn(...pinned(1, ['--import', 'tsx', 'bench/overload/probe.ts']), { env: { ...process.env, OVERLOAD_PROBE_PLAN: JSON.stringify({ url, livenessUrl, seconds }) }, stdio: ['ignore', 'pipe', 'inherit'] }) : null;
  const ticker = onSecond ? setInterval(onSecond, 1000) : null;
  const collect = (p: ChildProcess | null) =>
    new Promise<string>((ok) => {
      if (!p) return ok('');
      let out = '';
      p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      p.once('exit', () => ok(out));
    });
  return Promise.all([collect(child), collect(prober)]).then(([out, probes]) => {
    if (ticker) clearInterval(ticker);
    const output = JSON.parse(out) as GeneratorOutput;
    generatorSeconds = output.generator;
    return probes ? [...output.samples, ...(JSON.parse(probes) as Sample[])] : output.samples;
  });
}

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const isProbe = (s: Sample) => s.kind === 'livez' || s.kind === 'liveness';
const success = (s: Sample) => s.status === 200 || s.status === 201 || s.status === 304;
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');

// 1. Capacity, after a warm-up that is not measured (JIT, first passes signed, SQLite caches).
await generate([{ name: 'warm-up', rate: 20, seconds: 3 }]);
let unloadedP99 = NaN;
// OVERLOAD_CAPACITY=N: take C as given (a step at 25 req/s for the unloaded p99, one at N) instead of
// searching, so interleaved before/after runs on a noisy machine offer the same load.
const GIVEN_CAPACITY = process.env.OVERLOAD_CAPACITY ? Number(process.env.OVERLOAD_CAPACITY) : null;
const MAX_REFUSAL_SHARE = Number(process.env.OVERLOAD_MAX_REFUSAL_SHARE ?? DEFAULT_SEARCH.maxRefusalShare);
/** One 4 s step at `rate`, its first second not counted (connections opening). */
async function step(rate: number): Promise<StepResult> {
  const samples = (await generate([{ name: 'step', rate, seconds: 4 }])).filter((s) => !isProbe(s) && s.second >= 1);
  const answered = samples.filter((s) => s.status !== 0);
  const refused = samples.filter((s) => s.status === 503 || s.status === 429);
  const p99Ms = pct(answered.map((s) => s.ms), 99);
  if (Number.isNaN(unloadedP99)) unloadedP99 = p99Ms;
  return { requests: samples.length, p99Ms, refusals: refused.length, failures: samples.length - samples.filter(success).length - refused.length };
}
const report = (line: string) => void process.stderr.write(`${line}\n`);
// With C given, the unloaded p99 is still that of the lowest step (25 req/s), as in a search: the
// p99 of a step at C (50–80 ms) made the goal "admitted p99 ≤ 2 × unloaded" a different goal.
if (GIVEN_CAPACITY) report(`unloaded step 25/s: p99 ${f1((await step(25)).p99Ms)} ms`);
const search = GIVEN_CAPACITY
  ? { capacity: GIVEN_CAPACITY, steps: [{ ...(await step(GIVEN_CAPACITY)), rate: GIVEN_CAPACITY, pass: true, why: 'given' }] }
  : await searchCapacity(step, { sloMs: SLO_MS, maxRefusalShare: MAX_REFUSAL_SHARE, resolution: DEFAULT_SEARCH.resolution, ladder: [25, 50, 100, 150, 200, 300, 400, 500, 650, 800, 1000, 1300, 1600, 2000, 2500, 3200], report });
if (GIVEN_CAPACITY) report(`capacity given: ${GIVEN_CAPACITY}/s, p99 ${f1(search.steps[0]!.p99Ms)} ms, ${search.steps[0]!.refusals} refused, ${search.steps[0]!.failures} failed of ${search.steps[0]!.requests}`);
const capacity = search.capacity;

if (capacity === 0) {
  process.stdout.write(`no arrival rate met the SLO (p99 ≤ ${SLO_MS} ms, ≤ ${100 * MAX_REFUSAL_SHARE} % refused, nothing else failed): the machine is too loaded to measure; nothing to spike\n`);
  server.kill('SIGTERM');
  await new Promise((ok) => server.once('exit', ok));
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
}

// 2. Spike.
const rss: number[] = [];
// The issuer's CPU at each generator second (the ticker), to take the spike's share out of it.
const cpuTicks: ReturnType<typeof issuerCpu>[] = [];
const phases = [
  { name: 'before', rate: capacity / 2, seconds: 5 },
  { name: 'spike', rate: capacity * 10, seconds: SPIKE_SECONDS },
  { name: 'after', rate: capacity / 2, seconds: 20 },
];
// The issuer's own memory breakdown (its /metrics), once a second; an issuer without a metrics
// listener (before it printed one) has none, and the rows say so.
const scrape = (at: number): Promise<MemorySample | null> => (metricsUrl ? scrapeMemory(metricsUrl, at) : Promise.resolve(null));
const memoryScrapes: Promise<MemorySample | null>[] = [];
// Right after the capacity step the issuer may still be working off its backlog: a few tries.
let memBefore: MemorySample | null = null;
for (let attempt = 0; attempt < 5 && !memBefore; attempt++) memBefore = await scrape(0);
const rssBefore = rssMiB();
const cpuAtStart = issuerCpu();
const samples = await generate(phases, () => (rss.push(rssMiB()), cpuTicks.push(issuerCpu()), memoryScrapes.push(scrape(rss.length))));
const spikeStart = 5;
const spikeEnd = 5 + SPIKE_SECONDS;
const inSpike = samples.filter((s) => s.second >= spikeStart && s.second < spikeEnd);
const work = inSpike.filter((s) => !isProbe(s));
const admitted = work.filter(success);
const rejected = work.filter((s) => s.status === 503 || s.status === 429);
const unplanned = samples.filter((s) => !isProbe(s) && s.status >= 500 && s.status !== 503).length;
const timeouts = work.filter((s) => s.status === 0).length;
const holders = work.filter((s) => s.kind === 'holder');
const goodput = admitted.length / SPIKE_SECONDS;
let backAfter = NaN;
for (let sec = spikeEnd; sec < spikeEnd + 20; sec++) {
  const at = samples.filter((s) => !isProbe(s) && s.second === sec);
  if (at.length > 0 && at.every(success) && pct(at.map((s) => s.ms), 99) <= 2 * unloadedP99) {
    backAfter = sec - spikeEnd;
    break;
  }
}
const livezAll = samples.filter((s) => s.kind === 'livez');
const livenessAll = samples.filter((s) => s.kind === 'liveness');
const rssEnd = rssMiB();
const memEnd = await scrape(rss.length);
// The quiet tail: no load, RSS and the breakdown once a second.
const quietRss: number[] = [];
const quietScrapes: Promise<MemorySample | null>[] = [];
for (let s = 0; s < QUIET_SECONDS; s++) {
  await new Promise((ok) => setTimeout(ok, 1000));
  quietRss.push(rssMiB());
  quietScrapes.push(scrape(rss.length + s + 1));
}
const memSpike = (await Promise.all(memoryScrapes)).filter((m): m is MemorySample => m !== null);
const memQuiet = (await Promise.all(quietScrapes)).filter((m): m is MemorySample => m !== null);
const memPeak = peakMemory([...(memBefore ? [memBefore] : []), ...memSpike, ...(memEnd ? [memEnd] : [])]);
// RSS n seconds after the spike ended: from the 0.5 × C tail's ticks, then from the quiet tail's.
const tailRss = [...rss.slice(spikeEnd), ...quietRss];
const rssAfterSpike = (n: number) => tailRss[n - 1] ?? NaN;
const quietEnd = memQuiet.at(-1);
// OVERLOAD_MEMORY_TRACE=<file>: every breakdown taken, one JSON line each, for a plot or a closer look.
if (process.env.OVERLOAD_MEMORY_TRACE) writeFileSync(process.env.OVERLOAD_MEMORY_TRACE, [memBefore, ...memSpike, memEnd, ...memQuiet].filter(Boolean).map((m) => JSON.stringify(m)).join('\n') + '\n');
// Ticks are taken about a second apart from the generator's start: the spike is ticks 5..5+SPIKE_SECONDS.
const cpuFrom = cpuTicks[spikeStart - 1] ?? cpuAtStart;
const cpuTo = cpuTicks[spikeEnd - 1] ?? cpuTicks.at(-1)!;
const answered = work.filter((s) => s.status !== 0).length;
const spikeCpu = { process: cpuTo.process - cpuFrom.process, main: cpuTo.main - cpuFrom.main, wall: (cpuTo.at - cpuFrom.at) / 1000 };
const share = (x: number) => `${f1((100 * x) / spikeCpu.wall)} %`;
const schedShares = (k: 'issuer' | 'generator') => `${share(cpuTo[k].run - cpuFrom[k].run)} running, ${share(cpuTo[k].wait - cpuFrom[k].wait)} waiting for a CPU`;
// Where the latency accumulates on the client side: the generator's own loop (late arrivals) and
// the wait for a socket (a pool limit would queue requests inside the generator).
const generatorInSpike = generatorSeconds.filter((g) => g.second >= spikeStart && g.second < spikeEnd);
const socketWaits = holders.map((s) => s.socketMs ?? NaN).filter((ms) => Number.isFinite(ms));

const rows: [string, string, string][] = [
  ['SLO for capacity', `p99 ≤ ${SLO_MS} ms, ≤ ${100 * MAX_REFUSAL_SHARE} % refused (503/429), no timeout or other error`, 'a failing step is measured once more; bisection to 5 % (capacity-search.ts)'],
  ['capacity C (mix)', `${capacity} req/s`, `${GIVEN_CAPACITY ? 'given (OVERLOAD_CAPACITY), ' : `${search.steps.length} steps, `}holder share ${HOLDER_SHARE}`],
  ['unloaded p99', `${f1(unloadedP99)} ms`, ''],
  ['offered in spike', `${capacity * 10} req/s for ${SPIKE_SECONDS} s`, ''],
  ['goodput in spike', `${f1(goodput)} req/s = ${f1((100 * goodput) / capacity)} % of C`, 'goal ≥ 90 %'],
  ['admitted p50 / p99', `${f1(pct(admitted.map((s) => s.ms), 50))} / ${f1(pct(admitted.map((s) => s.ms), 99))} ms`, `goal p99 ≤ ${f1(2 * unloadedP99)} ms`],
  ['rejections (503/429) p50 / p99', `${f1(pct(rejected.map((s) => s.ms), 50))} / ${f1(pct(rejected.map((s) => s.ms), 99))} ms (${rejected.length})`, ''],
  ['unplanned 5xx / timeouts', `${unplanned} / ${timeouts}`, 'goal 0'],
  ['holder fetches successful in spike', `${f1((100 * holders.filter(success).length) / Math.max(1, holders.length))} % of ${holders.length}`, 'goal ≥ 99 %'],
  ['/livez p99 (whole run) / max', `${f1(pct(livezAll.map((s) => s.ms), 99))} / ${f1(Math.max(...livezAll.map((s) => s.ms)))} ms, ${livezAll.filter((s) => s.status !== 200).length} failed`, 'goal p99 < 50 ms'],
  ['liveness listener /livez p99 (whole run) / max', livenessUrl ? `${f1(pct(livenessAll.map((s) => s.ms), 99))} / ${f1(Math.max(...livenessAll.map((s) => s.ms)))} ms, ${livenessAll.filter((s) => s.status !== 200).length} failed` : 'none', 'goal p99 < 50 ms'],
  ['back to baseline after spike', `${Number.isNaN(backAfter) ? '> 20' : backAfter} s`, 'goal ≤ 10 s'],
  ['RSS before / peak / end', `${f1(rssBefore)} / ${f1(Math.max(...rss))} / ${f1(rssEnd)} MiB`, 'goal end within 10 % of before'],
  [`RSS after the spike: +5 / +20 / +${20 + QUIET_SECONDS} s`, `${f1(rssAfterSpike(5))} / ${f1(rssAfterSpike(20))} / ${f1(rssAfterSpike(20 + QUIET_SECONDS))} MiB (${f1((100 * rssAfterSpike(20 + QUIET_SECONDS)) / rssBefore - 100)} % over before)`, `0.5 × C until +20 s, then no load (OVERLOAD_QUIET_SECONDS=${QUIET_SECONDS})`],
  ['memory before: rss / heap used / heap total (new, old, large objects) / external (array buffers)', `${describeMemory(memBefore ?? undefined)} MiB`, 'the issuer\'s /metrics'],
  ['memory peak (each figure\'s own maximum)', `${describeMemory(memPeak)} MiB`, ''],
  ['memory end (+20 s, after the 0.5 × C tail)', `${describeMemory(memEnd ?? undefined)} MiB`, ''],
  [`memory after the quiet tail (+${20 + QUIET_SECONDS} s)`, `${describeMemory(quietEnd)} MiB`, ''],
  ['holder refresh cache entries / quota keys: before / peak / end of quiet tail', `${memBefore?.refreshCacheEntries ?? '–'} / ${memPeak?.refreshCacheEntries ?? '–'} / ${quietEnd?.refreshCacheEntries ?? '–'}; ${memBefore?.quotaKeys ?? '–'} / ${memPeak?.quotaKeys ?? '–'} / ${quietEnd?.quotaKeys ?? '–'}`, 'bounded at 50,000 / 100,000'],
  ['issuer CPU in spike: process / main thread, share of wall time', `${f1(spikeCpu.process)} / ${f1(spikeCpu.main)} s of ${f1(spikeCpu.wall)} s (${f1((100 * spikeCpu.main) / spikeCpu.wall)} % main)`, 'process includes the thread pool and the liveness worker'],
  ['main threads in spike (schedstat): issuer / generator', `${schedShares('issuer')} / ${schedShares('generator')}`, 'the rest idle; waiting: other tenants had the CPU'],
  ['issuer main-thread CPU per answered request in spike', `${((1000 * spikeCpu.main) / Math.max(1, answered)).toFixed(3)} ms (${answered} answered)`, 'answered: any HTTP status, as the generator saw it'],
  ['generator main-thread CPU per offered request in spike', `${((1000 * (cpuTo.generator.run - cpuFrom.generator.run)) / Math.max(1, work.length)).toFixed(3)} ms (${work.length} offered)`, `10 × C needs ${f1((capacity * 10 * (cpuTo.generator.run - cpuFrom.generator.run)) / Math.max(1, work.length))} s of CPU a second`],
  ['server crashed', crashed ? 'yes' : 'no', ''],
  ['generator loop lag in spike: median / max of per-second worst', `${f1(pct(generatorInSpike.map((g) => g.lagMaxMs), 50))} / ${f1(Math.max(...generatorInSpike.map((g) => g.lagMaxMs)))} ms`, 'arrivals late by at most this'],
  ['generator: holder wait for a socket p99 / requests in flight max', `${f1(pct(socketWaits, 99))} ms / ${Math.max(...generatorInSpike.map((g) => g.inFlight))}`, GENERATOR === 'client' ? '' : 'pipelined: written at once on a pooled connection, so 0'],
  ['generator mode', GENERATOR === 'client' ? 'client (PartnerClient, a socket per request in flight)' : `pipelined (${process.env.OVERLOAD_CONNECTIONS ?? 128} persistent connections)`, 'OVERLOAD_GENERATOR'],
  ['pinning', PIN ? 'server CPU 0, generator CPU 1 (taskset)' : 'none (OVERLOAD_PIN=off)', ''],
];
// Why the refusals were made (/metrics, whole run). The node front refuses before any request work
// on event-loop-lag, and on queue-full for a partner key this instance read this clock second;
// admission refuses the rest after authentication (before the body when it can).
const metricsText = await fetch(`${metricsUrl ?? url}/metrics`).then((r) => r.text(), () => '');
const mainCpuWholeRun = cpuSeconds(`/proc/${server.pid}/task/${server.pid}/stat`) - mainCpuAtStart;
const shedLines = metricsText.split('\n').filter((l) => l.startsWith('vaxpass_requests_shed_total{'));
const issuerAnswered = metricsText
  .split('\n')
  .filter((l) => l.startsWith('vaxpass_http_requests_total{'))
  .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
rows.push(['issuer main-thread CPU per request it answered (whole run, its own count)', `${((1000 * mainCpuWholeRun) / Math.max(1, issuerAnswered)).toFixed(3)} ms (${issuerAnswered} answered, ${f1(mainCpuWholeRun)} s)`, '/metrics vaxpass_http_requests_total; not inflated by client timeouts']);
rows.push(['refusals by lane and reason (/metrics, whole run)', shedLines.map((l) => l.replace('vaxpass_requests_shed_total', '').replace(/"/g, '')).join(', ') || 'none', 'event-loop-lag and queue-full: node front or admission; the rest: admission']);
process.stdout.write(`\n| measure | value | note |\n|---|---|---|\n${rows.map((r) => `| ${r.join(' | ')} |`).join('\n')}\n`);
server.kill('SIGTERM');
await new Promise((ok) => server.once('exit', ok));
rmSync(dir, { recursive: true, force: true });
