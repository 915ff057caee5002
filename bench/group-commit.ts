// SQLite group commit: issuance-shaped transactions (three single-row INSERTs) from 16 concurrent
// callers through the store, which groups them into shared commits, against the same transactions
// committed one by one on a WAL file with synchronous=FULL (one fsync in each COMMIT): the disk's
// fsync rate is the ceiling the grouping lifts. The store itself runs synchronous=NORMAL and syncs
// the WAL on the thread pool before it answers (src/db/wal-sync.ts), so both sides are durable. Min / median / max over interleaved rounds.
//   npx tsx bench/group-commit.ts [rounds, default 5] [ms per round, default 1500]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type SqliteDatabase } from '../src/db/open-database.ts';
import { appendAudit } from '../src/db/queries/audit-log.ts';

const ROUNDS = Number(process.argv[2] ?? 5);
const ROUND_MS = Number(process.argv[3] ?? 1500);
const CONCURRENCY = 16;
const dir = mkdtempSync(join(tmpdir(), 'vaxpass-group-commit-'));
const entry = { at: 0, actor: 'bench', action: 'bundle.published' as const };

async function grouped(db: SqliteDatabase, ms: number): Promise<number> {
  const deadline = performance.now() + ms;
  let n = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        await db.transaction(async (tx) => {
          await appendAudit(tx, entry);
          await appendAudit(tx, entry);
          await appendAudit(tx, entry);
        });
        n++;
      }
    }),
  );
  return n / ((performance.now() - t0) / 1000);
}

function oneByOne(db: SqliteDatabase, ms: number): number {
  const insert = db.client.prepare("INSERT INTO audit_log (at, actor, action) VALUES (0, 'bench', 'bundle.published')");
  const tx = db.client.transaction(() => {
    insert.run();
    insert.run();
    insert.run();
  });
  const deadline = performance.now() + ms;
  let n = 0;
  const t0 = performance.now();
  while (performance.now() < deadline) {
    tx.immediate();
    n++;
  }
  return n / ((performance.now() - t0) / 1000);
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]!, max: s[s.length - 1]! };
};

const a = openDatabase(join(dir, 'grouped.sqlite'));
const b = openDatabase(join(dir, 'one-by-one.sqlite'));
// The baseline commits with its own fsync, as the store did before its sync moved to the thread pool.
b.client.pragma('synchronous = FULL');
try {
  const g: number[] = [];
  const o: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2) {
      o.push(oneByOne(b, ROUND_MS));
      g.push(await grouped(a, ROUND_MS));
    } else {
      g.push(await grouped(a, ROUND_MS));
      o.push(oneByOne(b, ROUND_MS));
    }
  }
  const sg = stats(g);
  const so = stats(o);
  console.log(`SQLite, 3-insert transactions, durable, ${ROUNDS} interleaved rounds of ${ROUND_MS} ms`);
  console.log(`  baseline: one commit each (better-sqlite3, synchronous=FULL)  ${so.median.toFixed(0)} tx/s (${so.min.toFixed(0)}–${so.max.toFixed(0)})`);
  console.log(`  store, ${CONCURRENCY} concurrent callers, group commit       ${sg.median.toFixed(0)} tx/s (${sg.min.toFixed(0)}–${sg.max.toFixed(0)})`);
  console.log(`  ratio: ${(sg.median / so.median).toFixed(2)}`);
} finally {
  await a.close();
  await b.close();
  rmSync(dir, { recursive: true, force: true });
}
