// The append-only audit log: ids and actions only, never names or pass text. There is no update
// or delete function on purpose.
import { asc, sql } from 'drizzle-orm';
import type { Queryable } from '../store.ts';
import { prepared } from './prepared.ts';

export interface AuditEntry {
  readonly at: number;
  readonly actor: string;
  readonly action: 'pass.issued' | 'pass.revoked' | 'key.revoked' | 'partner.created' | 'partner.quota' | 'partner.revoked' | 'bundle.published' | 'person.held' | 'person.released' | 'venue.created' | 'venue.enrolled' | 'venue.revoked' | 'entry-log.queried';
  readonly passId?: string | null;
  readonly personId?: string | null;
  readonly requestId?: string | null;
  /** The caller's own X-Request-Id (a short token), kept in detail; never the request id. */
  readonly clientRequestId?: string | null;
  readonly detail?: Readonly<Record<string, string | number>> | null;
}

/** The row an entry is stored as (also written by issuance's own statement, record-issuance.ts). */
export function auditRow(entry: AuditEntry) {
  return {
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    passId: entry.passId ?? null,
    personId: entry.personId ?? null,
    requestId: entry.requestId ?? null,
    detail: entry.detail || entry.clientRequestId ? JSON.stringify({ ...entry.detail, ...(entry.clientRequestId ? { clientRequestId: entry.clientRequestId } : {}) }) : null,
  };
}

export async function appendAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  const ph = (name: string) => sql.placeholder(name);
  const insert = prepared(db, 'appendAudit', (d) =>
    d.orm
      .insert(d.t.auditLog)
      .values({ at: ph('at'), actor: ph('actor'), action: ph('action'), passId: ph('passId'), personId: ph('personId'), requestId: ph('requestId'), detail: ph('detail') })
      .prepare(),
  );
  await insert.run(auditRow(entry));
}

export async function readAuditLog(db: Queryable, limit = 1000) {
  const { auditLog } = db.t;
  return db.orm.select().from(auditLog).orderBy(asc(auditLog.id)).limit(limit);
}
