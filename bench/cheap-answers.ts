// What the overload spike's cheap answers cost the issuer's main thread, per answer: a holder
// refresh answered 304 from the refresh cache (node front); a partner POST refused 503 OVERLOADED
// by the node front while the loop lags; and one refused by admission (no free slot, no room to
// wait: queue-full), which comes after partner authentication. In the 10 × C spike
// (bench/overload) nearly every answer is one of these, so their cost decides how deep the queue
// in front of the loop grows (docs/benchmarks.md "Overload").
//
// Each server runs in its own process (bench/support/cheap-answers-server.ts), pinned to CPU 0 when
// taskset exists; this client is pinned to CPU 1. Requests are HTTP/1.1-pipelined on persistent
// connections (the overload generator's PipelinedConnection), closed-loop at a fixed depth. The
// figure is the server main thread's CPU time (schedstat: time on a CPU) per answer, and the whole
// process's (user + system, all threads) — both independent of how busy the rest of the machine is.
// Rounds alternate the servers (interleaved), so background load hits all alike.
//   npx tsx bench/cheap-answers.ts [treeA treeB ...]   (default: this checkout; each tree is a checkout
//   whose src/server/main.ts is started; a plain node:http baseline always runs alongside)
// CHEAP_ANSWERS_ROUNDS (default 5), CHEAP_ANSWERS_REQUESTS per kind and round (default 20000),
// CHEAP_ANSWERS_KINDS (a comma-separated subset of the answers), CHEAP_ANSWERS_PROFILE=<dir>
// (servers under --cpu-prof), CHEAP_ANSWERS_DEBUG=1 (print each answer with an unexpected status).
// The checkouts compared need not contain this bench: e.g. `git archive main | tar -x -C /tmp/main`
// with node_modules linked, then `npx tsx bench/cheap-answers.ts /tmp/main .`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { PipelinedConnection } from './overload/pipelined-connection.ts';

const ROUNDS = Number(process.env.CHEAP_ANSWERS_ROUNDS ?? 5);
const REQUESTS = Number(process.env.CHEAP_ANSWERS_REQUESTS ?? 20_000);
const CONNECTIONS = 32;
const DEPTH = 16;
const trees = process.argv.slice(2).length > 0 ? process.argv.slice(2).map((t) => resolve(t)) : [process.cwd()];
const taskset = spawnSync('taskset', ['-c', '1', 'true']).status === 0;
if (taskset) spawnSync('taskset', ['-pc', '1', String(process.pid)]);

interface Server {
  readonly name: string;
  readonly child: ChildProcess;
  readonly url: string;
  readonly cookie: string;
  readonly etag: string;
  readonly apiKey: string;
}

async function start(name: string, args: string[]): Promise<Server> {
  // CHEAP_ANSWERS_PROFILE=<dir>: the servers run with --cpu-prof into that directory.
  const profile = process.env.CHEAP_ANSWERS_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CHEAP_ANSWERS_PROFILE}`] : [];
  const argv = [...profile, '--import', 'tsx', resolve(import.meta.dirname, 'support/cheap-answers-server.ts'), ...args];
  const child = taskset ? spawn('taskset', ['-c', '0', process.execPath, ...argv], { stdio: ['pipe', 'pipe', 'inherit'] }) : spawn(process.execPath, argv, { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((ok, fail) => {
    let out = '';
    const first = (d: Buffer) => {
      out += d.toString();
      if (!out.includes('\n')) return;
      child.stdout!.off('data', first);
      ok(out.split('\n')[0]!);
    };
    child.stdout!.on('data', first);
    child.once('exit', (code) => fail(new Error(`${name} exited (${code})`)));
  });
  return { name, child, ...(JSON.parse(line) as Omit<Server, 'name' | 'child'>) };
}

const mainThreadRunSeconds = (pid: number) => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
const processCpuSeconds = (pid: number) => {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

type Kind = 'holder 304' | 'partner 503 front' | 'partner 503 admission';
const expected: Record<Kind, number> = { 'holder 304': 304, 'partner 503 front': 503, 'partner 503 admission': 503 };

/** Puts the server in the state the kind needs (the loop lagging or not) and waits for it to say so. */
function prepare(server: Server, kind: Kind): Promise<void> {
  return new Promise((ok) => {
    server.child.stdout!.once('data', () => ok());
    server.child.stdin!.write(kind === 'partner 503 admission' ? 'admission\n' : 'front\n');
  });
}

function requestFor(server: Server, kind: Kind): string {
  const host = new URL(server.url).host;
  if (kind === 'holder 304') return `GET /api/v1/holder/passes HTTP/1.1\r\nHost: ${host}\r\nCookie: ${server.cookie}\r\nIf-None-Match: ${server.etag}\r\n\r\n`;
  const body = JSON.stringify({ personId: 'demo-0002' });
  return `POST /api/v1/partner/passes HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${server.apiKey}\r\nContent-Type: application/json\r\nIdempotency-Key: cheap-answers-bench\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
}

/** Sends `count` requests, DEPTH outstanding per connection; resolves with how many got the expected status. */
function drive(server: Server, kind: Kind, count: number): Promise<{ ok: number; other: number }> {
  const { hostname, port } = new URL(server.url);
  const request = requestFor(server, kind);
  const connections = Array.from({ length: CONNECTIONS }, () => new PipelinedConnection(hostname, Number(port)));
  let sent = 0;
  let ok = 0;
  let other = 0;
  return new Promise((done) => {
    const send = (c: PipelinedConnection) => {
      if (sent >= count) return;
      sent++;
      c.send(request, performance.now(), (r) => {
        if (r?.status === expected[kind]) ok++;
        else {
          other++;
          if (process.env.CHEAP_ANSWERS_DEBUG) process.stderr.write(`${kind}: ${r?.status} ${r?.body.toString().slice(0, 200)}\n`);
        }
        if (ok + other === count) {
          for (const x of connections) x.destroy();
          done({ ok, other });
        } else send(c);
      });
    };
    for (const c of connections) for (let d = 0; d < DEPTH; d++) send(c);
  });
}

async function measure(server: Server, kind: Kind, count: number) {
  await prepare(server, kind);
  // taskset execs node in place: the child's pid is node's.
  const pid = server.child.pid!;
  const main0 = mainThreadRunSeconds(pid);
  const proc0 = processCpuSeconds(pid);
  const { ok, other } = await drive(server, kind, count);
  const answered = ok + other;
  return { mainUs: ((mainThreadRunSeconds(pid) - main0) * 1e6) / answered, processUs: ((processCpuSeconds(pid) - proc0) * 1e6) / answered, other };
}

const servers: Server[] = [await start('node:http baseline', ['baseline'])];
for (const [i, tree] of trees.entries()) servers.push(await start(trees.length > 1 ? `issuer ${String.fromCharCode(65 + i)} (${tree})` : 'issuer', ['issuer', tree]));
// CHEAP_ANSWERS_KINDS=a,b: only those answers (e.g. to profile one).
const kinds = (['holder 304', 'partner 503 front', 'partner 503 admission'] as const).filter((k) => !process.env.CHEAP_ANSWERS_KINDS || process.env.CHEAP_ANSWERS_KINDS.split(',').includes(k)) as Kind[];
// Warm-up: JIT, caches, connections.
for (const s of servers) for (const k of kinds) await prepare(s, k).then(() => drive(s, k, 5000));

const results = new Map<string, { main: number[]; process: number[]; other: number }>();
const loads: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  // Rotate the order each round so no server always follows the same one.
  const order = servers.map((_, i) => servers[(i + round) % servers.length]!);
  for (const s of order) {
    for (const k of kinds) {
      const m = await measure(s, k, REQUESTS);
      const key = `${s.name}|${k}`;
      const r = results.get(key) ?? { main: [], process: [], other: 0 };
      r.main.push(m.mainUs);
      r.process.push(m.processUs);
      r.other += m.other;
      results.set(key, r);
    }
  }
  loads.push(loadavg()[0]!);
}
for (const s of servers) s.child.kill('SIGTERM');

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)]!;
const mmm = (xs: number[]) => `${sorted(xs)[0]!.toFixed(1)} / ${median(xs).toFixed(1)} / ${sorted(xs).at(-1)!.toFixed(1)}`;
process.stdout.write(`\ncheap answers: ${ROUNDS} interleaved rounds of ${REQUESTS} per kind, ${CONNECTIONS} connections × ${DEPTH} pipelined, ${taskset ? 'servers on CPU 0, client on CPU 1' : 'unpinned'}; load average 1 min over the rounds ${sorted(loads)[0]!.toFixed(2)}–${sorted(loads).at(-1)!.toFixed(2)}\n\n`);
process.stdout.write('| server | answer | main thread µs/answer min / median / max | process µs/answer min / median / max | × baseline (main, median) | wrong status |\n|---|---|---|---|---|---|\n');
for (const k of kinds) {
  const base = median(results.get(`${servers[0]!.name}|${k}`)!.main);
  for (const s of servers) {
    const r = results.get(`${s.name}|${k}`)!;
    process.stdout.write(`| ${s.name} | ${k} | ${mmm(r.main)} | ${mmm(r.process)} | ${(median(r.main) / base).toFixed(2)} | ${r.other} |\n`);
  }
}
if (trees.length === 2) {
  for (const k of kinds) {
    const a = median(results.get(`${servers[1]!.name}|${k}`)!.main);
    const b = median(results.get(`${servers[2]!.name}|${k}`)!.main);
    process.stdout.write(`\n${k}: B / A main thread (medians) = ${(b / a).toFixed(2)}`);
  }
  process.stdout.write('\n');
}
process.exit(0);
