// Streams records out of a registry file with their line numbers, so a 1,000,000-row file never
// sits in memory and every error can point at its line.
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import { CSV_COLUMNS } from './registry-record.ts';

export type RegistryFileFormat = 'csv' | 'ndjson';

export type FileEntry =
  | { readonly line: number; readonly raw: Record<string, unknown> }
  | { readonly line: number; readonly error: string; readonly fatal?: boolean };

export interface RegistryFileReader {
  readonly totalBytes: number;
  bytesRead(): number;
  entries(): AsyncGenerator<FileEntry>;
}

export function formatFromPath(path: string): RegistryFileFormat | null {
  if (/\.csv$/i.test(path)) return 'csv';
  if (/\.(ndjson|jsonl)$/i.test(path)) return 'ndjson';
  return null;
}

export function openRegistryFile(path: string, format: RegistryFileFormat): RegistryFileReader {
  const totalBytes = statSync(path).size;
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  return {
    totalBytes,
    bytesRead: () => stream.bytesRead,
    entries: format === 'csv' ? () => csvEntries(stream) : () => ndjsonEntries(stream),
  };
}

async function* ndjsonEntries(stream: NodeJS.ReadableStream): AsyncGenerator<FileEntry> {
  let line = 0;
  for await (const text of createInterface({ input: stream, crlfDelay: Infinity })) {
    line++;
    const trimmed = line === 1 ? text.replace(/^\uFEFF/, '').trim() : text.trim();
    if (trimmed === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      yield { line, error: 'line is not valid JSON' };
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield { line, error: 'line is not a JSON object' };
      continue;
    }
    yield { line, raw: value as Record<string, unknown> };
  }
}

async function* csvEntries(stream: NodeJS.ReadableStream): AsyncGenerator<FileEntry> {
  const known = new Set<string>(CSV_COLUMNS);
  let headerProblem: string | null = null;
  const parser = stream.pipe(
    parse({
      bom: true,
      info: true,
      skip_empty_lines: true,
      columns: (header: string[]) => {
        const unknown = header.filter((h) => !known.has(h));
        if (unknown.length > 0) headerProblem = `unknown column(s): ${unknown.join(', ')}; columns are ${CSV_COLUMNS.join(', ')}`;
        else if (!header.includes('kind') || !header.includes('personId')) headerProblem = 'header must include kind and personId';
        else if (new Set(header).size !== header.length) headerProblem = 'header repeats a column';
        return header;
      },
    }),
  );
  try {
    for await (const item of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      if (headerProblem) {
        yield { line: 1, error: headerProblem, fatal: true };
        return;
      }
      yield { line: item.info.lines, raw: item.record };
    }
    if (headerProblem) yield { line: 1, error: headerProblem, fatal: true };
  } catch (e) {
    // A CSV syntax error (unclosed quote, wrong number of fields) leaves the parser unable to resync.
    // The parser's message can quote cell values (personal data), so only its code is reported.
    const err = e as { lines?: number; code?: string };
    const what = (err.code ?? 'CSV_INVALID').replace(/^CSV_/, '').toLowerCase().replaceAll('_', ' ');
    yield { line: err.lines ?? 0, error: `CSV syntax error: ${what}; the rest of the file cannot be read`, fatal: true };
  }
}
