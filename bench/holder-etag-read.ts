// The stored-ETag read of a holder 304 on SQLite (src/db/queries/holder-answers.ts), alone in a
// loop, in CPU µs per read (process.cpuUsage, robust to a shared machine), for the variants the
// profile of bench/scale.ts's "uncached" row pointed at:
//   - the WAL as start-up leaves it (every write since the last checkpoint still in it) or
//     checkpointed (PRAGMA wal_checkpoint(TRUNCATE));
//   - the query function as the issuer calls it (drizzle's prepared statement, row mapping), the
//     same SQL on the better-sqlite3 statement directly with .raw(), and that SQL with the
//     `LIMIT ?` drizzle's .limit(1) bound before (each rebinding of it cost a read 3×).
// Interleaved rounds, min / median / max, ratios to the first variant measured in the same run.
//   npx tsx bench/holder-etag-read.ts [people, default 20000] [rounds, default 5]
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/db/open-database.ts';
import { storedHolderAnswerForSession } from '../src/db/queries/holder-answers.ts';
import { sessionIdHash } from '../src/db/queries/holder-sessions.ts';
import { spread } from './support/measure.ts';

const PEOPLE = Number(process.argv[2] ?? 20_000);
const ROUNDS = Number(process.argv[3] ?? 5);
const READS = 20_000;
const dir = mkdtempSync(join(tmpdir(), 'vaxpass-etag-read-'));
const path = join(dir, 'read.sqlite');
const now = Math.floor(Date.now() / 1000);

const db = openDatabase(path);
const cookies: string[] = [];
// Written in batches as sign-ins and refreshes would: one session and one stored answer per person.
for (let done = 0; done < PEOPLE; done += 500) {
  await db.transaction(async (tx) => {
    for (let i = done; i < Math.min(PEOPLE, done + 500); i++) {
      const cookie = randomBytes(32).toString('base64url');
      cookies.push(cookie);
      const personId = `p-${i}`;
      await tx.orm.insert(tx.t.holderSessions).values({ idHash: sessionIdHash(cookie), personId, csrfToken: 'c', pkceVerifier: null, state: null, nonce: null, createdAt: now, expiresAt: now + 86_400 });
      await tx.orm.insert(tx.t.holderAnswers).values({ personId, changes: 0, etag: `"h-${i}"`, validUntil: now + 3600, generation: 0 });
    }
  });
}
const walBytes = () => statSync(`${path}-wal`).size;

const SQL = `select a.person_id, a.etag, s.expires_at from holder_sessions s join holder_answers a on a.person_id = s.person_id
  left join holder_answer_generation g on g.id = 1
  where s.id_hash = ? and s.expires_at > ? and a.valid_until > ? and a.etag is not null and a.generation = coalesce(g.generation, 0) limit 1`;
const raw = new Database(path, { readonly: true });
const rawStatement = raw.prepare(SQL).raw();
const boundLimit = raw.prepare(SQL.replace('limit 1', 'limit ?')).raw();

type Variant = () => Promise<void> | void;
let k = 0;
const next = () => cookies[(k = (k + 7919) % cookies.length)]!;
const variants: Record<string, Variant> = {
  'query function (drizzle prepared)': async () => {
    for (let i = 0; i < READS; i++) if ((await storedHolderAnswerForSession(db, next(), now)) === null) throw new Error('miss');
  },
  'better-sqlite3 .raw().get': () => {
    for (let i = 0; i < READS; i++) if (rawStatement.get(sessionIdHash(next()), now, now) === undefined) throw new Error('miss');
  },
  'better-sqlite3 .raw().get, LIMIT ? bound (as before)': () => {
    for (let i = 0; i < READS; i++) if (boundLimit.get(sessionIdHash(next()), now, now, 1) === undefined) throw new Error('miss');
  },
};

async function cpuPerRead(run: Variant): Promise<number> {
  const before = process.cpuUsage();
  await run();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / READS;
}

const results = new Map<string, number[]>();
for (const wal of ['WAL as left by the writes', 'WAL checkpointed']) {
  if (wal === 'WAL checkpointed') db.client.pragma('wal_checkpoint(TRUNCATE)');
  const label = (name: string) => `${wal} (${(walBytes() / 1024).toFixed(0)} KB): ${name}`;
  for (const name of Object.keys(variants)) results.set(label(name), []);
  for (let r = 0; r < ROUNDS; r++) {
    const names = Object.keys(variants);
    for (const name of r % 2 ? names.reverse() : names) results.get(label(name))!.push(await cpuPerRead(variants[name]!));
  }
}

console.log(`bench/holder-etag-read: ${PEOPLE} people with a session and a stored answer, ${READS} reads per run, ${ROUNDS} interleaved rounds`);
console.log('\n| variant | CPU µs per read, median (min–max) | first / this |');
console.log('|---|---|---|');
const first = spread([...results.values()][0]!).median;
for (const [name, xs] of results) {
  const s = spread(xs);
  console.log(`| ${name} | ${s.median.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)}) | ${(first / s.median).toFixed(2)} |`);
}
console.log(`load average: ${loadavg().map((l) => l.toFixed(2)).join(', ')}`);
raw.close();
await db.close();
rmSync(dir, { recursive: true, force: true });
