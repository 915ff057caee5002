// Pages an issuance writes on SQLite, by table shape (issue 7, "fewer B-tree pages"). Each
// variant is a fresh file with the committed migrations, then the shape changed by a few
// statements, `PRE` issuances already stored, and then issuance's write exactly as the group
// commit makes it (BEGIN IMMEDIATE, per member SAVEPOINT, the idempotency record, the pass and the
// audit entry, RELEASE; COMMIT per batch of 20), with random 64-bit pass ids and random 128-bit
// Idempotency-Keys as partners send them. Reported per issuance: WAL frames appended (one frame
// per dirty page per commit; counted from the -wal file's growth with checkpoints off), and this
// process's CPU for the writes with the store's default autocheckpoint (the checkpoint writes each
// page a second time, into the database file), and each tree's bytes per pass stored (dbstat).
//   npx tsx bench/issuance-pages.ts [passes stored first, default 20000] [batches, default 300]
//   BENCH_VARIANTS=current,noPrefixIndex to choose; BENCH_AUTOCHECKPOINT=0 to leave checkpoints out.
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateSqlite } from '../src/db/open-database.ts';

const PRE = Number(process.argv[2] ?? 20_000);
const BATCHES = Number(process.argv[3] ?? 300);
const BATCH = 20;
const FRAME_BATCHES = 100;
const AUTOCHECKPOINT = Number(process.env.BENCH_AUTOCHECKPOINT ?? 1000);
// About a real pass's QR text (the bench's demo person: 430–450 characters).
const TEXT = 'x'.repeat(440);

/** Shapes tried: statements applied after the migrations. */
const PREFIX_ROWID_TABLE = [
  'DROP TABLE issued_passes',
  `CREATE TABLE issued_passes (pass_id_prefix integer PRIMARY KEY, pass_id text NOT NULL, person_id text NOT NULL REFERENCES people(id), kid text NOT NULL, type text NOT NULL, iat integer NOT NULL, exp integer NOT NULL, issued_by text NOT NULL, facts_hash text NOT NULL, text text NOT NULL, created_at integer NOT NULL)`,
  'CREATE INDEX issued_passes_holder_reuse ON issued_passes (person_id, issued_by, type, facts_hash, iat)',
  'CREATE INDEX issued_passes_exp ON issued_passes (exp)',
];
const VARIANTS: Record<string, { readonly sql: readonly string[]; readonly prefixRowid?: boolean; readonly probePrefix?: boolean }> = {
  // main: rowid table, text primary key (autoindex), holder_reuse, issued_by, exp, unique substr(pass_id, 1, 10).
  current: { sql: [] },
  // issued_by is read by no query (grep src/db/queries).
  noIssuedByIndex: { sql: ['DROP INDEX issued_passes_issued_by'] },
  // The 40-bit prefix as the rowid: the autoindex and the prefix index collapse into the table (rows of ~600 bytes then go to random leaves).
  prefixRowid: { sql: PREFIX_ROWID_TABLE, prefixRowid: true },
  // ... and the idempotency record WITHOUT ROWID on (partner, key): one tree fewer there.
  prefixRowidIdempotencyWithoutRowid: {
    sql: [
      ...PREFIX_ROWID_TABLE,
      'DROP TABLE idempotency_keys',
      'CREATE TABLE idempotency_keys (partner_id text NOT NULL REFERENCES partners(id), key text NOT NULL, request_hash text NOT NULL, response_status integer NOT NULL, response_body text NOT NULL, created_at integer NOT NULL, PRIMARY KEY (partner_id, key)) WITHOUT ROWID',
      'CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at)',
    ],
    prefixRowid: true,
  },
  // The bound of one random pass-id tree instead of two: the prefix index gone, its uniqueness checked by a read of the primary key's range in the write (as holder issuance looks before it signs).
  noPrefixIndex: { sql: ['DROP INDEX issued_passes_pass_id_prefix'], probePrefix: true },
};

const dir = mkdtempSync(join(tmpdir(), 'vaxpass-issuance-pages-'));
try {
  console.log(`bench/issuance-pages: ${PRE} passes stored first, batches of ${BATCH}, ${BATCHES} batches timed, autocheckpoint ${AUTOCHECKPOINT}, load average ${loadavg()[0]!.toFixed(1)}\n`);
  console.log('| shape | WAL frames per issuance | CPU µs per issuance (user + system) | bytes per pass, by tree (dbstat) |');
  console.log('|---|---|---|---|');
  for (const name of process.env.BENCH_VARIANTS?.split(',') ?? Object.keys(VARIANTS)) {
    const variant = VARIANTS[name]!;
    const file = join(dir, `${name}.sqlite`);
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrateSqlite(db, file);
    for (const statement of variant.sql) db.exec(statement);
    db.exec("INSERT INTO people (id, name, birth_date, created_at) VALUES ('p1', 'A', '1980-01-01', 0)");
    db.exec("INSERT INTO partners (id, name, api_key_hash, scopes, quota_per_minute, created_at) VALUES ('bench', 'Bench', 'h', '[]', 1, 0)");
    const columns = 'pass_id, person_id, kid, type, iat, exp, issued_by, facts_hash, text, created_at';
    const insertPass = db.prepare(variant.prefixRowid ? `INSERT INTO issued_passes (pass_id_prefix, ${columns}) VALUES (?,?,?,?,?,?,?,?,?,?,?)` : `INSERT INTO issued_passes (${columns}) VALUES (?,?,?,?,?,?,?,?,?,?)`);
    const insertKey = db.prepare('INSERT INTO idempotency_keys (partner_id, key, request_hash, response_status, response_body, created_at) VALUES (?,?,?,?,?,?) ON CONFLICT DO NOTHING RETURNING key');
    const insertAudit = db.prepare('INSERT INTO audit_log (at, actor, action, pass_id, person_id, request_id, detail) VALUES (?,?,?,?,?,?,?)');
    const probe = db.prepare('SELECT 1 FROM issued_passes WHERE pass_id >= ? AND pass_id < ? LIMIT 1');
    let t = 1_800_000_000;
    const issue = () => {
      const id = randomBytes(8).toString('hex');
      t++;
      if (variant.probePrefix) probe.get(id.slice(0, 10), `${id.slice(0, 10)}g`);
      insertKey.all('bench', randomBytes(16).toString('hex'), 'h'.repeat(64), 201, `{"passId":"${id}"}`, t);
      const row = [id, 'p1', 'kid1', 'vaccination', t, t + 31_536_000, 'bench', 'f'.repeat(64), TEXT, t];
      insertPass.run(...(variant.prefixRowid ? [parseInt(id.slice(0, 10), 16), ...row] : row));
      insertAudit.run(t, 'partner:bench', 'pass.issued', id, 'p1', randomBytes(8).toString('hex'), null);
    };
    db.transaction(() => {
      for (let i = 0; i < PRE; i++) issue();
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    const batch = () => {
      db.exec('BEGIN IMMEDIATE');
      for (let i = 0; i < BATCH; i++) {
        db.exec('SAVEPOINT member');
        issue();
        db.exec('RELEASE member');
      }
      db.exec('COMMIT');
    };
    db.pragma('wal_autocheckpoint = 0');
    const walBefore = statSync(`${file}-wal`).size;
    for (let b = 0; b < FRAME_BATCHES; b++) batch();
    const frames = (statSync(`${file}-wal`).size - walBefore) / (db.pragma('page_size', { simple: true }) as number + 24) / (FRAME_BATCHES * BATCH);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT}`);
    const cpu = process.cpuUsage();
    for (let b = 0; b < BATCHES; b++) batch();
    const used = process.cpuUsage(cpu);
    const n = BATCHES * BATCH;
    const passes = (db.prepare('SELECT count(*) AS n FROM issued_passes').get() as { n: number }).n;
    const trees = db.prepare("SELECT name, sum(pgsize) AS bytes FROM dbstat WHERE name LIKE 'issued_passes%' OR name LIKE 'sqlite_autoindex_issued_passes%' OR name LIKE 'idempotency_keys%' OR name LIKE 'sqlite_autoindex_idempotency_keys%' OR name LIKE 'audit_log%' GROUP BY name ORDER BY name").all() as { name: string; bytes: number }[];
    const sizes = trees.map((tree) => `${tree.name} ${(tree.bytes / passes).toFixed(0)}`).join(', ');
    console.log(`| ${name} | ${frames.toFixed(2)} | ${((used.user + used.system) / n).toFixed(0)} (${(used.user / n).toFixed(0)} + ${(used.system / n).toFixed(0)}) | ${sizes} |`);
    db.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
