// What drizzle's `.limit(1)` costs the prepared reads that keep it: drizzle binds the limit as a
// parameter (`LIMIT ?` / `LIMIT $n`), which made the stored-ETag read on SQLite about 3× dearer
// (bench/holder-etag-read.ts). Each statement below is the SQL its query function sends (taken from
// the query builder), run directly on the driver with the limit bound and with `LIMIT 1` written
// into the text, on SQLite (better-sqlite3, one connection) and on PostgreSQL (node-postgres, a
// named statement on one connection; the backend's CPU from /proc, as bench/scale.ts reads it):
//   - the holder reuse lookup (findReusableHolderPass: the holder refresh's full path and holder issuance),
//   - the newest bundle version (latestBundle: the publisher),
//   - the pass-id prefix check (passIdPrefixTaken: every issuance).
// CPU µs per read (process.cpuUsage), interleaved rounds, min / median / max.
//   npx tsx bench/bound-limit-reads.ts [people, default 5000] [rounds, default 5]
import Database from 'better-sqlite3';
import { and, desc, eq, fillPlaceholders, gt, gte, lt, sql } from 'drizzle-orm';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase } from '../src/db/open-database.ts';
import { openPostgres } from '../src/db/postgres/open-postgres.ts';
import type { Queryable } from '../src/db/store.ts';
import { spread } from './support/measure.ts';

const PEOPLE = Number(process.argv[2] ?? 5000);
const ROUNDS = Number(process.argv[3] ?? 5);
const READS = 5000;
const PASSES_PER_PERSON = 8;
const PG_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const schema = `bench_bound_limit_${process.pid}`;
const dir = mkdtempSync(join(tmpdir(), 'vaxpass-bound-limit-'));
const ph = (name: string) => sql.placeholder(name);
const TYPES = ['vaccination', 'test', 'recovery', 'exemption'] as const;

/** The three statements as the query functions build them (their LIMIT bound), with the values of one read. */
function statements(db: Queryable) {
  const { issuedPasses: p, revocations: r, bundleVersions: b } = db.t;
  const reuse = db.orm
    .select({ pass: p, revocationId: r.id })
    .from(p)
    .leftJoin(r, and(eq(r.kind, 'pass'), eq(r.subject, p.passId)))
    .where(and(eq(p.personId, ph('personId')), eq(p.type, ph('type')), eq(p.issuedBy, 'holder'), eq(p.factsHash, ph('factsHash')), gt(p.exp, ph('validAfter'))))
    .orderBy(desc(p.iat))
    .limit(1);
  const latest = db.orm.select().from(b).orderBy(desc(b.version)).limit(1);
  const prefix = db.orm.select({ passId: p.passId }).from(p).where(and(gte(p.passId, ph('from')), lt(p.passId, ph('to')))).limit(1);
  const built = (q: { toSQL(): { sql: string; params: unknown[] } }) => q.toSQL();
  return [
    { name: 'holder reuse lookup', ...built(reuse), values: (i: number) => ({ personId: `p-${i % PEOPLE}`, type: 'vaccination', factsHash: `f-${i % PEOPLE}`, validAfter: 0 }) },
    { name: 'latest bundle version', ...built(latest), values: () => ({}) },
    { name: 'pass-id prefix taken', ...built(prefix), values: (i: number) => ({ from: (i * 2654435761 % 0xffffff).toString(16).padStart(6, '0'), to: `${(i * 2654435761 % 0xffffff).toString(16).padStart(6, '0')}g` }) },
  ];
}

/** The statement's SQL with its trailing bound LIMIT written as `limit 1`. */
const literalLimit = (text: string) => text.replace(/ limit (\?|\$\d+)$/, ' limit 1');

/** The statement's values for one read; the limit, drizzle's last parameter, only when it is bound. */
function positional(params: unknown[], named: Record<string, unknown>, bound: boolean): unknown[] {
  const values = fillPlaceholders(params, named);
  return bound ? values : values.slice(0, -1);
}

const results = new Map<string, number[]>();
const push = (key: string, value: number) => results.set(key, [...(results.get(key) ?? []), value]);

// SQLite
{
  const path = join(dir, 'bound-limit.sqlite');
  const store = openDatabase(path);
  const raw = new Database(path);
  raw.pragma('foreign_keys = OFF');
  seedSqlite(raw);
  const list = statements(store);
  const prepared = list.map((s) => ({ ...s, bound: raw.prepare(s.sql).raw(), literal: raw.prepare(literalLimit(s.sql)).raw() }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const s of prepared) {
      for (const form of round % 2 ? (['literal', 'bound'] as const) : (['bound', 'literal'] as const)) {
        const before = process.cpuUsage();
        for (let i = 0; i < READS; i++) s[form].get(...positional(s.params, s.values(i), form === 'bound'));
        const used = process.cpuUsage(before);
        push(`SQLite: ${s.name}, ${form === 'bound' ? 'LIMIT ? (as the query function)' : 'LIMIT 1 in the text'}`, (used.user + used.system) / READS);
      }
    }
  }
  raw.close();
  await store.close();
}

// PostgreSQL
{
  const store = await openPostgres(PG_URL, { schema, poolSize: 1 });
  const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    await seedPostgres(client);
    const backend = (await client.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    const backendCpu = () => {
      const f = readFileSync(`/proc/${backend}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
      return (Number(f[11]) + Number(f[12])) / 100;
    };
    const list = statements(store);
      for (let round = 0; round < ROUNDS; round++) {
      for (const [n, s] of list.entries()) {
        for (const form of round % 2 ? (['literal', 'bound'] as const) : (['bound', 'literal'] as const)) {
          const text = form === 'bound' ? s.sql : literalLimit(s.sql);
          const name = `bound_limit_${n}_${form}`;
          const before = process.cpuUsage();
          const beforeBackend = backendCpu();
          for (let i = 0; i < READS; i++) await client.query({ name, text, values: positional(s.params, s.values(i), form === 'bound'), rowMode: 'array' });
          const used = process.cpuUsage(before);
          const label = `PostgreSQL: ${s.name}, ${form === 'bound' ? 'LIMIT $n (as the query function)' : 'LIMIT 1 in the text'}`;
          push(`${label}: client`, (used.user + used.system) / READS);
          push(`${label}: backend`, ((backendCpu() - beforeBackend) * 1e6) / READS);
        }
      }
    }
  } finally {
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
    await store.close();
  }
}

console.log(`bench/bound-limit-reads: ${PEOPLE} people × ${PASSES_PER_PERSON} passes, ${READS} reads per run, ${ROUNDS} interleaved rounds, load average at the end ${loadavg().map((l) => l.toFixed(1)).join(', ')}`);
console.log('\n| statement | CPU µs per read, median (min–max) |');
console.log('|---|---|');
for (const [name, xs] of results) {
  const s = spread(xs);
  console.log(`| ${name} | ${s.median.toFixed(1)} (${s.min.toFixed(1)}–${s.max.toFixed(1)}) |`);
}
rmSync(dir, { recursive: true, force: true });

function passRows(): unknown[][] {
  const rows: unknown[][] = [];
  for (let i = 0; i < PEOPLE; i++) {
    for (let j = 0; j < PASSES_PER_PERSON; j++) {
      const passId = ((i * PASSES_PER_PERSON + j) * 2654435761 % 0xffffffff).toString(16).padStart(8, '0') + j.toString(16).padStart(24, '0');
      rows.push([passId, `p-${i}`, 'k1', TYPES[j % TYPES.length], 1_000 + j, 4_000_000_000, j % 2 ? 'partner-a' : 'holder', `f-${i}`, 'QR-TEXT', 1_000 + j]);
    }
  }
  return rows;
}

function seedSqlite(raw: Database.Database): void {
  const insert = raw.prepare('insert into issued_passes (pass_id, person_id, kid, type, iat, exp, issued_by, facts_hash, text, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const bundle = raw.prepare('insert into bundle_versions (version, issued_at, expires_at, content_hash, jws) values (?, ?, ?, ?, ?)');
  raw.transaction(() => {
    for (const row of passRows()) insert.run(...row);
    for (let v = 1; v <= 50; v++) bundle.run(v, v, v + 86_400, `h${v}`, 'x'.repeat(200));
  })();
  raw.exec('analyze');
}

async function seedPostgres(client: pg.Client): Promise<void> {
  const rows = passRows();
  await client.query(`insert into people (id, name, birth_date, created_at) select 'p-' || i, 'n', '1980-01-01', 0 from generate_series(0, $1::int - 1) i`, [PEOPLE]);
  for (let at = 0; at < rows.length; at += 5000) {
    const chunk = rows.slice(at, at + 5000);
    const columns = chunk[0]!.map((_, c) => chunk.map((r) => r[c]));
    await client.query(
      'insert into issued_passes (pass_id, person_id, kid, type, iat, exp, issued_by, facts_hash, text, created_at) select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::bigint[])',
      columns,
    );
  }
  await client.query(`insert into bundle_versions (version, issued_at, expires_at, content_hash, jws) select v, v, v + 86400, 'h' || v, repeat('x', 200) from generate_series(1, 50) v`);
  await client.query('analyze');
}
