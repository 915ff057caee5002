// Streams records out of a registry file with their line numbers, so a 1,000,000-row file never
// sits in memory and every error can point at its line.
import { isUtf8 } from 'node:buffer';
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Transform } from 'node:stream';
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
  const guard = new Utf8Guard();
  const checked = stream.pipe(guard);
  return {
    totalBytes,
    bytesRead: () => stream.bytesRead,
    entries: format === 'csv' ? () => withUtf8Check(csvEntries(checked), guard) : () => withUtf8Check(ndjsonEntries(checked), guard),
  };
}

/**
 * Passes on only whole lines that are valid UTF-8, and stops at the first line that is not:
 * a decoder would otherwise store U+FFFD in place of the bytes, silently changing a name.
 * (0x0A never occurs inside a UTF-8 sequence, so lines can be split on bytes.)
 */
class Utf8Guard extends Transform {
  /** 1-based line of the first invalid UTF-8, or null. */
  badLine: number | null = null;
  private line = 1;
  private pending: Buffer = Buffer.alloc(0);

  override _transform(chunk: Buffer, _encoding: string, done: (error?: Error | null) => void): void {
    if (this.badLine !== null) return done();
    const data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    const last = data.lastIndexOf(10);
    if (last === -1) {
      this.pending = data;
      return done();
    }
    this.pending = Buffer.from(data.subarray(last + 1));
    this.pass(data.subarray(0, last + 1));
    done();
  }

  override _flush(done: (error?: Error | null) => void): void {
    if (this.badLine === null && this.pending.length > 0) this.pass(this.pending);
    done();
  }

  private pass(lines: Buffer): void {
    if (isUtf8(lines)) {
      for (let i = lines.indexOf(10); i !== -1; i = lines.indexOf(10, i + 1)) this.line++;
      this.push(lines);
      return;
    }
    let start = 0;
    while (start < lines.length) {
      const newline = lines.indexOf(10, start);
      const end = newline === -1 ? lines.length : newline + 1;
      if (!isUtf8(lines.subarray(start, end))) {
        this.badLine = this.line;
        this.push(null);
        return;
      }
      this.push(lines.subarray(start, end));
      this.line++;
      start = end;
    }
  }
}

async function* withUtf8Check(entries: AsyncGenerator<FileEntry>, guard: Utf8Guard): AsyncGenerator<FileEntry> {
  for await (const entry of entries) {
    // The guard cut the file short: a parse error at the cut is a consequence, not a finding.
    if (guard.badLine !== null && 'error' in entry && entry.line >= guard.badLine) break;
    yield entry;
  }
  if (guard.badLine !== null) yield { line: guard.badLine, error: 'line is not valid UTF-8; nothing was imported (the file must be UTF-8)', fatal: true };
}

/** The first member name that occurs twice in a JSON object text (any depth), or null. JSON.parse keeps the last silently. */
export function duplicateJsonKey(text: string): string | null {
  const seen: Set<string>[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') seen.push(new Set());
    else if (c === '}') seen.pop();
    else if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const token = text.slice(i, j + 1);
      i = j;
      let k = j + 1;
      while (text[k] === ' ' || text[k] === '\t' || text[k] === '\r' || text[k] === '\n') k++;
      const keys = seen.at(-1);
      if (text[k] === ':' && keys) {
        const key = JSON.parse(token) as string;
        if (keys.has(key)) return key;
        keys.add(key);
      }
    }
  }
  return null;
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
    const duplicate = duplicateJsonKey(trimmed);
    if (duplicate !== null) {
      // A known field name is the file's schema; an unknown one could be anything, so it is not echoed.
      yield { line, error: `${(CSV_COLUMNS as readonly string[]).includes(duplicate) ? `field ${duplicate}` : 'a field'} appears twice; nothing was imported` };
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
