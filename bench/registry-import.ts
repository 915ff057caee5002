// Registry import of a 1,000,000-row file (250,000 people with three doses each), end to end:
// read, parse, validate, write in one transaction. Baseline in the same run: the same rows
// inserted with bare better-sqlite3 prepared statements (no parsing, no validation), same pragmas.
//   npx tsx bench/registry-import.ts [rows] [csv|ndjson]
import { mkdtempSync, rmSync, createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/db/open-database.ts';
import { importRegistryFile } from '../src/registry/import-registry.ts';
import { timeOrderedId } from '../src/db/time-ordered-id.ts';

const rows = Number(process.argv[2] ?? 1_000_000);
const format = (process.argv[3] ?? 'ndjson') as 'csv' | 'ndjson';
const dir = mkdtempSync(join(tmpdir(), 'vaxpass-bench-import-'));
const NOW = Date.parse('2022-01-15T00:00:00Z') / 1000;
const PRODUCTS = ['Pfizer-BioNTech Comirnaty', 'Moderna Spikevax', 'AstraZeneca Vaxzevria'];

function* records(n: number): Generator<Record<string, string>> {
  for (let i = 0; i < n; i++) {
    const person = Math.floor(i / 4);
    const personId = `P-${person.toString().padStart(7, '0')}`;
    if (i % 4 === 0) {
      yield { kind: 'person', personId, name: `Kim Min-jun ${person}`, birthDate: `19${50 + (person % 50)}-0${1 + (person % 9)}-1${person % 10}` };
    } else {
      const dose = i % 4;
      yield { kind: 'vaccination', personId, product: PRODUCTS[person % 3]!, date: `2021-0${3 + dose * 2}-1${person % 10}` };
    }
  }
}

async function writeFile(path: string): Promise<void> {
  const out = createWriteStream(path);
  const columns = ['kind', 'personId', 'name', 'birthDate', 'product', 'date'];
  if (format === 'csv') out.write(`${columns.join(',')}\n`);
  let buffer = '';
  for (const r of records(rows)) {
    buffer += format === 'csv' ? `${columns.map((c) => r[c] ?? '').join(',')}\n` : `${JSON.stringify(r)}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}

function baseline(): number {
  const db = openDatabase(join(dir, 'baseline.sqlite'));
  const client = db.client;
  const person = client.prepare('INSERT INTO people (id, name, birth_date, created_at) VALUES (?, ?, ?, ?)');
  const dose = client.prepare('INSERT INTO vaccination_events (id, person_id, product_code, dose_date, created_at) VALUES (?, ?, ?, ?, ?)');
  const t0 = performance.now();
  client.transaction(() => {
    for (const r of records(rows)) {
      if (r.kind === 'person') person.run(r.personId, r.name, r.birthDate, NOW);
      else dose.run(timeOrderedId(), r.personId, 1 + PRODUCTS.indexOf(r.product!), r.date, NOW);
    }
  })();
  const seconds = (performance.now() - t0) / 1000;
  void db.close();
  return seconds;
}

const file = join(dir, `registry.${format}`);
process.stderr.write(`generating ${rows.toLocaleString('en-US')} rows (${format})…\n`);
await writeFile(file);
const mb = statSync(file).size / 1e6;

process.stderr.write('baseline: bare prepared inserts in one transaction…\n');
const baseSeconds = baseline();

process.stderr.write('vaxpass registry import…\n');
const db = openDatabase(join(dir, 'import.sqlite'));
const t0 = performance.now();
const report = await importRegistryFile(db, file, {
  format,
  now: NOW,
  timeZone: 'Asia/Seoul',
  onProgress: (p) => process.stderr.write(`  ${Math.floor((100 * p.bytesRead) / p.totalBytes)}%  ${p.rows.toLocaleString('en-US')} rows\n`),
  progressEvery: 200_000,
});
const importSeconds = (performance.now() - t0) / 1000;
await db.close();
if (!report.committed) throw new Error(`import failed: ${JSON.stringify(report.errors.slice(0, 3))}`);

const rate = (s: number) => Math.round(rows / s).toLocaleString('en-US');
console.log(`\nRegistry import, ${rows.toLocaleString('en-US')} rows, ${format}, ${mb.toFixed(1)} MB, one transaction, synchronous=FULL`);
console.log('| what | seconds | rows/s | vs baseline |');
console.log('| --- | ---: | ---: | ---: |');
console.log(`| baseline: bare better-sqlite3 inserts, no parsing or validation | ${baseSeconds.toFixed(1)} | ${rate(baseSeconds)} | 1.00× |`);
console.log(`| vaxpass registry import (read + parse + validate + write) | ${importSeconds.toFixed(1)} | ${rate(importSeconds)} | ${(importSeconds / baseSeconds).toFixed(2)}× the time |`);
rmSync(dir, { recursive: true, force: true });
