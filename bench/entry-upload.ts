// Venue entry-log uploads: POST /api/v1/venues/{id}/entry-batches on a real loopback port (the
// issuer app, SQLite WAL + synchronous=FULL, admission control and group commit as in production),
// 16 venues uploading at once with keep-alive, batches of 10 and of 100 sealed records. Baseline
// in the same run: durable commits of the same rows one by one (better-sqlite3, synchronous), the
// disk's fsync rate. Min / median / max over interleaved rounds.
//   npx tsx bench/entry-upload.ts [rounds, default 5] [ms per round, default 2000]
import { serve } from '@hono/node-server';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'node:http';
import { generateAuthorityKey, sealEntry, type EntryLogPolicy, type SealedEntry } from '../src/core/entry-log.ts';
import { openDatabase } from '../src/db/open-database.ts';
import { createVenue, enrolVenue } from '../src/db/queries/venues.ts';
import { initKeyDirectory } from '../src/keys/key-directory.ts';
import { systemClock } from '../src/server/clock.ts';
import { testConfig } from '../src/server/config.ts';
import { createApp } from '../src/server/create-app.ts';
import { watchedKeyDirectory } from '../src/server/issuer-keys.ts';
import { createLogger } from '../src/server/logger.ts';
import { createRateLimiter } from '../src/server/rate-limiter.ts';

const ROUNDS = Number(process.argv[2] ?? 5);
const ROUND_MS = Number(process.argv[3] ?? 2000);
const VENUES = 16;
const dir = mkdtempSync(join(tmpdir(), 'vaxpass-entry-upload-'));

const authority = await generateAuthorityKey();
const policy: EntryLogPolicy = { retentionDays: 28, authorityKeys: [authority.publicKey] };
const db = openDatabase(join(dir, 'issuer.sqlite'));
const keysDir = join(dir, 'keys');
const now = Math.floor(Date.now() / 1000);
await initKeyDirectory(keysDir, { now: now - 86_400 });
const venues: { id: string; credential: string; records: SealedEntry[] }[] = [];
for (let i = 0; i < VENUES; i++) {
  const id = `venue-${i}`;
  const credential = await db.transaction(async (tx) => {
    const { enrolmentCode } = await createVenue(tx, { id, name: id, now, enrolmentSeconds: 3600 });
    return (await enrolVenue(tx, enrolmentCode, now))!.credential;
  });
  const records: SealedEntry[] = [];
  for (let r = 0; r < 100; r++) records.push(await sealEntry(policy, { passId: `${i}`.padStart(32, '0'), at: now + r, venueId: id }));
  venues.push({ id, credential, records });
}
// Quotas off for the measurement (a venue uploads every few seconds in real use; here as fast as it can).
const limiter = createRateLimiter(systemClock);
const app = createApp({
  db,
  signer: watchedKeyDirectory(keysDir, 0),
  clock: systemClock,
  config: testConfig({ entryLog: policy }),
  logger: createLogger('silent'),
  rateLimiter: { ...limiter, take: async () => null },
});
const server = await new Promise<ReturnType<typeof serve>>((ok) => {
  const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => ok(s));
});
const port = (server.address() as AddressInfo).port;
const agent = new Agent({ keepAlive: true, maxSockets: VENUES });
let sequence = 0;

function post(venue: (typeof venues)[number], size: number): Promise<number> {
  const body = JSON.stringify({ batchId: `b-${process.pid}-${++sequence}`.padEnd(16, '0'), records: venue.records.slice(0, size) });
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, agent, method: 'POST', path: `/api/v1/venues/${venue.id}/entry-batches`, headers: { Authorization: `Bearer ${venue.credential}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => ok(res.statusCode ?? 0));
    });
    req.on('error', fail);
    req.end(body);
  });
}

async function uploads(size: number, ms: number): Promise<{ batches: number; refused: number }> {
  const deadline = performance.now() + ms;
  let ok = 0;
  let refused = 0;
  const t0 = performance.now();
  await Promise.all(
    venues.map(async (venue) => {
      while (performance.now() < deadline) {
        const status = await post(venue, size);
        if (status === 201) ok++;
        else refused++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  return { batches: ok / seconds, refused };
}

const baselineDb = openDatabase(join(dir, 'baseline.sqlite'));
baselineDb.client.prepare("INSERT INTO venues (id, name, created_at) VALUES ('v', 'v', 0)").run();
function durableCommits(size: number, ms: number): number {
  const insert = baselineDb.client.prepare("INSERT INTO entry_batches (venue_id, batch_id, day, record_count, digest, records) VALUES ('v', ?, 0, ?, 'd', ?)");
  const records = JSON.stringify(venues[0]!.records.slice(0, size));
  const deadline = performance.now() + ms;
  let n = 0;
  const t0 = performance.now();
  while (performance.now() < deadline) {
    baselineDb.client.transaction(() => insert.run(`base-${size}-${++sequence}`, size, records)).immediate();
    n++;
  }
  return n / ((performance.now() - t0) / 1000);
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]!, max: s[s.length - 1]! };
};
const f = (x: number) => Math.round(x).toLocaleString('en-US');

try {
  console.log(`entry-log upload, ${VENUES} venues in parallel with keep-alive, ${ROUNDS} interleaved rounds of ${ROUND_MS} ms, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const size of [10, 100]) {
    const up: number[] = [];
    const base: number[] = [];
    let refused = 0;
    await uploads(size, 300); // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      if (r % 2) {
        base.push(durableCommits(size, ROUND_MS));
        const u = await uploads(size, ROUND_MS);
        up.push(u.batches);
        refused += u.refused;
      } else {
        const u = await uploads(size, ROUND_MS);
        up.push(u.batches);
        refused += u.refused;
        base.push(durableCommits(size, ROUND_MS));
      }
    }
    const su = stats(up);
    const sb = stats(base);
    console.log(`  ${size} records per batch`);
    console.log(`    baseline: durable commit of one batch row each (better-sqlite3, synchronous)  ${f(sb.median)} commits/s (${f(sb.min)}–${f(sb.max)})`);
    console.log(`    POST entry-batches, 201 each                                                ${f(su.median)} batches/s (${f(su.min)}–${f(su.max)}) = ${f(su.median * size)} records/s, ${f(su.median * size * 3600 / 1e6)} M records/h; ${refused} refused (503)`);
    console.log(`    ratio to baseline: ${(su.median / sb.median).toFixed(2)} (min ${(su.min / sb.median).toFixed(2)}, max ${(su.max / sb.median).toFixed(2)})`);
  }
  console.log(`  load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  agent.destroy();
  await new Promise<void>((ok) => server.close(() => ok()));
  await app.close();
  await db.close();
  await baselineDb.close();
  rmSync(dir, { recursive: true, force: true });
}
