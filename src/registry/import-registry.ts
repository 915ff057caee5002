// Registry import: a CSV or NDJSON file → validated records → one all-or-nothing transaction.
// Every bad row is reported with its line number and reason (up to maxErrors); if there is any,
// nothing is committed.
import { civilDayAt, formatIsoDate } from '../core/civil-time.ts';
import { registryWriter, type RegistryWriter } from '../db/queries/registry-import.ts';
import type { VaxpassDatabase } from '../db/store.ts';
import { openRegistryFile, type RegistryFileFormat } from './read-registry-file.ts';
import { validateRecord, type RecordKind } from './registry-record.ts';

export interface ImportProgress {
  readonly rows: number;
  readonly bytesRead: number;
  readonly totalBytes: number;
  readonly errors: number;
}

export interface ImportOptions {
  readonly format: RegistryFileFormat;
  /** Server clock, unix seconds: dates in the future are refused relative to it. */
  readonly now: number;
  /** The issuing country's zone: "today" for date checks is its civil date. */
  readonly timeZone: string;
  /** Validate only; write nothing. */
  readonly dryRun?: boolean;
  /** Stop reading after this many bad rows (default 100). */
  readonly maxErrors?: number;
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Rows between progress callbacks (default 50,000). */
  readonly progressEvery?: number;
}

export interface RowError {
  readonly line: number;
  readonly reason: string;
}

export interface ImportReport {
  readonly rows: number;
  readonly written: Readonly<Record<RecordKind, number>>;
  readonly unchanged: number;
  readonly errors: readonly RowError[];
  /** True when errors stopped the import before the end of the file. */
  readonly stoppedEarly: boolean;
  readonly committed: boolean;
  readonly dryRun: boolean;
}

const NOTHING_WRITTEN: Readonly<Record<RecordKind, number>> = { person: 0, vaccination: 0, test: 0, recovery: 0, exemption: 0 };

/** Thrown inside the import transaction to roll it back when a row was bad; carries the report. */
class BadRows {
  constructor(readonly report: ImportReport) {}
}

export async function importRegistryFile(db: VaxpassDatabase, path: string, options: ImportOptions): Promise<ImportReport> {
  if (options.dryRun) return readFile(path, options, null);
  try {
    return await db.transaction(async (tx) => {
      const report = await readFile(path, options, registryWriter(tx, options.now));
      if (report.errors.length > 0) throw new BadRows(report);
      return report;
    });
  } catch (error) {
    if (error instanceof BadRows) return { ...error.report, written: NOTHING_WRITTEN, unchanged: 0, committed: false };
    throw error;
  }
}

async function readFile(path: string, options: ImportOptions, writer: RegistryWriter | null): Promise<ImportReport> {
  const maxErrors = options.maxErrors ?? 100;
  const progressEvery = options.progressEvery ?? 50_000;
  const ctx = { now: options.now, today: formatIsoDate(civilDayAt(options.now, options.timeZone)) };
  const reader = openRegistryFile(path, options.format);
  const written: Record<RecordKind, number> = { ...NOTHING_WRITTEN };
  const errors: RowError[] = [];
  let rows = 0;
  let unchanged = 0;
  let stoppedEarly = false;
  const progress = () => options.onProgress?.({ rows, bytesRead: reader.bytesRead(), totalBytes: reader.totalBytes, errors: errors.length });

  // Validation continues after the first error so one run reports every bad row, but once a row
  // has failed nothing more is written: the transaction will be rolled back anyway.
  for await (const entry of reader.entries()) {
    rows++;
    if ('error' in entry) {
      errors.push({ line: entry.line, reason: entry.error });
      if (entry.fatal) break;
    } else {
      const result = validateRecord(entry.raw, ctx);
      if (!result.ok) errors.push({ line: entry.line, reason: result.reason });
      else if (writer && errors.length === 0) {
        const outcome = await writer.write(result.record);
        if (outcome === 'unknown-person') errors.push({ line: entry.line, reason: 'personId is not in the registry; put the person record before their events' });
        else if (outcome === 'written') written[result.record.kind]++;
        else unchanged++;
      }
    }
    if (errors.length >= maxErrors) {
      stoppedEarly = true;
      break;
    }
    if (rows % progressEvery === 0) progress();
  }
  progress();
  return { rows, written, unchanged, errors, stoppedEarly, committed: writer !== null && errors.length === 0, dryRun: writer === null };
}
