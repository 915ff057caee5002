// The append-only audit log: ids and actions only, never names or pass text. There is no update
// or delete function on purpose.
import { asc, sql } from 'drizzle-orm';
import type { Queryable } from '../open-database.ts';
import { auditLog } from '../schema.ts';
import { prepared } from './prepared.ts';

export interface AuditEntry {
  readonly at: number;
  readonly actor: string;
  readonly action: 'pass.issued' | 'pass.revoked' | 'key.revoked' | 'partner.created' | 'partner.quota' | 'partner.revoked' | 'bundle.published';
  readonly passId?: string | null;
  readonly personId?: string | null;
  readonly requestId?: string | null;
  readonly detail?: Readonly<Record<string, string | number>> | null;
}

export function appendAudit(db: Queryable, entry: AuditEntry): void {
  const ph = (name: string) => sql.placeholder(name);
  const insert = prepared(db, 'appendAudit', (d) =>
    d
      .insert(auditLog)
      .values({ at: ph('at'), actor: ph('actor'), action: ph('action'), passId: ph('passId'), personId: ph('personId'), requestId: ph('requestId'), detail: ph('detail') })
      .prepare(),
  );
  insert.run({
    at: entry.at,
    actor: entry.actor,
    action: entry.action,
    passId: entry.passId ?? null,
    personId: entry.personId ?? null,
    requestId: entry.requestId ?? null,
    detail: entry.detail ? JSON.stringify(entry.detail) : null,
  });
}

export function readAuditLog(db: Queryable, limit = 1000) {
  return db.select().from(auditLog).orderBy(asc(auditLog.id)).limit(limit).all();
}
