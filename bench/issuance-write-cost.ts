// What PostgreSQL's backend spends on a partner issuance's two statements (the one read,
// readIssuanceForPerson, and the one write, recordIssuance), and what parts of the write cost:
// each variant below runs the query functions against its own fresh schema of DATABASE_URL (default
// the local test server), CALLERS callers at once on a pool of min(CALLERS, 8), interleaved
// rounds (reversed every other round). Per statement: the backends' CPU (/proc/<pid>/schedstat,
// nanoseconds), WAL bytes (pg_current_wal_lsn deltas), and at the end how many generic and custom
// plans each named statement had on the variant's connections (pg_prepared_statements).
//   npx tsx bench/issuance-write-cost.ts [statements per run, default 2000] [rounds, default 3] [variant …]
// Variants (default all): as-is; read (the read instead of the write); async-commit
// (synchronous_commit off: the commit's WAL flush, for scale only, never a configuration);
// no-fk (the write's two foreign keys dropped); no-issued-by-index.
// CALLERS (default 1): concurrent callers. All issuances name one person and one partner, as
// bench/issuance-cpu.ts does: with several callers the foreign keys' row locks on that person and
// partner then become shared by concurrent transactions (multixacts), counted from pg_stat_slru.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import pg from 'pg';
import { openPostgres, type PostgresDatabase } from '../src/db/postgres/open-postgres.ts';
import { readIssuanceForPerson } from '../src/db/queries/issuance-reads.ts';
import { recordIssuance, type IssuanceRecord } from '../src/db/queries/record-issuance.ts';
import { formatSpread } from './support/measure.ts';

const STATEMENTS = Number(process.argv[2] ?? 2000);
const ROUNDS = Number(process.argv[3] ?? 3);
const VARIANTS = process.argv.length > 4 ? process.argv.slice(4) : ['as-is', 'read', 'async-commit', 'no-fk', 'no-issued-by-index'];
const CALLERS = Number(process.env.CALLERS ?? 1);
const PG_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

const cpuSeconds = (pids: readonly number[]) => pids.reduce((sum, pid) => sum + Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e9, 0);

let n = 0;
function issuance(): IssuanceRecord {
  const passId = randomBytes(12).toString('base64url');
  const at = 1_800_000_000;
  return {
    idempotency: { partnerId: 'bench', key: `key-${process.pid}-${++n}`, requestHash: 'h'.repeat(64), responseStatus: 201, responseBody: 'x'.repeat(180), createdAt: at },
    pass: { passId, personId: 'person-1', kid: 'kid-1', type: 'vaccination', iat: at, exp: at + 86_400, issuedBy: 'bench', factsHash: 'f'.repeat(60), text: `HC1:${'A'.repeat(300)}`, createdAt: at },
    audit: { at, actor: 'partner:bench', action: 'pass.issued', passId, personId: 'person-1', requestId: `request-${n}` },
  };
}

interface Variant {
  readonly name: string;
  readonly db: PostgresDatabase;
  readonly pids: number[];
  readonly run: (db: PostgresDatabase) => Promise<unknown>;
  readonly cpu: number[];
  readonly wal: number[];
  readonly multixactPages: number[];
}

const admin = new pg.Client({ connectionString: PG_URL });
await admin.connect();
const variants: Variant[] = [];
const lsn = async () => (await admin.query<{ l: string }>('select pg_current_wal_lsn() as l')).rows[0]!.l;
const multixactPages = async () => Number((await admin.query<{ z: string }>("select sum(blks_zeroed) as z from pg_stat_slru where name like 'MultiXact%'")).rows[0]!.z);
try {
  for (const name of VARIANTS) {
    const schema = `bench_issuance_write_${process.pid}_${name.replace(/-/g, '_')}`;
    const application = `vaxpass-issuance-write-${process.pid}-${name}`;
    const url = new URL(PG_URL);
    url.searchParams.set('application_name', application);
    if (name === 'async-commit') url.searchParams.set('options', '-c synchronous_commit=off');
    const db = await openPostgres(url.toString(), { schema, poolSize: Math.min(CALLERS, 8) });
    await admin.query(`insert into "${schema}".partners (id, name, api_key_hash, scopes, quota_per_minute, created_at, registry_trusted) values ('bench', 'Bench', md5('bench'), '[]', 1000, 0, 1)`);
    await admin.query(`insert into "${schema}".people (id, name, birth_date, created_at) values ('person-1', 'Person One', '1970-01-01', 0)`);
    if (name === 'no-fk') await admin.query(`alter table "${schema}".issued_passes drop constraint issued_passes_person_id_people_id_fk; alter table "${schema}".idempotency_keys drop constraint idempotency_keys_partner_id_partners_id_fk`);
    if (name === 'no-issued-by-index') await admin.query(`drop index "${schema}".issued_passes_issued_by`);
    const run = name === 'read' ? (d: PostgresDatabase) => readIssuanceForPerson(d, 'bench', `key-absent-${++n}`, 'person-1') : async (d: PostgresDatabase) => {
      if (!(await recordIssuance(d, issuance()))) throw new Error('the issuance was not recorded');
    };
    // Warm: every pooled connection opened and its statements past their first five (custom) plans.
    for (let i = 0; i < 10; i++) await Promise.all(Array.from({ length: Math.min(CALLERS, 8) }, () => run(db)));
    const pids = (await admin.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [application])).rows.map((r) => r.pid);
    variants.push({ name, db, pids, run, cpu: [], wal: [], multixactPages: [] });
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of round % 2 ? [...variants].reverse() : variants) {
      const [cpu0, wal0, mx0] = [cpuSeconds(v.pids), await lsn(), await multixactPages()];
      let left = STATEMENTS;
      await Promise.all(Array.from({ length: CALLERS }, async () => {
        while (left-- > 0) await v.run(v.db);
      }));
      const walBytes = Number((await admin.query<{ d: string }>('select pg_wal_lsn_diff(pg_current_wal_lsn(), $1) as d', [wal0])).rows[0]!.d);
      v.cpu.push(((cpuSeconds(v.pids) - cpu0) / STATEMENTS) * 1e6);
      v.wal.push(walBytes / STATEMENTS);
      v.multixactPages.push((await multixactPages()) - mx0);
    }
  }
  console.log(`bench/issuance-write-cost: ${STATEMENTS} statements per run, ${CALLERS} caller(s), ${ROUNDS} interleaved rounds, load average at the end ${loadavg()[0]!.toFixed(1)}`);
  console.log('\n| variant | backend CPU µs/statement | WAL bytes/statement | multixact pages zeroed per run | plans: generic / custom |');
  console.log('|---|---|---|---|---|');
  for (const v of variants) {
    const client = await (v.db.orm as unknown as { $client: pg.Pool }).$client.connect();
    const plans = (await client.query<{ g: string; c: string }>("select sum(generic_plans) as g, sum(custom_plans) as c from pg_prepared_statements where name like 'vaxpass_%'")).rows[0]!;
    client.release();
    console.log(`| ${v.name} | ${formatSpread(v.cpu)} | ${formatSpread(v.wal)} | ${formatSpread(v.multixactPages)} | ${plans.g} / ${plans.c} (one connection) |`);
  }
} finally {
  for (const v of variants) {
    await v.db.close();
    await admin.query(`drop schema if exists "bench_issuance_write_${process.pid}_${v.name.replace(/-/g, '_')}" cascade`);
  }
  await admin.end();
}
