// `vaxpass registry import` as operators run it: a real child process once, the rest in-process.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess, spawnCli } from '../cli/cli-harness.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vaxpass-import-cli-'));
  writeFileSync(join(dir, 'good.csv'), 'kind,personId,name,birthDate,product,date\nperson,P-1,Kim Min-jun,1990-11-30,,\nvaccination,P-1,,,Janssen Jcovden,2021-06-10\n');
  writeFileSync(join(dir, 'bad.ndjson'), '{"kind":"person","personId":"P-2","name":"Lee","birthDate":"2001-02-30"}\n{"kind":"vaccination","personId":"P-2","product":"Moderna Spikevax","date":"2021-08-01"}\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vaxpass registry import', () => {
  it('imports a CSV file (real process) and says what it wrote', () => {
    const run = spawnCli(['registry', 'import', 'good.csv', '--db', 'r.sqlite', '--at', '2022-01-15T00:00:00Z'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/imported: 2 rows .* people 1, doses 1/);
    expect(run.stderr).toMatch(/100%/);
  });

  it('reports FILE:LINE: reason for each bad row, exits 2 and imports nothing', async () => {
    const run = await runInProcess(['registry', 'import', join(dir, 'bad.ndjson'), '--db', join(dir, 'r2.sqlite'), '--at', '2022-01-15T00:00:00Z']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('bad.ndjson:1: birthDate must be a real date YYYY-MM-DD');
    expect(run.stderr).toMatch(/vaxpass: 1 bad row\(s\); nothing was imported/);
    expect(run.stdout).toBe('');
  });

  it('gives one-line errors for a missing file, an unknown format and a bad zone', async () => {
    expect((await runInProcess(['registry', 'import', join(dir, 'missing.csv'), '--db', join(dir, 'x.sqlite')])).stderr).toMatch(/^vaxpass: cannot read .*missing.csv: no such file\n$/);
    expect((await runInProcess(['registry', 'import', join(dir, 'good.txt')])).stderr).toMatch(/^vaxpass: --format must be csv or ndjson/);
    expect((await runInProcess(['registry', 'import', join(dir, 'good.csv'), '--time-zone', 'Mars/Base'])).stderr).toMatch(/not an IANA time zone/);
  });
});
