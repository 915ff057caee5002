// The immunization registry as vaxpass stores it: people and the facts that passes are issued
// from. A person is an opaque registry id, a name and a birth date — never a resident registration
// number. Types stay portable to PostgreSQL: text ids, ISO dates as text, unix seconds as integers.
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const people = sqliteTable(
  'people',
  {
    /** Opaque registry person id (e.g. "P-000123"); never derived from a national id number. */
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** YYYY-MM-DD (civil date in the issuing country). */
    birthDate: text('birth_date').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('people_birth_date_name').on(t.birthDate, t.name)],
);

export const vaccinationEvents = sqliteTable(
  'vaccination_events',
  {
    id: text('id').primaryKey(),
    personId: text('person_id').notNull().references(() => people.id),
    /** Product code, src/core/vaccine-products.ts. */
    productCode: integer('product_code').notNull(),
    doseDate: text('dose_date').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  // One dose per person per day: re-importing the same record is a no-op, not a duplicate dose.
  (t) => [uniqueIndex('vaccination_events_person_date').on(t.personId, t.doseDate)],
);

export const testResults = sqliteTable(
  'test_results',
  {
    id: text('id').primaryKey(),
    personId: text('person_id').notNull().references(() => people.id),
    kind: text('kind', { enum: ['PCR', 'RAT'] }).notNull(),
    /** Unix seconds of sampling. */
    sampledAt: integer('sampled_at').notNull(),
    result: text('result', { enum: ['negative', 'positive'] }).notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('test_results_person_sampled').on(t.personId, t.sampledAt)],
);

export const recoveries = sqliteTable(
  'recoveries',
  {
    id: text('id').primaryKey(),
    personId: text('person_id').notNull().references(() => people.id),
    firstPositiveTest: text('first_positive_test').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('recoveries_person_date').on(t.personId, t.firstPositiveTest)],
);

export const exemptions = sqliteTable(
  'exemptions',
  {
    id: text('id').primaryKey(),
    personId: text('person_id').notNull().references(() => people.id),
    validFrom: text('valid_from').notNull(),
    validUntil: text('valid_until').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('exemptions_person_from').on(t.personId, t.validFrom)],
);
