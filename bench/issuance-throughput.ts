// Issuer HTTP throughput on real ports, each server in its own process, the load generator in
// this one (keep-alive, a fixed number of requests in flight):
//   1. partner issuance (POST /api/v1/partner/passes: match, sign, one durable transaction with
//      the pass, idempotency record and audit entry; synchronous=FULL)
//   2. holder refresh with If-None-Match (GET /api/v1/holder/passes → 304)
// each against a plain node:http server answering a fixed JSON, measured in the same run, and
// issuance against the disk's durable-commit rate (one SQLite commit with synchronous=FULL,
// which is what each acknowledged issuance costs at least).
//   npx tsx bench/issuance-throughput.ts [seconds per contender, default 5] [in flight, default 16]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/db/open-database.ts';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const seconds = Number(process.argv[2] ?? 5);
const inFlight = Number(process.argv[3] ?? 16);
const serverScript = fileURLToPath(new URL('./support/issuer-bench-server.ts', import.meta.url));

interface Started {
  readonly child: ChildProcess;
  readonly info: { url: string; apiKey?: string; token?: string };
}

async function start(mode: 'issuer' | 'baseline'): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', serverScript, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((ok, fail) => {
    createInterface({ input: child.stdout! }).once('line', ok);
    child.once('exit', (code) => fail(new Error(`${mode} server exited with ${code}`)));
  });
  return { child, info: JSON.parse(line) };
}

const agent = new Agent({ keepAlive: true, maxSockets: inFlight });

function send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((ok, fail) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: body ? { ...headers, 'Content-Length': String(Buffer.byteLength(body)) } : headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', fail);
    req.end(body);
  });
}

/** Runs `make()` requests with `inFlight` concurrency for `seconds`; returns requests/s and statuses. */
async function load(name: string, make: (i: number) => Promise<{ status: number }>, expected: number): Promise<number> {
  // Warm-up.
  for (let i = 0; i < 50; i++) await make(-i - 1);
  let n = 0;
  let unexpected = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) {
        const r = await make(n++);
        if (r.status !== expected) unexpected++;
      }
    }),
  );
  const rate = n / ((performance.now() - started) / 1000);
  console.log(`  ${name.padEnd(52)} ${rate.toFixed(0).padStart(7)} req/s${unexpected ? `  (${unexpected} unexpected statuses!)` : ''}`);
  return rate;
}

/** Durable single-row commits per second on this disk (WAL, synchronous=FULL), the floor under issuance. */
function durableCommitsPerSecond(): number {
  const dir = mkdtempSync(join(tmpdir(), 'vaxpass-fsync-'));
  const db = openDatabase(join(dir, 'commit.sqlite'));
  const insert = db.client.prepare("INSERT INTO audit_log (at, actor, action) VALUES (0, 'bench', 'bench')");
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  let n = 0;
  while (performance.now() < deadline) {
    insert.run();
    n++;
  }
  const rate = n / ((performance.now() - started) / 1000);
  void db.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(`  ${'baseline: SQLite durable commit (WAL, synchronous=FULL)'.padEnd(52)} ${rate.toFixed(0).padStart(7)} commits/s`);
  return rate;
}

const issuer = await start('issuer');
const baseline = await start('baseline');
try {
  const { url, apiKey, token } = issuer.info;
  const people = ['demo-0001', 'demo-0002', 'demo-0003'];
  const runId = Date.now().toString(36);
  console.log(`issuer HTTP throughput: ${seconds}s per contender, ${inFlight} requests in flight, keep-alive, servers in separate processes`);
  const fixedJson = (i: number) => send(`${baseline.info.url}/`, 'GET', {}, undefined).then((r) => ({ status: r.status, i }));
  const commits = durableCommitsPerSecond();
  const baselineGet = await load('baseline: node:http fixed JSON (GET)', fixedJson, 200);
  const baselinePost = await load('baseline: node:http fixed JSON (POST with body)', () => send(`${baseline.info.url}/`, 'POST', { 'Content-Type': 'application/json' }, '{"personId":"demo-0001"}'), 200);
  const issuance = await load(
    'partner issuance POST /api/v1/partner/passes (201)',
    (i) => send(`${url}/api/v1/partner/passes`, 'POST', { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': `bench-${runId}-${i}` }, JSON.stringify({ personId: people[Math.abs(i) % 3] })),
    201,
  );
  const first = await send(`${url}/api/v1/holder/passes`, 'GET', { Authorization: `Bearer ${token}`, Host: '127.0.0.1' });
  const etag = String(first.headers.etag);
  const holder304 = await load('holder refresh GET /api/v1/holder/passes (304)', () => send(`${url}/api/v1/holder/passes`, 'GET', { Authorization: `Bearer ${token}`, Host: '127.0.0.1', 'If-None-Match': etag }), 304);
  const holder200 = await load('holder GET /api/v1/holder/passes (200, full body)', () => send(`${url}/api/v1/holder/passes`, 'GET', { Authorization: `Bearer ${token}`, Host: '127.0.0.1' }), 200);
  const bundle = await load('GET /api/v1/trust-bundle (200)', () => send(`${url}/api/v1/trust-bundle`, 'GET', {}), 200);
  console.log('ratios (higher is better; 1.00 = as fast as the fixed-JSON baseline):');
  console.log(`  partner issuance / baseline POST      ${(issuance / baselinePost).toFixed(3)}`);
  console.log(`  partner issuance / durable commits    ${(issuance / commits).toFixed(3)}`);
  console.log(`  holder 304 / baseline GET             ${(holder304 / baselineGet).toFixed(3)}`);
  console.log(`  holder 200 / baseline GET             ${(holder200 / baselineGet).toFixed(3)}`);
  console.log(`  trust bundle / baseline GET           ${(bundle / baselineGet).toFixed(3)}`);
  console.log(`  per lunch-peak hour: ${(issuance * 3600 / 1e6).toFixed(1)} M issuances/hour at this rate (2021 peak: 1.5 M verifications/hour, which vaxpass moves offline)`);
} finally {
  agent.destroy();
  issuer.child.kill('SIGTERM');
  baseline.child.kill('SIGTERM');
}
