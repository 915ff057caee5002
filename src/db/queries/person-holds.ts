// Person-level holds (fraud cases): while one exists, no new pass is issued for the person.
import { eq, sql } from 'drizzle-orm';
import { affectedRows, type Queryable } from '../store.ts';
import { invalidateHolderAnswer } from './holder-answers.ts';
import { prepared } from './prepared.ts';

export interface PersonHold {
  readonly personId: string;
  readonly reason: string | null;
  readonly heldAt: number;
}

export async function findPersonHold(db: Queryable, personId: string): Promise<PersonHold | null> {
  // Checked on every refresh and issuance: built and prepared once per connection (prepared.ts).
  const query = prepared(db, 'findPersonHold', ({ orm, t: { personHolds: h } }) => orm.select().from(h).where(eq(h.personId, sql.placeholder('personId'))).prepare());
  return (await query.get({ personId })) ?? null;
}

/** False when the person was already held (the first hold and its time stay). */
export async function insertPersonHold(db: Queryable, hold: PersonHold): Promise<boolean> {
  const { personHolds } = db.t;
  const inserted = (await db.orm.insert(personHolds).values(hold).onConflictDoNothing().returning({ personId: personHolds.personId })).length > 0;
  // A held person's refresh is refused: no stored ETag may confirm their old answer.
  if (inserted) await invalidateHolderAnswer(db, hold.personId);
  return inserted;
}

/** False when there was no hold. */
export async function deletePersonHold(db: Queryable, personId: string): Promise<boolean> {
  const { personHolds } = db.t;
  const deleted = affectedRows(await db.orm.delete(personHolds).where(eq(personHolds.personId, personId))) > 0;
  if (deleted) await invalidateHolderAnswer(db, personId);
  return deleted;
}
