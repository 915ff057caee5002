// The hourly clean-up of 200,000 expired rows of one kind on SQLite, where every statement runs on
// the event loop: the longest the event loop stalls while it runs, and how long it takes. Kinds:
//   idempotency: partner idempotency records (expired by created_at);
//   sessions:    holder sessions (by expires_at);
//   proofs:      spent person proofs (by expires_at).
// Variants, per kind:
//   baseline: what the issuer did before — one DELETE of every expired row (idempotency records and
//             proofs on an unindexed column; sessions were already indexed);
//   batched:  removeExpiredRecords — 1,000 rows per transaction through the expiry column's index,
//             with a turn of the event loop between batches;
//   idle:     the same stall measurement for as long with no work at all: the noise floor of the
//             machine (on a loaded one, any process waits for a core now and then).
// Interleaved rounds on fresh copies of one seeded file per kind; min/median/max per variant.
//   npx tsx bench/retention-purge.ts [rows=200000] [rounds=3] [batchRows=1000] [kinds=idempotency,sessions,proofs]
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type SqliteDatabase } from '../src/db/open-database.ts';
import { createPartner } from '../src/db/queries/partners.ts';
import { IDEMPOTENCY_RETENTION_SECONDS } from '../src/server/issuance/partner-issuance.ts';
import { removeExpiredRecords, type RetentionReport } from '../src/server/retention.ts';

const rows = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 3);
const batchRows = Number(process.argv[4] ?? 1000);
const now = 1_800_000_000;
const dir = mkdtempSync(join(tmpdir(), 'vaxpass-bench-purge-'));

interface Kind {
  readonly name: 'idempotency' | 'sessions' | 'proofs';
  readonly report: keyof RetentionReport;
  /** Fills the table with `rows` expired rows. */
  seed(db: SqliteDatabase): void;
  /** The old single statement. */
  readonly baselineSql: string;
  readonly cutoff: number;
  /** The index the old code did not have (dropped for the baseline), if any. */
  readonly newIndex: string | null;
  /** One batch, as the query functions build it (for the DELETE / COMMIT split). */
  readonly batchSql: string;
}

const kinds: Kind[] = [
  {
    name: 'idempotency',
    report: 'idempotencyRecords',
    seed(db) {
      const insert = db.client.prepare('insert into idempotency_keys (partner_id, key, request_hash, response_status, response_body, created_at) values (?, ?, ?, 201, ?, ?)');
      for (let i = 0; i < rows; i++) insert.run('bench', `bench-key-${i.toString().padStart(8, '0')}`, 'ab'.repeat(32), '{"passId":"0123456789abcdef0123456789abcdef"}', now - IDEMPOTENCY_RETENTION_SECONDS - 3600 - (i % 3600));
    },
    baselineSql: 'delete from idempotency_keys where created_at < ?',
    cutoff: now - IDEMPOTENCY_RETENTION_SECONDS,
    newIndex: 'idempotency_keys_created_at',
    batchSql: 'delete from idempotency_keys where (partner_id, key) in (select partner_id, key from idempotency_keys where created_at < ? order by created_at limit ?)',
  },
  {
    name: 'sessions',
    report: 'holderSessions',
    seed(db) {
      const insert = db.client.prepare('insert into holder_sessions (id_hash, person_id, csrf_token, pkce_verifier, state, nonce, created_at, expires_at) values (?, ?, ?, null, null, null, ?, ?)');
      for (let i = 0; i < rows; i++) insert.run(`${i.toString(16).padStart(8, '0')}${'cd'.repeat(28)}`, 'demo-0001', 'ef'.repeat(16), now - 7200 - (i % 3600), now - 1 - (i % 3600));
    },
    baselineSql: 'delete from holder_sessions where expires_at < ?',
    cutoff: now,
    newIndex: null,
    batchSql: 'delete from holder_sessions where id_hash in (select id_hash from holder_sessions where expires_at < ? order by expires_at limit ?)',
  },
  {
    name: 'proofs',
    report: 'usedPersonProofs',
    seed(db) {
      const insert = db.client.prepare('insert into used_person_proofs (token_hash, partner_id, idempotency_key, expires_at) values (?, ?, ?, ?)');
      for (let i = 0; i < rows; i++) insert.run(`${i.toString(16).padStart(8, '0')}${'ab'.repeat(28)}`, 'bench', `bench-key-${i}`, now - 1 - (i % 3600));
    },
    baselineSql: 'delete from used_person_proofs where expires_at < ?',
    cutoff: now,
    newIndex: 'used_person_proofs_expires_at',
    batchSql: 'delete from used_person_proofs where token_hash in (select token_hash from used_person_proofs where expires_at < ? order by expires_at limit ?)',
  },
];
const chosen = (process.argv[5] ?? 'idempotency,sessions,proofs').split(',');
const selected = kinds.filter((k) => chosen.includes(k.name));

async function seedFile(kind: Kind): Promise<string> {
  const path = join(dir, `seeded-${kind.name}.sqlite`);
  const db = openDatabase(path);
  await db.transaction((tx) => createPartner(tx, { id: 'bench', name: 'Bench', now }));
  db.client.transaction(() => kind.seed(db))();
  db.client.pragma('wal_checkpoint(TRUNCATE)');
  await db.close();
  return path;
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
type Timing = { stallMs: number; totalMs: number };

async function round(kind: Kind, seeded: string, variant: Variant, n: number): Promise<Timing> {
  if (variant === 'idle') return maxStall(() => new Promise((ok) => setTimeout(ok, 2000)));
  const path = join(dir, `${kind.name}-${variant}-${n}.sqlite`);
  copyFileSync(seeded, path);
  const db: SqliteDatabase = openDatabase(path);
  if (variant === 'baseline' && kind.newIndex) db.client.exec(`drop index ${kind.newIndex}`);
  await new Promise((ok) => setTimeout(ok, 50));
  const result = await maxStall(async () => {
    if (variant === 'baseline') {
      const removed = await db.transaction(async () => db.client.prepare(kind.baselineSql).run(kind.cutoff).changes);
      if (removed !== rows) throw new Error(`${kind.name} baseline removed ${removed}`);
    } else {
      const report = await removeExpiredRecords(db, now, batchRows);
      if (report[kind.report] !== rows) throw new Error(`${kind.name} batched removed ${report[kind.report]}`);
    }
  });
  await db.close();
  rmSync(path, { force: true });
  return result;
}

// Where a batch's time goes: the DELETE itself (CPU, through the index) and its COMMIT (the fsync
// that synchronous=FULL makes every SQLite write of the issuer pay, plus WAL auto-checkpoints).
async function split(kind: Kind, seeded: string): Promise<{ delete: number[]; commit: number[] }> {
  const times = { delete: [] as number[], commit: [] as number[] };
  const path = join(dir, `${kind.name}-split.sqlite`);
  copyFileSync(seeded, path);
  const db = openDatabase(path);
  const batch = db.client.prepare(kind.batchSql);
  for (let changes = batchRows; changes === batchRows; ) {
    db.client.exec('BEGIN IMMEDIATE');
    const t0 = performance.now();
    changes = batch.run(kind.cutoff, batchRows).changes;
    const t1 = performance.now();
    db.client.exec('COMMIT');
    times.delete.push(t1 - t0);
    times.commit.push(performance.now() - t1);
    await new Promise((next) => setImmediate(next));
  }
  await db.close();
  return times;
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]!, max: s[s.length - 1]! };
};
const fmt = (x: { min: number; median: number; max: number }) => `${x.min.toFixed(1)} / ${x.median.toFixed(1)} / ${x.max.toFixed(1)}`;
const pct = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `p50 ${s[Math.floor(s.length / 2)]!.toFixed(1)}, p99 ${s[Math.floor(s.length * 0.99)]!.toFixed(1)}, max ${s[s.length - 1]!.toFixed(1)}`;
};

for (const kind of selected) {
  const seeded = await seedFile(kind);
  const results: Record<Variant, Timing[]> = { baseline: [], batched: [], idle: [] };
  for (let n = 0; n < rounds; n++) {
    for (const variant of n % 2 === 0 ? (['baseline', 'batched', 'idle'] as const) : (['idle', 'batched', 'baseline'] as const)) results[variant].push(await round(kind, seeded, variant, n));
  }
  const times = await split(kind, seeded);
  console.log(`\nretention purge of ${rows.toLocaleString('en-US')} expired ${kind.name} rows, SQLite, batches of ${batchRows}, ${rounds} interleaved rounds, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('variant    longest event-loop stall ms (min / median / max)    purge time ms (min / median / max)');
  for (const variant of ['baseline', 'batched', 'idle'] as const) {
    console.log(`${variant.padEnd(10)} ${fmt(stats(results[variant].map((r) => r.stallMs))).padEnd(50)} ${fmt(stats(results[variant].map((r) => r.totalMs)))}`);
  }
  const ratio = stats(results.batched.map((r) => r.stallMs)).median / stats(results.baseline.map((r) => r.stallMs)).median;
  console.log(`batched / baseline, median longest stall: ${ratio.toFixed(3)}; goal: every batched stall < 50 ms: ${results.batched.every((r) => r.stallMs < 50) ? 'met' : 'NOT met'}`);
  console.log(`one batch of ${batchRows} (${times.delete.length} batches): DELETE ms ${pct(times.delete)}; COMMIT ms ${pct(times.commit)}`);
}
rmSync(dir, { recursive: true, force: true });
