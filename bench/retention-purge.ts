// The hourly clean-up of 200,000 expired idempotency records on SQLite, where every statement runs
// on the event loop: the longest the event loop stalls while it runs, and how long it takes.
//   baseline: what the issuer did before — one DELETE of every expired row, on an unindexed column;
//   batched:  removeExpiredRecords — 1,000 rows per transaction through the created_at index, with a
//             turn of the event loop between batches;
//   idle:     the same stall measurement for as long with no work at all: the noise floor of the
//             machine (on a loaded one, any process waits for a core now and then).
// Interleaved rounds on fresh copies of one seeded file; min/median/max per variant.
//   npx tsx bench/retention-purge.ts [rows=200000] [rounds=3] [batchRows=1000]
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type SqliteDatabase } from '../src/db/open-database.ts';
import { createPartner } from '../src/db/queries/partners.ts';
import { IDEMPOTENCY_RETENTION_SECONDS } from '../src/server/issuance/partner-issuance.ts';
import { removeExpiredRecords } from '../src/server/retention.ts';

const rows = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 3);
const batchRows = Number(process.argv[4] ?? 1000);
const now = 1_800_000_000;
const dir = mkdtempSync(join(tmpdir(), 'vaxpass-bench-purge-'));
const seeded = join(dir, 'seeded.sqlite');

{
  const db = openDatabase(seeded);
  await db.transaction((tx) => createPartner(tx, { id: 'bench', name: 'Bench', now }));
  const insert = db.client.prepare('insert into idempotency_keys (partner_id, key, request_hash, response_status, response_body, created_at) values (?, ?, ?, 201, ?, ?)');
  db.client.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run('bench', `bench-key-${i.toString().padStart(8, '0')}`, 'ab'.repeat(32), '{"passId":"0123456789abcdef0123456789abcdef"}', now - IDEMPOTENCY_RETENTION_SECONDS - 3600 - (i % 3600));
  })();
  db.client.pragma('wal_checkpoint(TRUNCATE)');
  await db.close();
}

/** The longest gap between ticks of a 1 ms timer while `work` runs: how long the event loop was held. */
async function maxStall(work: () => Promise<unknown>): Promise<{ stallMs: number; totalMs: number }> {
  let last = performance.now();
  let worst = 0;
  const ticker = setInterval(() => {
    const t = performance.now();
    worst = Math.max(worst, t - last);
    last = t;
  }, 1);
  const started = performance.now();
  await work();
  const totalMs = performance.now() - started;
  worst = Math.max(worst, performance.now() - last);
  clearInterval(ticker);
  return { stallMs: worst, totalMs };
}

type Variant = 'baseline' | 'batched' | 'idle';

async function round(variant: Variant, n: number): Promise<{ stallMs: number; totalMs: number }> {
  if (variant === 'idle') return maxStall(() => new Promise((ok) => setTimeout(ok, 2000)));
  const path = join(dir, `${variant}-${n}.sqlite`);
  copyFileSync(seeded, path);
  const db: SqliteDatabase = openDatabase(path);
  if (variant === 'baseline') db.client.exec('drop index idempotency_keys_created_at');
  await new Promise((ok) => setTimeout(ok, 50));
  const result = await maxStall(async () => {
    if (variant === 'baseline') {
      const removed = await db.transaction(async (tx) => (tx.orm as unknown as { run(q: unknown): unknown }) && db.client.prepare('delete from idempotency_keys where created_at < ?').run(now - IDEMPOTENCY_RETENTION_SECONDS).changes);
      if (removed !== rows) throw new Error(`baseline removed ${removed}`);
    } else {
      const report = await removeExpiredRecords(db, now, batchRows);
      if (report.idempotencyRecords !== rows) throw new Error(`batched removed ${report.idempotencyRecords}`);
    }
  });
  await db.close();
  rmSync(path, { force: true });
  return result;
}

const results: Record<Variant, { stallMs: number; totalMs: number }[]> = { baseline: [], batched: [], idle: [] };
for (let n = 0; n < rounds; n++) {
  for (const variant of n % 2 === 0 ? (['baseline', 'batched', 'idle'] as const) : (['idle', 'batched', 'baseline'] as const)) results[variant].push(await round(variant, n));
}
// Where a batch's time goes: the DELETE itself (CPU, through the index) and its COMMIT (the fsync
// that synchronous=FULL makes every SQLite write of the issuer pay, plus WAL auto-checkpoints).
const split = { delete: [] as number[], commit: [] as number[] };
{
  const path = join(dir, 'split.sqlite');
  copyFileSync(seeded, path);
  const db = openDatabase(path);
  const batch = db.client.prepare('delete from idempotency_keys where (partner_id, key) in (select partner_id, key from idempotency_keys where created_at < ? order by created_at limit ?)');
  for (let changes = batchRows; changes === batchRows; ) {
    db.client.exec('BEGIN IMMEDIATE');
    const t0 = performance.now();
    changes = batch.run(now - IDEMPOTENCY_RETENTION_SECONDS, batchRows).changes;
    const t1 = performance.now();
    db.client.exec('COMMIT');
    split.delete.push(t1 - t0);
    split.commit.push(performance.now() - t1);
    await new Promise((next) => setImmediate(next));
  }
  await db.close();
}
rmSync(dir, { recursive: true, force: true });

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]!, max: s[s.length - 1]! };
};
const fmt = (x: { min: number; median: number; max: number }) => `${x.min.toFixed(1)} / ${x.median.toFixed(1)} / ${x.max.toFixed(1)}`;
console.log(`retention purge of ${rows.toLocaleString('en-US')} expired idempotency records, SQLite, batches of ${batchRows}, ${rounds} interleaved rounds, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log('variant    longest event-loop stall ms (min / median / max)    purge time ms (min / median / max)');
for (const variant of ['baseline', 'batched', 'idle'] as const) {
  console.log(`${variant.padEnd(10)} ${fmt(stats(results[variant].map((r) => r.stallMs))).padEnd(50)} ${fmt(stats(results[variant].map((r) => r.totalMs)))}`);
}
const ratio = stats(results.batched.map((r) => r.stallMs)).median / stats(results.baseline.map((r) => r.stallMs)).median;
console.log(`batched / baseline, median longest stall: ${ratio.toFixed(3)}; goal: every batched stall < 50 ms: ${results.batched.every((r) => r.stallMs < 50) ? 'met' : 'NOT met'}`);
const pct = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `p50 ${s[Math.floor(s.length / 2)]!.toFixed(1)}, p99 ${s[Math.floor(s.length * 0.99)]!.toFixed(1)}, max ${s[s.length - 1]!.toFixed(1)}`;
};
console.log(`one batch of ${batchRows} (${split.delete.length} batches): DELETE ms ${pct(split.delete)}; COMMIT ms ${pct(split.commit)}`);
