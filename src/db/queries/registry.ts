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

/** One row of the person-with-facts union: which kind of record, two texts and two numbers. */
export interface FactRow {
  readonly kind: string;
  readonly s1: string | null;
  readonly s2: string | null;
  readonly n1: number | null;
  readonly n2: number | null;
}

export interface PersonWithFacts {
  readonly person: PersonRecord;
  readonly facts: PersonFacts;
  readonly held: boolean;
}

/**
 * The branches of the person-with-facts union, for readPersonWithFacts and for statements that
 * read more beside it (issuance-reads.ts): the person, their facts and their hold, one row each,
 * every column cast to one shape so the branches can be unioned on both dialects.
 */
export function personWithFactsUnion({ orm, t: { people, vaccinationEvents, testResults, recoveries, exemptions, personHolds } }: Queryable) {
  const NONE = sql`NULL`;
  return orm
    .select({ kind: sql<string>`'person'`, s1: factText(people.name), s2: factText(people.birthDate), n1: factNumber(NONE), n2: factNumber(NONE) })
    .from(people)
    .where(eq(people.id, byPerson))
    .unionAll(orm.select({ kind: sql<string>`'dose'`, s1: factText(vaccinationEvents.doseDate), s2: factText(NONE), n1: factNumber(vaccinationEvents.productCode), n2: factNumber(NONE) }).from(vaccinationEvents).where(eq(vaccinationEvents.personId, byPerson)))
    .unionAll(orm.select({ kind: sql<string>`'test'`, s1: factText(testResults.kind), s2: factText(testResults.result), n1: factNumber(testResults.sampledAt), n2: factNumber(NONE) }).from(testResults).where(eq(testResults.personId, byPerson)))
    .unionAll(orm.select({ kind: sql<string>`'recovery'`, s1: factText(recoveries.firstPositiveTest), s2: factText(NONE), n1: factNumber(NONE), n2: factNumber(NONE) }).from(recoveries).where(eq(recoveries.personId, byPerson)))
    .unionAll(orm.select({ kind: sql<string>`'exemption'`, s1: factText(exemptions.validFrom), s2: factText(exemptions.validUntil), n1: factNumber(NONE), n2: factNumber(NONE) }).from(exemptions).where(eq(exemptions.personId, byPerson)))
    .unionAll(orm.select({ kind: sql<string>`'hold'`, s1: factText(NONE), s2: factText(NONE), n1: factNumber(NONE), n2: factNumber(NONE) }).from(personHolds).where(eq(personHolds.personId, byPerson)));
}

/** A column as text in a union branch (both dialects need the branches' types to agree). */
export function factText(value: unknown) {
  return sql<string | null>`CAST(${value} AS TEXT)`;
}

/** A column as a whole number in a union branch (PostgreSQL returns BIGINT as a string). */
export function factNumber(value: unknown) {
  return sql<number | null>`CAST(${value} AS BIGINT)`.mapWith((v) => (v === null ? null : Number(v)));
}

/** The person, their facts and hold from the union's rows; null when the person has no record. */
export function personWithFactsFromRows(personId: string, rows: readonly FactRow[]): PersonWithFacts | null {
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

/**
 * The person, their facts, and whether they are held (person_holds), in one statement (one round
 * trip on PostgreSQL instead of six): every holder refresh and issuance reads all three.
 */
export async function readPersonWithFacts(db: Queryable, personId: string): Promise<PersonWithFacts | null> {
  const q = prepared(db, 'readPersonWithFacts', (d) => personWithFactsUnion(d).prepare());
  return personWithFactsFromRows(personId, await q.all({ personId }));
}
