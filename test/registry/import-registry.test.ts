import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { count } from 'drizzle-orm';
import { importRegistryFile, type ImportOptions } from '../../src/registry/import-registry.ts';
import { seedDemoRegistry, DEMO_PEOPLE } from '../../src/demo/seed-demo-registry.ts';
import { createTestDatabase, type TestDatabase } from '../support/create-test-database.ts';

const NOW = Date.parse('2022-01-15T00:00:00Z') / 1000;
let t: TestDatabase;
beforeEach(async () => {
  t = await createTestDatabase();
});
afterEach(() => t.cleanup());

function file(name: string, content: string): string {
  const path = join(t.dir, name);
  writeFileSync(path, content);
  return path;
}

const ndjson = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
const options = (format: 'csv' | 'ndjson', extra: Partial<ImportOptions> = {}): ImportOptions => ({ format, now: NOW, timeZone: 'Asia/Seoul', ...extra });
const rowsIn = async (table: TestDatabase['db']['t'][keyof TestDatabase['db']['t']]) => (await t.db.orm.select({ n: count() }).from(table))[0]!.n;
const counts = async () => {
  const { people, vaccinationEvents, testResults, recoveries, exemptions } = t.db.t;
  return { people: await rowsIn(people), vaccinations: await rowsIn(vaccinationEvents), tests: await rowsIn(testResults), recoveries: await rowsIn(recoveries), exemptions: await rowsIn(exemptions) };
};

const GOOD = [
  { kind: 'person', personId: 'P-1', name: '홍길동', birthDate: '1968-05-02' },
  { kind: 'vaccination', personId: 'P-1', product: 'AstraZeneca Vaxzevria', date: '2021-06-03' },
  { kind: 'vaccination', personId: 'P-1', product: '3', date: '2021-08-19' },
  { kind: 'test', personId: 'P-1', testKind: 'PCR', sampledAt: '2022-01-14T10:30:00+09:00', result: 'negative' },
  { kind: 'recovery', personId: 'P-1', firstPositiveTest: '2021-12-20' },
  { kind: 'exemption', personId: 'P-1', validFrom: '2021-12-01', validUntil: '2022-06-30' },
];

describe('registry import', () => {
  it('imports NDJSON records of every kind in one transaction', async () => {
    const report = await importRegistryFile(t.db, file('r.ndjson', ndjson(GOOD)), options('ndjson'));
    expect(report).toMatchObject({ rows: 6, committed: true, errors: [], written: { person: 1, vaccination: 2, test: 1, recovery: 1, exemption: 1 } });
    expect((await counts())).toEqual({ people: 1, vaccinations: 2, tests: 1, recoveries: 1, exemptions: 1 });
  });

  it('imports CSV with quoted fields, a BOM and CRLF line ends', async () => {
    const csv =
      '\uFEFFkind,personId,name,birthDate,product,date\r\n' +
      'person,P-2,"Gonzalez Lopez, Maria",1985-03-14,,\r\n' +
      'vaccination,P-2,,,Pfizer-BioNTech Comirnaty,2021-07-26\r\n';
    const report = await importRegistryFile(t.db, file('r.csv', csv), options('csv'));
    expect(report.errors).toEqual([]);
    expect(report.committed).toBe(true);
    expect((await counts())).toMatchObject({ people: 1, vaccinations: 1 });
  });

  it('reports every bad row with its line number and commits nothing', async () => {
    const rows = [
      ...GOOD,
      { kind: 'vaccination', personId: 'P-1', product: 'Sputnik V', date: '2021-09-01' },
      { kind: 'person', personId: 'P-9', name: 'Kim\u0007', birthDate: '1990-01-01' },
      { kind: 'person', personId: 'P-8', name: 'Future Baby', birthDate: '2030-01-01' },
      { kind: 'vaccination', personId: 'P-1', product: 'Moderna Spikevax', date: '2019-01-01' },
    ];
    const path = file('r.ndjson', ndjson(rows) + 'not json\n');
    const report = await importRegistryFile(t.db, path, options('ndjson'));
    expect(report.committed).toBe(false);
    expect(report.errors.map((e) => e.line)).toEqual([7, 8, 9, 10, 11]);
    expect(report.errors[0]!.reason).toMatch(/product is not a known vaccine/);
    expect(report.errors[1]!.reason).toMatch(/control/);
    expect(report.errors[2]!.reason).toMatch(/future/);
    expect(report.errors[3]!.reason).toMatch(/before 2020-12-01/);
    expect(report.errors[4]!.reason).toMatch(/not valid JSON/);
    expect((await counts())).toEqual({ people: 0, vaccinations: 0, tests: 0, recoveries: 0, exemptions: 0 });
  });

  it('refuses resident registration numbers without echoing them', async () => {
    const report = await importRegistryFile(t.db, file('r.ndjson', ndjson([{ kind: 'person', personId: '680502-1234567', name: 'X', birthDate: '1968-05-02' }])), options('ndjson'));
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]!.reason).toMatch(/resident registration number/);
    expect(JSON.stringify(report)).not.toContain('1234567');
  });

  it('refuses events for people who are not in the registry', async () => {
    const report = await importRegistryFile(t.db, file('r.ndjson', ndjson([GOOD[1]!])), options('ndjson'));
    expect(report.errors).toEqual([{ line: 1, reason: expect.stringMatching(/not in the registry/) }]);
    expect((await counts()).vaccinations).toBe(0);
  });

  it('refuses unknown fields and unknown CSV columns', async () => {
    const a = await importRegistryFile(t.db, file('a.ndjson', ndjson([{ ...GOOD[0]!, rrn: 'x' }])), options('ndjson'));
    expect(a.errors[0]!.reason).toMatch(/field rrn does not belong/);
    const b = await importRegistryFile(t.db, file('b.csv', 'kind,personId,nationalId\nperson,P-1,x\n'), options('csv'));
    expect(b.errors[0]).toEqual({ line: 1, reason: expect.stringMatching(/unknown column\(s\): nationalId/) });
  });

  it('stops at a CSV syntax error without quoting cell contents', async () => {
    const report = await importRegistryFile(t.db, file('r.csv', 'kind,personId,name,birthDate\nperson,P-1,"Secret Name,1968-05-02\n'), options('csv'));
    expect(report.committed).toBe(false);
    expect(report.errors[0]!.reason).toMatch(/CSV syntax error/);
    expect(JSON.stringify(report)).not.toContain('Secret');
  });

  it('is idempotent: importing the same file twice adds nothing the second time', async () => {
    const path = file('r.ndjson', ndjson(GOOD));
    await importRegistryFile(t.db, path, options('ndjson'));
    const again = await importRegistryFile(t.db, path, options('ndjson'));
    expect(again.committed).toBe(true);
    expect(again.unchanged).toBe(5);
    expect((await counts())).toEqual({ people: 1, vaccinations: 2, tests: 1, recoveries: 1, exemptions: 1 });
  });

  it('validates without writing in a dry run, and reports progress', async () => {
    const seen: number[] = [];
    const report = await importRegistryFile(t.db, file('r.ndjson', ndjson(GOOD)), options('ndjson', { dryRun: true, progressEvery: 2, onProgress: (p) => seen.push(p.rows) }));
    expect(report).toMatchObject({ dryRun: true, committed: false, errors: [] });
    expect(seen).toEqual([2, 4, 6, 6]);
    expect((await counts()).people).toBe(0);
  });

  it('stops after maxErrors bad rows', async () => {
    const bad = Array.from({ length: 10 }, () => ({ kind: 'nope', personId: 'P-1' }));
    const report = await importRegistryFile(t.db, file('r.ndjson', ndjson(bad)), options('ndjson', { maxErrors: 3 }));
    expect(report.errors).toHaveLength(3);
    expect(report.stoppedEarly).toBe(true);
  });

  it('seeds the demo registry once', async () => {
    expect(await seedDemoRegistry(t.db, NOW)).toBe(true);
    expect(await seedDemoRegistry(t.db, NOW + 86_400)).toBe(false);
    expect((await counts()).people).toBe(DEMO_PEOPLE.length);
  });
});
