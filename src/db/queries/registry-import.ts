// Registry writes for bulk import. One import is one transaction: either every record of the file
// is in, or none is. Statements are prepared once; a 1,000,000-row file costs one fsync, not a
// million (synchronous=FULL makes each commit durable, so commits are what we count).
import { sql } from 'drizzle-orm';
import type { VaxpassDatabase } from '../open-database.ts';
import { exemptions, people, recoveries, testResults, vaccinationEvents } from '../schema.ts';
import { timeOrderedId } from '../time-ordered-id.ts';
import type { RegistryRecord } from '../../registry/registry-record.ts';

export type WriteOutcome = 'written' | 'unchanged' | 'unknown-person';

export interface RegistryWriter {
  begin(): void;
  commit(): void;
  rollback(): void;
  write(record: RegistryRecord): WriteOutcome;
}

// Takes the database itself, not a transaction: it runs BEGIN/COMMIT over a streamed file.
export function registryWriter(db: VaxpassDatabase, now: number): RegistryWriter {
  const personExists = db.select({ id: people.id }).from(people).where(sql`${people.id} = ${sql.placeholder('id')}`).prepare();
  const upsertPerson = db
    .insert(people)
    .values({ id: sql.placeholder('id'), name: sql.placeholder('name'), birthDate: sql.placeholder('birthDate'), createdAt: now })
    .onConflictDoUpdate({ target: people.id, set: { name: sql`excluded.name`, birthDate: sql`excluded.birth_date` } })
    .prepare();
  const insertVaccination = db
    .insert(vaccinationEvents)
    .values({ id: sql.placeholder('id'), personId: sql.placeholder('personId'), productCode: sql.placeholder('productCode'), doseDate: sql.placeholder('doseDate'), createdAt: now })
    .onConflictDoNothing()
    .prepare();
  const insertTest = db
    .insert(testResults)
    .values({ id: sql.placeholder('id'), personId: sql.placeholder('personId'), kind: sql.placeholder('kind'), sampledAt: sql.placeholder('sampledAt'), result: sql.placeholder('result'), createdAt: now })
    .onConflictDoNothing()
    .prepare();
  const insertRecovery = db
    .insert(recoveries)
    .values({ id: sql.placeholder('id'), personId: sql.placeholder('personId'), firstPositiveTest: sql.placeholder('firstPositiveTest'), createdAt: now })
    .onConflictDoNothing()
    .prepare();
  const insertExemption = db
    .insert(exemptions)
    .values({ id: sql.placeholder('id'), personId: sql.placeholder('personId'), validFrom: sql.placeholder('validFrom'), validUntil: sql.placeholder('validUntil'), createdAt: now })
    .onConflictDoNothing()
    .prepare();

  // People written in this import; avoids a lookup per event for the common "person then events" order.
  const known = new Set<string>();
  const personKnown = (id: string): boolean => {
    if (known.has(id)) return true;
    if (personExists.get({ id }) === undefined) return false;
    known.add(id);
    return true;
  };
  const changed = (r: { changes: number }): WriteOutcome => (r.changes > 0 ? 'written' : 'unchanged');

  return {
    begin: () => void db.run(sql`BEGIN IMMEDIATE`),
    commit: () => void db.run(sql`COMMIT`),
    rollback: () => {
      if (db.$client.inTransaction) db.run(sql`ROLLBACK`);
    },
    write(record) {
      if (record.kind === 'person') {
        upsertPerson.run({ id: record.personId, name: record.name, birthDate: record.birthDate });
        known.add(record.personId);
        return 'written';
      }
      if (!personKnown(record.personId)) return 'unknown-person';
      const id = timeOrderedId();
      switch (record.kind) {
        case 'vaccination':
          return changed(insertVaccination.run({ id, personId: record.personId, productCode: record.productCode, doseDate: record.doseDate }));
        case 'test':
          return changed(insertTest.run({ id, personId: record.personId, kind: record.testKind, sampledAt: record.sampledAt, result: record.result }));
        case 'recovery':
          return changed(insertRecovery.run({ id, personId: record.personId, firstPositiveTest: record.firstPositiveTest }));
        case 'exemption':
          return changed(insertExemption.run({ id, personId: record.personId, validFrom: record.validFrom, validUntil: record.validUntil }));
      }
    },
  };
}
