// Records one partner issuance: the Idempotency-Key's record, the pass and its audit entry, all or
// nothing, and only if the key was not taken. False when it was (the caller replays the record).
//
// SQLite: one member of the store's group commit (three inserts in a savepoint, sharing the
// batch's COMMIT and WAL sync). PostgreSQL: ONE statement, whose implicit transaction replaces
// BEGIN, three INSERTs and COMMIT (five round trips): data-modifying CTEs insert the key's record
// ON CONFLICT DO NOTHING, then the pass only for a record inserted, then the audit entry only for a
// pass inserted. A concurrent insert of the same (partner, key), from this process or another,
// makes ON CONFLICT wait for that transaction: if it commits this statement inserts nothing, if it
// rolls back this one goes ahead. So one key still yields one pass across instances, and a
// failure of any part (the pass-id prefix taken, say) fails the whole statement.
import { fillPlaceholders, sql, type SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { Queryable, VaxpassDatabase } from '../store.ts';
import { appendAudit, auditRow, type AuditEntry } from './audit-log.ts';
import { insertIdempotencyRecord, type IdempotencyRecord } from './idempotency-keys.ts';
import { insertIssuedPass, type IssuedPassRow } from './issued-passes.ts';

export interface IssuanceRecord {
  readonly idempotency: IdempotencyRecord;
  readonly pass: IssuedPassRow;
  readonly audit: AuditEntry;
}

export async function recordIssuance(db: VaxpassDatabase, record: IssuanceRecord): Promise<boolean> {
  if (db.dialect === 'postgres') return recordInOneStatement(db, record);
  return db.transaction(async (tx) => {
    if (!(await insertIdempotencyRecord(tx, record.idempotency))) return false;
    await insertIssuedPass(tx, record.pass);
    await appendAudit(tx, record.audit);
    return true;
  });
}

type Column = { readonly name: string };
/** A column, the placeholder of its value, and the SQL type the value is cast to. */
type Value = readonly [Column, string, 'TEXT' | 'BIGINT'];

const columnList = (values: readonly Value[]) => sql.join(values.map(([c]) => sql.identifier(c.name)), sql`, `);
// PostgreSQL cannot infer a parameter's type from an INSERT's target through a SELECT: each is cast.
const castValues = (values: readonly Value[]) => sql.join(values.map(([, p, type]) => sql`CAST(${sql.placeholder(p)} AS ${sql.raw(type)})`), sql`, `);

/** The statement's text and its placeholders, built once per table set: building SQL costs more than sending it. */
const built = new WeakMap<object, { text: string; params: unknown[] }>();

function statement({ t }: Queryable): { text: string; params: unknown[] } {
  const done = built.get(t);
  if (done) return done;
  const { idempotencyKeys: k, issuedPasses: ip, auditLog: a } = t;
  const key: Value[] = [[k.partnerId, 'kPartnerId', 'TEXT'], [k.key, 'kKey', 'TEXT'], [k.requestHash, 'kRequestHash', 'TEXT'], [k.responseStatus, 'kResponseStatus', 'BIGINT'], [k.responseBody, 'kResponseBody', 'TEXT'], [k.createdAt, 'kCreatedAt', 'BIGINT']];
  const pass: Value[] = [[ip.passId, 'passId', 'TEXT'], [ip.personId, 'personId', 'TEXT'], [ip.kid, 'kid', 'TEXT'], [ip.type, 'type', 'TEXT'], [ip.iat, 'iat', 'BIGINT'], [ip.exp, 'exp', 'BIGINT'], [ip.issuedBy, 'issuedBy', 'TEXT'], [ip.factsHash, 'factsHash', 'TEXT'], [ip.text, 'text', 'TEXT'], [ip.createdAt, 'createdAt', 'BIGINT']];
  const audit: Value[] = [[a.at, 'aAt', 'BIGINT'], [a.actor, 'aActor', 'TEXT'], [a.action, 'aAction', 'TEXT'], [a.passId, 'aPassId', 'TEXT'], [a.personId, 'aPersonId', 'TEXT'], [a.requestId, 'aRequestId', 'TEXT'], [a.detail, 'aDetail', 'TEXT']];
  const query: SQL = sql`WITH stored AS (
    INSERT INTO ${k} (${columnList(key)}) SELECT ${castValues(key)} ON CONFLICT DO NOTHING RETURNING 1
  ), pass AS (
    INSERT INTO ${ip} (${columnList(pass)}) SELECT ${castValues(pass)} FROM stored RETURNING 1
  ), audit AS (
    INSERT INTO ${a} (${columnList(audit)}) SELECT ${castValues(audit)} FROM pass RETURNING 1
  )
  SELECT count(*) AS stored FROM audit`;
  const { sql: text, params } = new PgDialect().sqlToQuery(query);
  built.set(t, { text, params });
  return { text, params };
}

async function recordInOneStatement(db: Queryable, { idempotency: i, pass: p, audit }: IssuanceRecord): Promise<boolean> {
  const { text, params } = statement(db);
  const a = auditRow(audit);
  const values = fillPlaceholders(params, {
    kPartnerId: i.partnerId, kKey: i.key, kRequestHash: i.requestHash, kResponseStatus: i.responseStatus, kResponseBody: i.responseBody, kCreatedAt: i.createdAt,
    passId: p.passId, personId: p.personId, kid: p.kid, type: p.type, iat: p.iat, exp: p.exp, issuedBy: p.issuedBy, factsHash: p.factsHash, text: p.text, createdAt: p.createdAt,
    aAt: a.at, aActor: a.actor, aAction: a.action, aPassId: a.passId, aPersonId: a.personId, aRequestId: a.requestId, aDetail: a.detail,
  });
  // The pool (or a transaction's client) drizzle runs on. Named, so each connection parses and
  // plans the statement once rather than on every issuance.
  const client = (db.orm as unknown as { session: { client: { query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: { stored: string }[] }> } } }).session.client;
  const { rows } = await client.query({ name: 'vaxpass_record_issuance', text, values });
  return Number(rows[0]?.stored ?? 0) > 0;
}
