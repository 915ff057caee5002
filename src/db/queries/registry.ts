// Reading people and their facts from the registry tables (written by the registry import).
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../store.ts';
import { prepared } from './prepared.ts';

const byPerson = sql.placeholder('personId');

export interface PersonRecord {
  readonly id: string;
  readonly name: string;
  readonly birthDate: string;
}

export interface PersonFacts {
  readonly doses: readonly { readonly productCode: number; readonly doseDate: string }[];
  readonly tests: readonly { readonly kind: 'PCR' | 'RAT'; readonly sampledAt: number; readonly result: 'negative' | 'positive' }[];
  readonly recoveries: readonly { readonly firstPositiveTest: string }[];
  readonly exemptions: readonly { readonly validFrom: string; readonly validUntil: string }[];
}

export async function findPersonById(db: Queryable, id: string): Promise<PersonRecord | null> {
  const query = prepared(db, 'findPersonById', ({ orm, t: { people } }) =>
    orm.select({ id: people.id, name: people.name, birthDate: people.birthDate }).from(people).where(eq(people.id, byPerson)).prepare(),
  );
  return (await query.get({ personId: id })) ?? null;
}

/** Exact match on name and birth date. At most `limit` rows, so "more than one" is cheap to detect. */
export async function findPeopleByNameAndBirthDate(db: Queryable, name: string, birthDate: string, limit = 2): Promise<PersonRecord[]> {
  const { people } = db.t;
  return db.orm
    .select({ id: people.id, name: people.name, birthDate: people.birthDate })
    .from(people)
    .where(and(eq(people.birthDate, birthDate), eq(people.name, name)))
    .limit(limit);
}

export async function listPeople(db: Queryable, limit = 100): Promise<PersonRecord[]> {
  const { people } = db.t;
  return db.orm.select({ id: people.id, name: people.name, birthDate: people.birthDate }).from(people).orderBy(asc(people.id)).limit(limit);
}

/**
 * The person and all their facts in one statement (one round trip on PostgreSQL instead of five):
 * every holder refresh needs both, including the ones answered 304.
 */
/** The person, their facts, and whether they are held (person_holds), in one statement: a refresh or issuance reads all three. */
export async function readPersonWithFacts(db: Queryable, personId: string): Promise<{ person: PersonRecord; facts: PersonFacts; held: boolean } | null> {
  const q = prepared(db, 'readPersonWithFacts', ({ orm, t: { people, vaccinationEvents, testResults, recoveries, exemptions, personHolds } }) => {
    const text = (value: unknown) => sql<string | null>`CAST(${value} AS TEXT)`;
    const whole = (value: unknown) => sql<number | null>`CAST(${value} AS BIGINT)`.mapWith((v) => (v === null ? null : Number(v)));
    const NONE = sql`NULL`;
    return orm
      .select({ kind: sql<string>`'person'`, s1: text(people.name), s2: text(people.birthDate), n1: whole(NONE) })
      .from(people)
      .where(eq(people.id, byPerson))
      .unionAll(orm.select({ kind: sql<string>`'dose'`, s1: text(vaccinationEvents.doseDate), s2: text(NONE), n1: whole(vaccinationEvents.productCode) }).from(vaccinationEvents).where(eq(vaccinationEvents.personId, byPerson)))
      .unionAll(orm.select({ kind: sql<string>`'test'`, s1: text(testResults.kind), s2: text(testResults.result), n1: whole(testResults.sampledAt) }).from(testResults).where(eq(testResults.personId, byPerson)))
      .unionAll(orm.select({ kind: sql<string>`'recovery'`, s1: text(recoveries.firstPositiveTest), s2: text(NONE), n1: whole(NONE) }).from(recoveries).where(eq(recoveries.personId, byPerson)))
      .unionAll(orm.select({ kind: sql<string>`'exemption'`, s1: text(exemptions.validFrom), s2: text(exemptions.validUntil), n1: whole(NONE) }).from(exemptions).where(eq(exemptions.personId, byPerson)))
      .unionAll(orm.select({ kind: sql<string>`'hold'`, s1: text(NONE), s2: text(NONE), n1: whole(NONE) }).from(personHolds).where(eq(personHolds.personId, byPerson)))
      .prepare();
  });
  const rows = await q.all({ personId });
  const personRow = rows.find((r) => r.kind === 'person');
  if (!personRow) return null;
  const of = (kind: string) => rows.filter((r) => r.kind === kind);
  const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    held: rows.some((r) => r.kind === 'hold'),
    person: { id: personId, name: personRow.s1!, birthDate: personRow.s2! },
    facts: {
      doses: of('dose').map((r) => ({ productCode: r.n1!, doseDate: r.s1! })).sort((a, b) => byText(a.doseDate, b.doseDate)),
      tests: of('test').map((r) => ({ kind: r.s1 as 'PCR' | 'RAT', sampledAt: r.n1!, result: r.s2 as 'negative' | 'positive' })).sort((a, b) => a.sampledAt - b.sampledAt),
      recoveries: of('recovery').map((r) => ({ firstPositiveTest: r.s1! })).sort((a, b) => byText(a.firstPositiveTest, b.firstPositiveTest)),
      exemptions: of('exemption').map((r) => ({ validFrom: r.s1!, validUntil: r.s2! })).sort((a, b) => byText(a.validFrom, b.validFrom)),
    },
  };
}
