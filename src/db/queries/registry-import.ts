// Registry writes for bulk import. One import is one transaction (the caller opens it): either
// every record of the file is in, or none is. Statements are prepared once per connection; a
// 1,000,000-row file costs one commit, not a million (each commit is durable, so commits are what
// we count).
import { sql } from 'drizzle-orm';
import type { Queryable } from '../store.ts';
import { raiseHolderAnswerGeneration } from './holder-answers.ts';
import { prepared } from './prepared.ts';
import { timeOrderedId } from '../time-ordered-id.ts';
import type { RegistryRecord } from '../../registry/registry-record.ts';

export type WriteOutcome = 'written' | 'unchanged' | 'unknown-person';

export interface RegistryWriter {
  write(record: RegistryRecord): Promise<WriteOutcome>;
}

/**
 * Writes registry records through `tx`, a transaction the caller commits or rolls back. The first
 * write raises the holder-answer generation in that transaction: an import may change anyone's
 * passes, and one statement per import costs less than one per person written.
 */
export function registryWriter(tx: Queryable, now: number): RegistryWriter {
  const ph = (name: string) => sql.placeholder(name);
  const q = prepared(tx, 'registryWriter', ({ orm, t }) => ({
    personExists: orm.select({ id: t.people.id }).from(t.people).where(sql`${t.people.id} = ${ph('id')}`).prepare(),
    upsertPerson: orm
      .insert(t.people)
      .values({ id: ph('id'), name: ph('name'), birthDate: ph('birthDate'), createdAt: ph('now') })
      .onConflictDoUpdate({ target: t.people.id, set: { name: sql`excluded.name`, birthDate: sql`excluded.birth_date` } })
      .prepare(),
    insertVaccination: orm
      .insert(t.vaccinationEvents)
      .values({ id: ph('id'), personId: ph('personId'), productCode: ph('productCode'), doseDate: ph('doseDate'), createdAt: ph('now') })
      .onConflictDoNothing()
      .returning({ id: t.vaccinationEvents.id })
      .prepare(),
    insertTest: orm
      .insert(t.testResults)
      .values({ id: ph('id'), personId: ph('personId'), kind: ph('kind'), sampledAt: ph('sampledAt'), result: ph('result'), createdAt: ph('now') })
      .onConflictDoNothing()
      .returning({ id: t.testResults.id })
      .prepare(),
    insertRecovery: orm
      .insert(t.recoveries)
      .values({ id: ph('id'), personId: ph('personId'), firstPositiveTest: ph('firstPositiveTest'), createdAt: ph('now') })
      .onConflictDoNothing()
      .returning({ id: t.recoveries.id })
      .prepare(),
    insertExemption: orm
      .insert(t.exemptions)
      .values({ id: ph('id'), personId: ph('personId'), validFrom: ph('validFrom'), validUntil: ph('validUntil'), createdAt: ph('now') })
      .onConflictDoNothing()
      .returning({ id: t.exemptions.id })
      .prepare(),
  }));
  const { personExists, upsertPerson, insertVaccination, insertTest, insertRecovery, insertExemption } = q;

  // People written in this import; avoids a lookup per event for the common "person then events" order.
  const known = new Set<string>();
  const personKnown = async (id: string): Promise<boolean> => {
    if (known.has(id)) return true;
    if ((await personExists.get({ id })) === undefined) return false;
    known.add(id);
    return true;
  };
  const changed = (rows: readonly unknown[]): WriteOutcome => (rows.length > 0 ? 'written' : 'unchanged');

  let generationRaised = false;
  return {
    async write(record) {
      if (!generationRaised) {
        generationRaised = true;
        await raiseHolderAnswerGeneration(tx);
      }
      if (record.kind === 'person') {
        await upsertPerson.run({ now, id: record.personId, name: record.name, birthDate: record.birthDate });
        known.add(record.personId);
        return 'written';
      }
      if (!(await personKnown(record.personId))) return 'unknown-person';
      const id = timeOrderedId();
      switch (record.kind) {
        case 'vaccination':
          return changed(await insertVaccination.all({ now, id, personId: record.personId, productCode: record.productCode, doseDate: record.doseDate }));
        case 'test':
          return changed(await insertTest.all({ now, id, personId: record.personId, kind: record.testKind, sampledAt: record.sampledAt, result: record.result }));
        case 'recovery':
          return changed(await insertRecovery.all({ now, id, personId: record.personId, firstPositiveTest: record.firstPositiveTest }));
        case 'exemption':
          return changed(await insertExemption.all({ now, id, personId: record.personId, validFrom: record.validFrom, validUntil: record.validUntil }));
      }
    },
  };
}
