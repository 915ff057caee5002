// What a partner issuance that names its person (registry-trusted, by personId) reads before it
// signs, in one statement: the partner's earlier record for this Idempotency-Key and the person
// with facts and hold. On PostgreSQL each statement is a round trip to a server that shares the
// machine; these were three (idempotency lookup, person, person with facts).
import { and, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../store.ts';
import type { IdempotencyRecord } from './idempotency-keys.ts';
import { prepared } from './prepared.ts';
import { factNumber, factText, personWithFactsFromRows, personWithFactsUnion, type PersonWithFacts } from './registry.ts';

export interface IssuanceReads {
  /** The partner's record for this key, expired or not; null on a first attempt. */
  readonly earlier: IdempotencyRecord | null;
  /** The named person with facts and hold; null when the registry has no such person. */
  readonly found: PersonWithFacts | null;
}

export async function readIssuanceForPerson(db: Queryable, partnerId: string, key: string, personId: string): Promise<IssuanceReads> {
  const q = prepared(db, 'readIssuanceForPerson', (d) => {
    const { idempotencyKeys: k } = d.t;
    return personWithFactsUnion(d)
      .unionAll(
        d.orm
          .select({ kind: sql<string>`'idempotency'`, s1: factText(k.requestHash), s2: factText(k.responseBody), n1: factNumber(k.createdAt), n2: factNumber(k.responseStatus) })
          .from(k)
          .where(and(eq(k.partnerId, sql.placeholder('partnerId')), eq(k.key, sql.placeholder('key')))),
      )
      .prepare();
  });
  const rows = await q.all({ personId, partnerId, key });
  const record = rows.find((r) => r.kind === 'idempotency');
  return {
    earlier: record ? { partnerId, key, requestHash: record.s1!, responseBody: record.s2!, createdAt: record.n1!, responseStatus: record.n2! } : null,
    found: personWithFactsFromRows(personId, rows),
  };
}
