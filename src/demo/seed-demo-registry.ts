// Demo registry for `npm start`: the reference people, with facts dated relative to the server's
// today so the demo shows each verdict live (valid booster, valid primary series, expired primary
// series, fresh PCR, recovery, exemption). Written through the same validation and writer as a
// real registry import.
import { civilDayAt, formatIsoDate } from '../core/civil-time.ts';
import { registryWriter } from '../db/queries/registry-import.ts';
import { findPersonById } from '../db/queries/registry.ts';
import type { VaxpassDatabase } from '../db/store.ts';
import { validateRecord } from '../registry/registry-record.ts';

export interface DemoPerson {
  readonly personId: string;
  readonly name: string;
  readonly birthDate: string;
  /** What the demo shows for this person. */
  readonly expectation: string;
}

export const DEMO_PEOPLE: readonly DemoPerson[] = [
  { personId: 'demo-0001', name: 'Maria Gonzalez Lopez', birthDate: '1985-03-14', expectation: 'valid: booster' },
  { personId: 'demo-0002', name: '홍길동', birthDate: '1968-05-02', expectation: 'valid: primary series (2 doses)' },
  { personId: 'demo-0003', name: 'Kim Min-jun', birthDate: '1990-11-30', expectation: 'invalid: primary series older than 180 days' },
  { personId: 'demo-0004', name: 'Lee Seo-yeon', birthDate: '2001-02-28', expectation: 'valid: negative PCR' },
  { personId: 'demo-0005', name: 'Park Ji-hoon', birthDate: '1977-09-09', expectation: 'valid: recovery' },
  { personId: 'demo-0006', name: 'Choi Yu-na', birthDate: '1995-04-17', expectation: 'valid: medical exemption' },
];

/**
 * Inserts the demo registry once. Returns false when it is already there: facts are dated relative
 * to the first start, and re-seeding on a later day would give the demo people extra doses.
 * Delete the database file to start the demo afresh.
 */
export async function seedDemoRegistry(db: VaxpassDatabase, now: number, timeZone = 'Asia/Seoul'): Promise<boolean> {
  if ((await findPersonById(db, DEMO_PEOPLE[0]!.personId)) !== null) return false;
  const day = (offset: number) => formatIsoDate(civilDayAt(now, timeZone) + offset);
  const records: Record<string, unknown>[] = [
    ...DEMO_PEOPLE.map((p) => ({ kind: 'person', personId: p.personId, name: p.name, birthDate: p.birthDate })),
    { kind: 'vaccination', personId: 'demo-0001', product: 'Pfizer-BioNTech Comirnaty', date: day(-240) },
    { kind: 'vaccination', personId: 'demo-0001', product: 'Pfizer-BioNTech Comirnaty', date: day(-212) },
    { kind: 'vaccination', personId: 'demo-0001', product: 'Moderna Spikevax', date: day(-20) },
    { kind: 'vaccination', personId: 'demo-0002', product: 'AstraZeneca Vaxzevria', date: day(-120) },
    { kind: 'vaccination', personId: 'demo-0002', product: 'AstraZeneca Vaxzevria', date: day(-40) },
    { kind: 'vaccination', personId: 'demo-0003', product: 'Janssen Jcovden', date: day(-300) },
    { kind: 'test', personId: 'demo-0004', testKind: 'PCR', sampledAt: new Date((now - 6 * 3600) * 1000).toISOString(), result: 'negative' },
    { kind: 'recovery', personId: 'demo-0005', firstPositiveTest: day(-30) },
    { kind: 'exemption', personId: 'demo-0006', validFrom: day(-60), validUntil: day(120) },
  ];
  const ctx = { now, today: day(0) };
  await db.transaction(async (tx) => {
    const writer = registryWriter(tx, now);
    for (const raw of records) {
      const result = validateRecord(raw, ctx);
      if (!result.ok) throw new TypeError(`demo record is invalid: ${result.reason}`);
      if ((await writer.write(result.record)) === 'unknown-person') throw new TypeError('demo record references an unknown person');
    }
  });
  return true;
}

