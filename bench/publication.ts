// Trust-bundle publication at 0 / 10 k / 100 k / 1 M revoked passes, each issuer in its own process
// on a real port, wrk (16 connections, 2 threads) as the load generator:
//   - size and gzip size of the full bundle and of a delta with one new revocation;
//   - conditional GETs answered 304 (If-None-Match with the current ETag) for the bundle and the
//     delta, against a plain Hono app answering a small JSON GET, measured in the same run, in
//     interleaved rounds (min / median / max of the ratio over rounds);
//   - what publishing one more revocation costs (transaction + next version; median of 7), and
//     the first publication after a start, which reads and codes the whole log once.
//   npx tsx bench/publication.ts [seconds per wrk run, default 5] [rounds, default 3] [counts, default 0,10000,100000,1000000]
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { table } from './support/measure.ts';

const seconds = Number(process.argv[2] ?? 5);
const rounds = Number(process.argv[3] ?? 3);
const counts = (process.argv[4] ?? '0,10000,100000,1000000').split(',').map(Number);
const serverScript = fileURLToPath(new URL('./support/publication-bench-server.ts', import.meta.url));

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

async function start<T>(args: string[]): Promise<{ child: ChildProcess; info: T }> {
  const child = spawn(process.execPath, ['--import', 'tsx', serverScript, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((ok, fail) => {
    createInterface({ input: child.stdout! }).once('line', ok);
    child.once('exit', (code) => fail(new Error(`server ${args.join(' ')} exited with ${code}`)));
  });
  return { child, info: JSON.parse(line) as T };
}

/** Requests per second wrk reached; refuses a run with non-2xx/3xx answers. */
function wrk(url: string, headers: Record<string, string> = {}): number {
  const args = ['-t2', '-c16', `-d${seconds}s`, ...Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]), url];
  const out = execFileSync('wrk', args, { encoding: 'utf8' });
  if (/Non-2xx or 3xx responses/.test(out)) throw new Error(`wrk saw errors for ${url}:\n${out}`);
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (!rate) throw new Error(`cannot read wrk output:\n${out}`);
  return Number(rate[1]);
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const spread = (xs: number[]) => {
  const s = sorted(xs);
  return `${s[0]!.toFixed(2)} / ${s[Math.floor(s.length / 2)]!.toFixed(2)} / ${s[s.length - 1]!.toFixed(2)}`;
};
const kib = (n: number) => (n >= 10_240 ? `${(n / 1024).toFixed(0)} KiB` : `${n} B`);

const baseline = await start<{ url: string }>(['baseline']);
const issuers: { count: number; child: ChildProcess; info: IssuerInfo }[] = [];
try {
  for (const count of counts) {
    const started = await start<IssuerInfo>(['issuer', String(count)]);
    issuers.push({ count, ...started });
    console.error(`issuer with ${count} revocations ready (${started.info.rssMiB} MiB RSS)`);
  }
  const baseRates: number[] = [];
  const bundleRatios = new Map<number, number[]>(counts.map((c) => [c, []]));
  const deltaRatios = new Map<number, number[]>(counts.map((c) => [c, []]));
  const bundleRates = new Map<number, number[]>(counts.map((c) => [c, []]));
  for (let r = 0; r < rounds; r++) {
    for (const issuer of issuers) {
      // The baseline right before each subject, so load changes on the shared machine hit both.
      const base = wrk(baseline.info.url);
      baseRates.push(base);
      const bundle = wrk(issuer.info.url, { 'If-None-Match': issuer.info.etag });
      const delta = wrk(issuer.info.deltaUrl, { 'If-None-Match': issuer.info.deltaEtag });
      bundleRates.get(issuer.count)!.push(bundle);
      bundleRatios.get(issuer.count)!.push(bundle / base);
      deltaRatios.get(issuer.count)!.push(delta / base);
    }
    console.error(`round ${r + 1}/${rounds} done`);
  }
  console.log(`baseline: plain Hono small-JSON GET, ${Math.round(sorted(baseRates)[Math.floor(baseRates.length / 2)]!).toLocaleString('en-US')} req/s (median of ${baseRates.length} runs); wrk -t2 -c16 -d${seconds}s`);
  console.log('');
  console.log(
    table(
      ['revocations', 'bundle', 'gzip', 'delta (1 new)', 'delta gzip', 'bundle 304 req/s', '304 / baseline (min/med/max)', 'delta 304 / baseline', 'one more revocation', 'CPU', 'first publication'],
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
}
