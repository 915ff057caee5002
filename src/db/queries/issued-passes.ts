// Passes the issuer signed. A holder refresh looks for a pass it can hand out again; a partner
// reads only the passes it issued itself (the query filters on issued_by, so BOLA cannot happen
// by forgetting a check in a route).
import { and, count, desc, eq, gt, gte, inArray, lt, sql } from 'drizzle-orm';
import type { PassType } from '../../core/verification-result.ts';
import { affectedRows, type Queryable } from '../store.ts';
import type { issuedPasses } from '../schema.ts';
import { prepared } from './prepared.ts';

export type IssuedPassRow = typeof issuedPasses.$inferSelect;

const ph = (name: string) => sql.placeholder(name);

export async function insertIssuedPass(db: Queryable, row: IssuedPassRow): Promise<void> {
  const insert = prepared(db, 'insertIssuedPass', ({ orm, t }) =>
    orm
      .insert(t.issuedPasses)
      .values({ passId: ph('passId'), personId: ph('personId'), kid: ph('kid'), type: ph('type'), iat: ph('iat'), exp: ph('exp'), issuedBy: ph('issuedBy'), factsHash: ph('factsHash'), text: ph('text'), createdAt: ph('createdAt') })
      .prepare(),
  );
  await insert.run({ passId: row.passId, personId: row.personId, kid: row.kid, type: row.type, iat: row.iat, exp: row.exp, issuedBy: row.issuedBy, factsHash: row.factsHash, text: row.text, createdAt: row.createdAt });
}

/**
 * The newest pass issued to the holder for these exact facts that is still valid after
 * `validAfter`, and whether it has been revoked (one statement; the index
 * issued_passes_holder_reuse makes it one probe).
 */
export async function findReusableHolderPass(db: Queryable, personId: string, type: PassType, factsHash: string, validAfter: number): Promise<(IssuedPassRow & { revoked: boolean }) | null> {
  const query = prepared(db, 'findReusableHolderPass', ({ orm, t }) =>
    orm
      .select({ pass: t.issuedPasses, revocationId: t.revocations.id })
      .from(t.issuedPasses)
      .leftJoin(t.revocations, and(eq(t.revocations.kind, 'pass'), eq(t.revocations.subject, t.issuedPasses.passId)))
      .where(
        and(
          eq(t.issuedPasses.personId, ph('personId')),
          eq(t.issuedPasses.type, ph('type')),
          eq(t.issuedPasses.issuedBy, 'holder'),
          eq(t.issuedPasses.factsHash, ph('factsHash')),
          gt(t.issuedPasses.exp, ph('validAfter')),
        ),
      )
      .orderBy(desc(t.issuedPasses.iat))
      .limit(1)
      .prepare(),
  );
  const row = await query.get({ personId, type, factsHash, validAfter });
  return row ? { ...row.pass, revoked: row.revocationId !== null } : null;
}

export async function findPassIssuedBy(db: Queryable, passId: string, issuedBy: string): Promise<IssuedPassRow | null> {
  const { issuedPasses } = db.t;
  const [row] = await db.orm.select().from(issuedPasses).where(and(eq(issuedPasses.passId, passId), eq(issuedPasses.issuedBy, issuedBy))).limit(1);
  return row ?? null;
}

export async function findIssuedPass(db: Queryable, passId: string): Promise<IssuedPassRow | null> {
  const { issuedPasses } = db.t;
  const [row] = await db.orm.select().from(issuedPasses).where(eq(issuedPasses.passId, passId)).limit(1);
  return row ?? null;
}

export async function countIssuedPasses(db: Queryable): Promise<number> {
  const [row] = await db.orm.select({ n: count() }).from(db.t.issuedPasses);
  return row?.n ?? 0;
}

/** Deletes at most `limit` passes that expired before `before`, oldest first (through issued_passes_exp). */
export async function deleteIssuedPassesExpiredBefore(db: Queryable, before: number, limit: number): Promise<number> {
  const { issuedPasses } = db.t;
  const batch = db.orm.select({ passId: issuedPasses.passId }).from(issuedPasses).where(lt(issuedPasses.exp, before)).orderBy(issuedPasses.exp).limit(limit);
  return affectedRows(await db.orm.delete(issuedPasses).where(inArray(issuedPasses.passId, batch)));
}

/** Whether a pass id starting with these hex digits was issued (a range on the primary key). */
export async function passIdPrefixTaken(db: Queryable, prefixHex: string): Promise<boolean> {
  const query = prepared(db, 'passIdPrefixTaken', ({ orm, t }) =>
    orm
      .select({ passId: t.issuedPasses.passId })
      .from(t.issuedPasses)
      .where(and(gte(t.issuedPasses.passId, ph('from')), lt(t.issuedPasses.passId, ph('to'))))
      .limit(1)
      .prepare(),
  );
  return (await query.all({ from: prefixHex, to: `${prefixHex}g` })).length > 0;
}
