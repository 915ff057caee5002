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

export async function readPersonFacts(db: Queryable, personId: string): Promise<PersonFacts> {
  const q = prepared(db, 'readPersonFacts', ({ orm, t: { vaccinationEvents, testResults, recoveries, exemptions } }) => ({
    doses: orm
      .select({ productCode: vaccinationEvents.productCode, doseDate: vaccinationEvents.doseDate })
      .from(vaccinationEvents)
      .where(eq(vaccinationEvents.personId, byPerson))
      .orderBy(asc(vaccinationEvents.doseDate))
      .prepare(),
    tests: orm
      .select({ kind: testResults.kind, sampledAt: testResults.sampledAt, result: testResults.result })
      .from(testResults)
      .where(eq(testResults.personId, byPerson))
      .orderBy(asc(testResults.sampledAt))
      .prepare(),
    recoveries: orm
      .select({ firstPositiveTest: recoveries.firstPositiveTest })
      .from(recoveries)
      .where(eq(recoveries.personId, byPerson))
      .orderBy(asc(recoveries.firstPositiveTest))
      .prepare(),
    exemptions: orm
      .select({ validFrom: exemptions.validFrom, validUntil: exemptions.validUntil })
      .from(exemptions)
      .where(eq(exemptions.personId, byPerson))
      .orderBy(asc(exemptions.validFrom))
      .prepare(),
  }));
  const params = { personId };
  const [doses, tests, recoveries, exemptions] = await Promise.all([q.doses.all(params), q.tests.all(params), q.recoveries.all(params), q.exemptions.all(params)]);
  return { doses, tests, recoveries, exemptions };
}
