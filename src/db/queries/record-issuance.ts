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
import { sql, type SQL } from 'drizzle-orm';
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

/**
 * `(columns) SELECT values FROM source`: the values cast to their column's type, since PostgreSQL
 * cannot infer a parameter's type from an INSERT's target through a SELECT.
 */
function insertSelect(table: unknown, values: readonly [Column, string | number | null][], source: string): SQL {
  const columns = sql.join(values.map(([c]) => sql.identifier(c.name)), sql`, `);
  const cast = sql.join(values.map(([, v]) => (typeof v === 'number' ? sql`CAST(${v} AS BIGINT)` : sql`CAST(${v} AS TEXT)`)), sql`, `);
  return sql`INSERT INTO ${table} (${columns}) SELECT ${cast} FROM ${sql.identifier(source)}`;
}

async function recordInOneStatement(db: Queryable, { idempotency: i, pass: p, audit }: IssuanceRecord): Promise<boolean> {
  const { idempotencyKeys: k, issuedPasses: ip, auditLog: a } = db.t;
  const row = auditRow(audit);
  const statement = sql`WITH stored AS (
    INSERT INTO ${k} (${sql.join([k.partnerId, k.key, k.requestHash, k.responseStatus, k.responseBody, k.createdAt].map((c) => sql.identifier(c.name)), sql`, `)})
    VALUES (${i.partnerId}, ${i.key}, ${i.requestHash}, ${i.responseStatus}, ${i.responseBody}, ${i.createdAt})
    ON CONFLICT DO NOTHING RETURNING 1
  ), pass AS (
    ${insertSelect(ip, [[ip.passId, p.passId], [ip.personId, p.personId], [ip.kid, p.kid], [ip.type, p.type], [ip.iat, p.iat], [ip.exp, p.exp], [ip.issuedBy, p.issuedBy], [ip.factsHash, p.factsHash], [ip.text, p.text], [ip.createdAt, p.createdAt]], 'stored')} RETURNING 1
  ), audit AS (
    ${insertSelect(a, [[a.at, row.at], [a.actor, row.actor], [a.action, row.action], [a.passId, row.passId], [a.personId, row.personId], [a.requestId, row.requestId], [a.detail, row.detail]], 'pass')} RETURNING 1
  )
  SELECT count(*) AS stored FROM audit`;
  const result = (await (db.orm as unknown as { execute(query: SQL): Promise<{ rows: { stored: string | number }[] }> }).execute(statement)) as { rows?: { stored: string | number }[] } | { stored: string | number }[];
  const rows = Array.isArray(result) ? result : (result.rows ?? []);
  return Number(rows[0]?.stored ?? 0) > 0;
}
