// Reading people and their facts from the registry tables (written by the registry import).
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Queryable } from '../open-database.ts';
import { exemptions, people, recoveries, testResults, vaccinationEvents } from '../schema.ts';
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

export function findPersonById(db: Queryable, id: string): PersonRecord | null {
  const query = prepared(db, 'findPersonById', (d) => d.select({ id: people.id, name: people.name, birthDate: people.birthDate }).from(people).where(eq(people.id, byPerson)).prepare());
  return query.get({ personId: id }) ?? null;
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
  const q = prepared(db, 'readPersonFacts', (d) => ({
    doses: d
      .select({ productCode: vaccinationEvents.productCode, doseDate: vaccinationEvents.doseDate })
      .from(vaccinationEvents)
      .where(eq(vaccinationEvents.personId, byPerson))
      .orderBy(asc(vaccinationEvents.doseDate))
      .prepare(),
    tests: d
      .select({ kind: testResults.kind, sampledAt: testResults.sampledAt, result: testResults.result })
      .from(testResults)
      .where(eq(testResults.personId, byPerson))
      .orderBy(asc(testResults.sampledAt))
      .prepare(),
    recoveries: d
      .select({ firstPositiveTest: recoveries.firstPositiveTest })
      .from(recoveries)
      .where(eq(recoveries.personId, byPerson))
      .orderBy(asc(recoveries.firstPositiveTest))
      .prepare(),
    exemptions: d
      .select({ validFrom: exemptions.validFrom, validUntil: exemptions.validUntil })
      .from(exemptions)
      .where(eq(exemptions.personId, byPerson))
      .orderBy(asc(exemptions.validFrom))
      .prepare(),
  }));
  const params = { personId };
  return { doses: q.doses.all(params), tests: q.tests.all(params), recoveries: q.recoveries.all(params), exemptions: q.exemptions.all(params) };
}
