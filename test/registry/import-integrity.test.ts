// Registry import changes nothing silently: bytes that are not UTF-8, a field given twice,
// impossible instants and names that could pass for a scanner verdict are each refused with their
// line, and nothing of the file is imported.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { count } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importRegistryFile, type ImportOptions } from '../../src/registry/import-registry.ts';
import { parseOffsetDateTime } from '../../src/registry/registry-record.ts';
import { createTestDatabase, type TestDatabase } from '../support/create-test-database.ts';

const NOW = Date.parse('2022-01-15T00:00:00Z') / 1000;
let t: TestDatabase;
beforeEach(async () => {
  t = await createTestDatabase();
});
afterEach(() => t.cleanup());

const options = (format: 'csv' | 'ndjson'): ImportOptions => ({ format, now: NOW, timeZone: 'Asia/Seoul' });
const PERSON = '{"kind":"person","personId":"P-1","name":"Kim Min-jun","birthDate":"1990-11-30"}';
const rowsIn = async (table: TestDatabase['db']['t']['people'] | TestDatabase['db']['t']['testResults']) => (await t.db.orm.select({ n: count() }).from(table))[0]!.n;
const stored = async () => ({ people: await rowsIn(t.db.t.people), tests: await rowsIn(t.db.t.testResults) });

async function importBytes(name: string, bytes: Buffer | string, format: 'csv' | 'ndjson') {
  const path = join(t.dir, name);
  writeFileSync(path, bytes);
  return importRegistryFile(t.db, path, options(format));
}

describe('registry import refuses what it would otherwise change silently', () => {
  it('invalid UTF-8 in NDJSON: refused at its line, nothing imported (no U+FFFD stored)', async () => {
    const bad = Buffer.concat([Buffer.from(`${PERSON}\n{"kind":"person","personId":"P-2","name":"Ma`), Buffer.from([0xc3, 0x28]), Buffer.from('a","birthDate":"1985-03-14"}\n')]);
    const report = await importBytes('r.ndjson', bad, 'ndjson');
    expect(report.committed).toBe(false);
    expect(report.errors).toEqual([{ line: 2, reason: expect.stringMatching(/not valid UTF-8/) }]);
    expect((await stored()).people).toBe(0);
  });

  it('invalid UTF-8 in CSV: refused at its line', async () => {
    const bad = Buffer.concat([Buffer.from('kind,personId,name,birthDate\nperson,P-1,Kim,1990-11-30\nperson,P-2,Le'), Buffer.from([0xff]), Buffer.from('e,2001-02-28\n')]);
    const report = await importBytes('r.csv', bad, 'csv');
    expect(report.committed).toBe(false);
    expect(report.errors).toEqual([{ line: 3, reason: expect.stringMatching(/not valid UTF-8/) }]);
    expect((await stored()).people).toBe(0);
  });

  it('a field given twice on an NDJSON line', async () => {
    const report = await importBytes('r.ndjson', `${PERSON}\n{"kind":"person","personId":"P-2","name":"Lee","name":"Park","birthDate":"2001-02-28"}\n`, 'ndjson');
    expect(report.committed).toBe(false);
    expect(report.errors).toEqual([{ line: 2, reason: expect.stringMatching(/field name appears twice/) }]);
    expect((await stored()).people).toBe(0);
  });

  it('impossible instants: 30 February and T24:00', async () => {
    const test = (sampledAt: string) => JSON.stringify({ kind: 'test', personId: 'P-1', testKind: 'PCR', sampledAt, result: 'negative' });
    const report = await importBytes('r.ndjson', [PERSON, test('2021-02-30T10:00+09:00'), test('2022-01-13T24:00+09:00'), test('2022-01-13T10:00+09:60'), test('2022-01-13T10:00:00+09:00')].join('\n') + '\n', 'ndjson');
    expect(report.committed).toBe(false);
    expect(report.errors.map((e) => e.line)).toEqual([2, 3, 4]);
    for (const e of report.errors) expect(e.reason).toMatch(/real ISO 8601 date-time/);
    expect(await stored()).toEqual({ people: 0, tests: 0 });
  });

  it('parses offset date-times exactly', () => {
    expect(parseOffsetDateTime('2022-01-14T10:30:00+09:00')).toBe(Date.parse('2022-01-14T01:30:00Z') / 1000);
    expect(parseOffsetDateTime('2022-01-14T10:30Z')).toBe(Date.parse('2022-01-14T10:30:00Z') / 1000);
    expect(parseOffsetDateTime('2022-01-14T10:30:59.999-05:30')).toBe(Date.parse('2022-01-14T16:00:59Z') / 1000);
    for (const bad of ['2021-02-29T00:00Z', '2022-01-14T23:60Z', '2022-01-14T10:30', '2022-01-14T10:30+19:00', '2022-01-14 10:30Z']) expect(parseOffsetDateTime(bad), bad).toBeNull();
  });

  it('names that could impersonate a verdict, and invisible or separator characters', async () => {
    const names = ['Kim\nVALID', '✅ VALID - Kim', 'Kim Valid', '김민준 유효', 'Kim\u2028Lee', 'Kim\u200bLee', 'Kim\u0378', 'Kim 2'];
    const rows = names.map((name, i) => JSON.stringify({ kind: 'person', personId: `P-${i + 2}`, name, birthDate: '1990-01-01' }));
    const report = await importBytes('r.ndjson', [PERSON, ...rows].join('\n') + '\n', 'ndjson');
    expect(report.committed).toBe(false);
    expect(report.errors.map((e) => e.line)).toEqual(names.map((_, i) => i + 2));
    expect(JSON.stringify(report)).not.toMatch(/Kim|김민준/);
  });
});

describe('CSV the project writes', () => {
  it('escapes cells that a spreadsheet would run as a formula, and quotes per RFC 4180', async () => {
    const { csvCell, csvRow } = await import('../../src/registry/csv-cell.ts');
    expect(['=1+1', '+82', '-5', '@SUM(A1)', '\tx', '\rx'].map(csvCell)).toEqual(["'=1+1", "'+82", "'-5", "'@SUM(A1)", "'\tx", "\"'\rx\""]);
    expect(csvCell('Kim, "Min"')).toBe('"Kim, ""Min"""');
    expect(csvRow(['person', 'P-1', '2021-06-03'])).toBe('person,P-1,2021-06-03\n');
  });
});
