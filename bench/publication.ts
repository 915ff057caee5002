// Trust-bundle publication at 0 / 10 k / 100 k / 1 M revoked passes, each issuer in its own process
// on a real port, wrk driven exactly as bench/scale.ts drives it (bench/support/wrk.ts: one thread,
// 16 connections, a Lua script) against the same baseline process (bench/support/scale-baseline.ts
// get, a plain Hono app answering a small JSON GET):
//   - size and gzip size of the full bundle and of a delta with one new revocation;
//   - conditional GETs answered 304 (If-None-Match with the current ETag) for the bundle and the
//     delta, each run paired with a baseline run just before it, in interleaved rounds (min /
//     median / max of the ratio over rounds), as requests per second and as the server process's
//     CPU time per request (read from /proc around each run: what a 304 costs the issuer,
//     whatever share of the two cores wrk and other processes leave it);
//   - what publishing one more revocation costs (transaction + next version; median of 7), and
//     the first publication after a start, which reads and codes the whole log once.
//   npx tsx bench/publication.ts [seconds per wrk run, default 5] [rounds, default 3] [counts, default 0,10000,100000,1000000]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { table } from './support/measure.ts';
import { processCpuSeconds, runWrk } from './support/wrk.ts';

const seconds = Number(process.argv[2] ?? 5);
const rounds = Number(process.argv[3] ?? 3);
const counts = (process.argv[4] ?? '0,10000,100000,1000000').split(',').map(Number);
const serverScript = fileURLToPath(new URL('./support/publication-bench-server.ts', import.meta.url));
const baselineScript = fileURLToPath(new URL('./support/scale-baseline.ts', import.meta.url));
const CONNECTIONS = 16;
const dir = mkdtempSync(join(tmpdir(), 'vaxpass-publication-'));

interface IssuerInfo {
  url: string;
  deltaUrl: string;
  etag: string;
  deltaEtag: string;
  bytes: number;
  gzip: number;
  deltaBytes: number;
  deltaGzip: number;
  coldMs: number;
  publishMs: number;
  publishCpuMs: number;
  rssMiB: number;
}

async function start<T>(args: string[], script = serverScript): Promise<{ child: ChildProcess; info: T }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((ok, fail) => {
    createInterface({ input: child.stdout! }).once('line', ok);
    child.once('exit', (code) => fail(new Error(`server ${args.join(' ')} exited with ${code}`)));
  });
  return { child, info: JSON.parse(line) as T };
}

interface Run {
  readonly rate: number;
  /** Server CPU (all its threads) per request, in microseconds. */
  readonly cpuMicros: number;
}

/** One wrk run against a server process; refuses a run with answers other than the expected kind. */
async function measure(pid: number, url: string, headers: Record<string, string> = {}): Promise<Run> {
  // wrk's error count covers statuses from 400 up only, so check once that the request is answered as expected.
  const probe = await fetch(url, { headers });
  await probe.arrayBuffer();
  const expected = 'If-None-Match' in headers ? 304 : 200;
  if (probe.status !== expected) throw new Error(`${url} answered ${probe.status}, not ${expected}`);
  const cpu = processCpuSeconds(pid);
  const result = await runWrk(dir, { url, method: 'GET', headers }, CONNECTIONS, seconds);
  const used = processCpuSeconds(pid) - cpu;
  if (result.requests === 0 || result.non2xx > 0) throw new Error(`wrk saw errors from ${url}: ${JSON.stringify(result)}`);
  return { rate: result.rate, cpuMicros: (used * 1e6) / result.requests };
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const spread = (xs: number[]) => {
  const s = sorted(xs);
  return `${s[0]!.toFixed(2)} / ${s[Math.floor(s.length / 2)]!.toFixed(2)} / ${s[s.length - 1]!.toFixed(2)}`;
};
const kib = (n: number) => (n >= 10_240 ? `${(n / 1024).toFixed(0)} KiB` : `${n} B`);

const baseline = await start<{ url: string }>(['get'], baselineScript);
const baselineUrl = `${baseline.info.url}/small`;
const issuers: { count: number; child: ChildProcess; info: IssuerInfo }[] = [];
try {
  for (const count of counts) {
    const started = await start<IssuerInfo>(['issuer', String(count)]);
    issuers.push({ count, ...started });
    console.error(`issuer with ${count} revocations ready (${started.info.rssMiB} MiB RSS)`);
  }
  const baseRates: number[] = [];
  const baseCpu: number[] = [];
  const series = () => new Map<number, number[]>(counts.map((c) => [c, []]));
  const bundleRatios = series();
  const deltaRatios = series();
  const bundleRates = series();
  const bundleCpu = series();
  const bundleCpuRatios = series();
  for (let r = 0; r < rounds; r++) {
    for (const issuer of issuers) {
      // The baseline right before each subject, so load changes on the shared machine hit both.
      const base = await measure(baseline.child.pid!, baselineUrl);
      baseRates.push(base.rate);
      baseCpu.push(base.cpuMicros);
      const bundle = await measure(issuer.child.pid!, issuer.info.url, { 'If-None-Match': issuer.info.etag });
      const delta = await measure(issuer.child.pid!, issuer.info.deltaUrl, { 'If-None-Match': issuer.info.deltaEtag });
      bundleRates.get(issuer.count)!.push(bundle.rate);
      bundleRatios.get(issuer.count)!.push(bundle.rate / base.rate);
      deltaRatios.get(issuer.count)!.push(delta.rate / base.rate);
      bundleCpu.get(issuer.count)!.push(bundle.cpuMicros);
      // Above 1: a bundle 304 costs the issuer less CPU than the baseline's GET costs the baseline.
      bundleCpuRatios.get(issuer.count)!.push(base.cpuMicros / bundle.cpuMicros);
    }
    console.error(`round ${r + 1}/${rounds} done`);
  }
  const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)]!;
  console.log(`baseline: Hono small-JSON GET (bench/support/scale-baseline.ts, as in bench/scale.ts), ${Math.round(median(baseRates)).toLocaleString('en-US')} req/s, ${median(baseCpu).toFixed(1)} µs server CPU per request (medians of ${baseRates.length} runs); wrk -t1 -c${CONNECTIONS} -d${seconds}s with a Lua script (bench/support/wrk.ts)`);
  console.log('');
  console.log(
    table(
      ['revocations', 'bundle', 'gzip', 'delta (1 new)', 'delta gzip', 'bundle 304 req/s', '304 / baseline req/s (min/med/max)', 'delta 304 / baseline req/s', '304 server CPU per request', 'baseline CPU / 304 CPU', 'one more revocation', 'CPU', 'first publication'],
      issuers.map(({ count, info }) => {
        const rates = sorted(bundleRates.get(count)!);
        return [
          count.toLocaleString('en-US'),
          kib(info.bytes),
          kib(info.gzip),
          kib(info.deltaBytes),
          kib(info.deltaGzip),
          Math.round(rates[Math.floor(rates.length / 2)]!).toLocaleString('en-US'),
          spread(bundleRatios.get(count)!),
          spread(deltaRatios.get(count)!),
          `${median(bundleCpu.get(count)!).toFixed(1)} µs`,
          spread(bundleCpuRatios.get(count)!),
          `${info.publishMs.toFixed(1)} ms`,
          `${info.publishCpuMs.toFixed(1)} ms`,
          `${info.coldMs.toFixed(0)} ms`,
        ];
      }),
    ),
  );
} finally {
  baseline.child.kill('SIGTERM');
  for (const issuer of issuers) issuer.child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
