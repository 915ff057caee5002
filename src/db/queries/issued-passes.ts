// Passes the issuer signed. A holder refresh looks for a pass it can hand out again; a partner
// reads only the passes it issued itself (the query filters on issued_by, so BOLA cannot happen
// by forgetting a check in a route).
import { and, count, desc, eq, gt, sql } from 'drizzle-orm';
import type { PassType } from '../../core/verification-result.ts';
import type { Queryable } from '../open-database.ts';
import { issuedPasses } from '../schema.ts';
import { prepared } from './prepared.ts';

export type IssuedPassRow = typeof issuedPasses.$inferSelect;

const ph = (name: string) => sql.placeholder(name);

export function insertIssuedPass(db: Queryable, row: IssuedPassRow): void {
  prepared(db, 'insertIssuedPass', (d) =>
    d
      .insert(issuedPasses)
      .values({ passId: ph('passId'), personId: ph('personId'), kid: ph('kid'), type: ph('type'), iat: ph('iat'), exp: ph('exp'), issuedBy: ph('issuedBy'), factsHash: ph('factsHash'), text: ph('text'), createdAt: ph('createdAt') })
      .prepare(),
  ).run({ passId: row.passId, personId: row.personId, kid: row.kid, type: row.type, iat: row.iat, exp: row.exp, issuedBy: row.issuedBy, factsHash: row.factsHash, text: row.text, createdAt: row.createdAt });
}

/** The newest pass issued to the holder for these exact facts that is still valid after `validAfter`. */
export function findReusableHolderPass(db: Queryable, personId: string, type: PassType, factsHash: string, validAfter: number): IssuedPassRow | null {
  const query = prepared(db, 'findReusableHolderPass', (d) =>
    d
      .select()
      .from(issuedPasses)
      .where(
        and(
          eq(issuedPasses.personId, sql.placeholder('personId')),
          eq(issuedPasses.type, sql.placeholder('type')),
          eq(issuedPasses.issuedBy, 'holder'),
          eq(issuedPasses.factsHash, sql.placeholder('factsHash')),
          gt(issuedPasses.exp, sql.placeholder('validAfter')),
        ),
      )
      .orderBy(desc(issuedPasses.iat))
      .limit(1)
      .prepare(),
  );
  return query.get({ personId, type, factsHash, validAfter }) ?? null;
}

export function findPassIssuedBy(db: Queryable, passId: string, issuedBy: string): IssuedPassRow | null {
  return db.select().from(issuedPasses).where(and(eq(issuedPasses.passId, passId), eq(issuedPasses.issuedBy, issuedBy))).get() ?? null;
}

export function findIssuedPass(db: Queryable, passId: string): IssuedPassRow | null {
  return db.select().from(issuedPasses).where(eq(issuedPasses.passId, passId)).get() ?? null;
}

export function countIssuedPasses(db: Queryable): number {
  return db.select({ n: count() }).from(issuedPasses).get()?.n ?? 0;
}
