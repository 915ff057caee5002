// How PostgreSQL plans the stored-ETag read (storedHolderAnswersForSessions, the read behind nearly
// every holder 304) as the number of sessions grows, and what each plan costs. The statement is
// named (prepared.ts), so the server may keep one generic plan per connection or plan every
// execution again with its values ("custom"); which it does depends on the estimated costs, that
// is on the table sizes. For each size: a fresh schema with that many sessions, each of its own
// person with a stored answer, and batches of BATCH (default 7, what bench/holder-304-cpu.ts
// counted per statement) random sessions, two statements under way as the issuer keeps them:
//   - the query function as the issuer runs it (since 2026-11-25: one statement per batch size,
//     sessions by primary key only, docs/benchmarks.md);
//   - the earlier read's shape, the ids as one array (`= any($1)`), with the expiry judged in the
//     issuer (tried on 2026-11-25 00:16, rejected: see docs/benchmarks.md).
// Statements of the query function are counted over all its batch sizes.
// Per statement: the client's CPU (process.cpuUsage), the backends' CPU (/proc), and how many
// generic and custom plans the server made (pg_prepared_statements).
//   npx tsx bench/stored-etag-plans.ts [sessions …, default 2000 50000] [statements per run, default 3000]
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import pg from 'pg';
import { openPostgres } from '../src/db/postgres/open-postgres.ts';
import { storedHolderAnswersForSessions } from '../src/db/queries/holder-answers.ts';
import { sessionIdHash } from '../src/db/queries/holder-sessions.ts';

const args = process.argv.slice(2).map(Number);
const SIZES = args.length > 1 ? args.slice(0, -1) : [2000, 50_000];
const STATEMENTS = args.length > 1 ? args[args.length - 1]! : 3000;
const BATCH = Number(process.env.BATCH ?? 7);
const ROUNDS = 3;
const PG_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const APPLICATION = `vaxpass-stored-etag-plans-${process.pid}`;
const NOW = 1_000;

/** The read with no expiry in SQL (session and answer expiry compared in the issuer). */
const EXPIRY_IN_ISSUER = `select s.id_hash, a.person_id, a.etag, s.expires_at, a.valid_until from holder_sessions s
  join holder_answers a on a.person_id = s.person_id left join holder_answer_generation g on g.id = 1
  where s.id_hash = any($1) and a.etag is not null and a.generation = coalesce(g.generation, 0)`;

const cpuOfPids = (pids: number[]) =>
  pids.reduce((sum, pid) => {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return sum + (Number(f[11]) + Number(f[12])) / 100;
  }, 0);

const admin = new pg.Client({ connectionString: PG_URL });
await admin.connect();
console.log(`bench/stored-etag-plans: batches of ${BATCH} sessions, ${STATEMENTS} statements per run, ${ROUNDS} rounds`);
console.log('\n| sessions | read | client CPU µs/statement, median (min–max) | backend CPU µs/statement | plans: generic / custom |');
console.log('|---|---|---|---|---|');
for (const size of SIZES) {
  const schema = `bench_etag_plans_${process.pid}_${size}`;
  const url = new URL(PG_URL);
  url.searchParams.set('application_name', APPLICATION);
  const db = await openPostgres(url.toString(), { schema, poolSize: 2 });
  const raw = new pg.Pool({ connectionString: url.toString(), max: 2, options: `-c search_path=${schema}` });
  try {
    const cookies = Array.from({ length: size }, (_, i) => `bench-session-${i}`);
    await admin.query(`insert into "${schema}".holder_sessions (id_hash, person_id, csrf_token, created_at, expires_at) select h, 'p-' || i, 'x', 0, 2000000000 from unnest($1::text[]) with ordinality as t(h, i)`, [cookies.map(sessionIdHash)]);
    await admin.query(`insert into "${schema}".holder_answers (person_id, changes, etag, valid_until, generation) select 'p-' || i, 0, '"' || md5('etag' || i) || '"', 2000000000, 0 from generate_series(1, $1::int) i`, [size]);
    await admin.query(`analyze "${schema}".holder_sessions, "${schema}".holder_answers`);
    let k = 0;
    const next = () => Array.from({ length: BATCH }, () => cookies[(k = (k + 7919) % size)]!);
    const reads: Record<string, () => Promise<number>> = {
      'query function': async () => (await storedHolderAnswersForSessions(db, next(), NOW)).size,
      'one array, expiry judged in the issuer': async () => {
        const rows = (await raw.query({ name: 'expiry_in_issuer', text: EXPIRY_IN_ISSUER, values: [next().map(sessionIdHash)], rowMode: 'array' })).rows as [string, string, string, number, number][];
        return rows.filter((r) => Number(r[3]) > NOW && Number(r[4]) > NOW).length;
      },
    };
    const figures = new Map<string, { client: number[]; backend: number[] }>();
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 ? Object.entries(reads).reverse() : Object.entries(reads);
      for (const [name, read] of order) {
        for (let i = 0; i < 50; i++) await read();
        const pids = (await admin.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [APPLICATION])).rows.map((r) => r.pid);
        const backendBefore = cpuOfPids(pids);
        const before = process.cpuUsage();
        await Promise.all([0, 1].map(async () => {
          for (let i = 0; i < STATEMENTS / 2; i++) if ((await read()) !== BATCH) throw new Error(`${name}: a session was not found`);
        }));
        const used = process.cpuUsage(before);
        const f = figures.get(name) ?? { client: [], backend: [] };
        f.client.push((used.user + used.system) / STATEMENTS);
        f.backend.push(((cpuOfPids(pids) - backendBefore) * 1e6) / STATEMENTS);
        figures.set(name, f);
      }
    }
    // Each connection reports its own prepared statements: both connections of both pools are asked.
    const plans = new Map<string, [number, number]>();
    for (const pool of [(db.orm as unknown as { $client: pg.Pool }).$client, raw]) {
      const clients = [await pool.connect(), await pool.connect()];
      try {
        for (const client of clients) {
          for (const r of (await client.query('select name, generic_plans, custom_plans from pg_prepared_statements')).rows) {
            const name = String(r.name).startsWith('vaxpass_storedHolderAnswers') ? 'query function' : r.name === 'expiry_in_issuer' ? 'one array, expiry judged in the issuer' : null;
            if (!name) continue;
            const [g, c] = plans.get(name) ?? [0, 0];
            plans.set(name, [g + Number(r.generic_plans), c + Number(r.custom_plans)]);
          }
        }
      } finally {
        for (const client of clients) client.release();
      }
    }
    const range = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      return `${s[Math.floor(s.length / 2)]!.toFixed(0)} (${s[0]!.toFixed(0)}–${s[s.length - 1]!.toFixed(0)})`;
    };
    for (const [name, f] of figures) {
      const [g, c] = plans.get(name) ?? [0, 0];
      console.log(`| ${size.toLocaleString('en')} | ${name} | ${range(f.client)} | ${range(f.backend)} | ${g} / ${c} |`);
    }
  } finally {
    await raw.end();
    await db.close();
    await admin.query(`drop schema if exists "${schema}" cascade`);
  }
}
console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(', ')}`);
await admin.end();
