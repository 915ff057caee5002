// Reading people and their facts from the registry tables (written by the registry import).
import { and, asc, eq } from 'drizzle-orm';
import type { Queryable } from '../open-database.ts';
import { exemptions, people, recoveries, testResults, vaccinationEvents } from '../schema.ts';

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

export function findPersonById(db: Queryable, id: string): PersonRecord | null {
  return db.select({ id: people.id, name: people.name, birthDate: people.birthDate }).from(people).where(eq(people.id, id)).get() ?? null;
}

/** Exact match on name and birth date. At most `limit` rows, so "more than one" is cheap to detect. */
export function findPeopleByNameAndBirthDate(db: Queryable, name: string, birthDate: string, limit = 2): PersonRecord[] {
  return db
    .select({ id: people.id, name: people.name, birthDate: people.birthDate })
    .from(people)
    .where(and(eq(people.birthDate, birthDate), eq(people.name, name)))
    .limit(limit)
    .all();
}

export function listPeople(db: Queryable, limit = 100): PersonRecord[] {
  return db.select({ id: people.id, name: people.name, birthDate: people.birthDate }).from(people).orderBy(asc(people.id)).limit(limit).all();
}

export function readPersonFacts(db: Queryable, personId: string): PersonFacts {
  return {
    doses: db
      .select({ productCode: vaccinationEvents.productCode, doseDate: vaccinationEvents.doseDate })
      .from(vaccinationEvents)
      .where(eq(vaccinationEvents.personId, personId))
      .orderBy(asc(vaccinationEvents.doseDate))
      .all(),
    tests: db
      .select({ kind: testResults.kind, sampledAt: testResults.sampledAt, result: testResults.result })
      .from(testResults)
      .where(eq(testResults.personId, personId))
      .orderBy(asc(testResults.sampledAt))
      .all(),
    recoveries: db
      .select({ firstPositiveTest: recoveries.firstPositiveTest })
      .from(recoveries)
      .where(eq(recoveries.personId, personId))
      .orderBy(asc(recoveries.firstPositiveTest))
      .all(),
    exemptions: db
      .select({ validFrom: exemptions.validFrom, validUntil: exemptions.validUntil })
      .from(exemptions)
      .where(eq(exemptions.personId, personId))
      .orderBy(asc(exemptions.validFrom))
      .all(),
  };
}
