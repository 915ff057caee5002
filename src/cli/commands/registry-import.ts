// vaxpass registry import FILE: loads registry records (CSV or NDJSON) into the issuer database,
// all or nothing, with progress on stderr for large files.
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { isValidTimeZone } from '../../core/civil-time.ts';
import { DEFAULT_RULES } from '../../core/rules.ts';
import { openDatabase } from '../../db/open-database.ts';
import { StoreRefusal } from '../../db/store-refusal.ts';
import { acquireWriterLock } from '../../db/writer-lock.ts';
import { importRegistryFile, type ImportProgress } from '../../registry/import-registry.ts';
import { formatFromPath, type RegistryFileFormat } from '../../registry/read-registry-file.ts';
import { CSV_COLUMNS } from '../../registry/registry-record.ts';
import type { CliContext } from '../support/cli-io.ts';
import { commandAt, withExamples } from '../support/command-tree.ts';
import { CliError } from '../support/exit-codes.ts';
import { instantOption, unixSeconds } from '../support/time-options.ts';

export const DEFAULT_DATABASE_PATH = process.env.VAXPASS_DB ?? './data/vaxpass.sqlite';

interface RegistryImportOptions {
  readonly db: string;
  readonly format?: string;
  readonly dryRun?: boolean;
  readonly maxErrors: string;
  readonly at?: string;
  readonly timeZone: string;
}

export function registerRegistryImport(program: Command, ctx: CliContext): void {
  const command = commandAt(program, 'registry import')
    .summary('import registry records from a CSV or NDJSON file (all or nothing)')
    .description(
      'Validate every record of FILE and import them in one transaction. A bad record is reported with its line ' +
        'number and reason, and then nothing is imported. Re-importing the same records changes nothing.\n' +
        `CSV columns: ${CSV_COLUMNS.join(', ')} (header row required). See docs/registry-import.md.`,
    )
    .argument('<file>', 'a .csv, .ndjson or .jsonl file')
    .option('--db <path>', 'SQLite database (env VAXPASS_DB)', DEFAULT_DATABASE_PATH)
    .option('--format <format>', 'csv or ndjson (default: from the file name)')
    .option('--dry-run', 'validate only; write nothing')
    .option('--max-errors <n>', 'stop after this many bad rows', '100')
    .option('--time-zone <zone>', 'the issuing country\'s zone: dates are checked against its "today"', DEFAULT_RULES.timeZone)
    .option('--at <iso>', 'pretend the clock is at this instant (tests and back-fills)')
    .action(async (file: string, options: RegistryImportOptions) => {
      const format = (options.format ?? formatFromPath(file)) as RegistryFileFormat | null;
      if (format !== 'csv' && format !== 'ndjson') throw new CliError('--format must be csv or ndjson (or name the file .csv, .ndjson or .jsonl)');
      const maxErrors = Number(options.maxErrors);
      if (!Number.isInteger(maxErrors) || maxErrors < 1) throw new CliError('--max-errors must be a whole number of at least 1');
      if (!isValidTimeZone(options.timeZone)) throw new CliError(`--time-zone ${JSON.stringify(options.timeZone)} is not an IANA time zone such as Asia/Seoul`);
      if (!existsSync(file)) throw new CliError(`cannot read ${file}: no such file`);
      const now = unixSeconds(instantOption(options.at));
      let db;
      // One writer per SQLite file: with the issuer running on it, the import's one long transaction
      // would hold up every issuance, so it is refused instead (docs/registry-import.md).
      let lock;
      try {
        lock = options.dryRun ? null : acquireWriterLock(options.db, 'stop the issuer, import, then start it again (or import into PostgreSQL, which takes both at once)');
      } catch (error) {
        throw new CliError(error instanceof StoreRefusal ? `cannot import: ${error.message}` : `cannot open database ${options.db}: ${error instanceof Error ? error.message : String(error)}`);
      }
      try {
        db = openDatabase(options.db);
      } catch (error) {
        lock?.release();
        throw new CliError(`cannot open database ${options.db}: ${error instanceof Error ? error.message : String(error)}`);
      }
      const started = performance.now();
      let lastReport = started;
      const onProgress = (p: ImportProgress) => {
        const t = performance.now();
        if (t - lastReport < 1000 && p.bytesRead < p.totalBytes) return;
        lastReport = t;
        const pct = p.totalBytes > 0 ? Math.floor((100 * p.bytesRead) / p.totalBytes) : 100;
        const rate = Math.round(p.rows / ((t - started) / 1000));
        ctx.io.stderr(`  ${pct}%  ${p.rows.toLocaleString('en-US')} rows  ${rate.toLocaleString('en-US')} rows/s${p.errors ? `  ${p.errors} bad` : ''}\n`);
      };
      try {
        ctx.io.stderr(`${options.dryRun ? 'validating' : 'importing'} ${file} (${format}) into ${options.db}\n`);
        const report = await importRegistryFile(db, file, { format, now, timeZone: options.timeZone, dryRun: options.dryRun === true, maxErrors, onProgress, progressEvery: 10_000 });
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        for (const e of report.errors) ctx.io.stderr(`${file}:${e.line}: ${e.reason}\n`);
        if (report.errors.length > 0) {
          const more = report.stoppedEarly ? ` (stopped after ${report.errors.length}; there may be more)` : '';
          throw new CliError(`${report.errors.length} bad row(s)${more}; ${report.dryRun ? 'nothing would be imported' : 'nothing was imported'}`);
        }
        const w = report.written;
        ctx.io.stdout(
          `${report.dryRun ? 'valid' : 'imported'}: ${report.rows.toLocaleString('en-US')} rows in ${seconds} s — people ${w.person}, doses ${w.vaccination}, tests ${w.test}, ` +
            `recoveries ${w.recovery}, exemptions ${w.exemption}, already present ${report.unchanged}\n`,
        );
      } finally {
        await db.close();
        lock?.release();
      }
    });
  withExamples(command, [
    'vaxpass registry import registry.csv',
    'vaxpass registry import --dry-run --db data/vaxpass.sqlite records.ndjson',
  ]);
}
