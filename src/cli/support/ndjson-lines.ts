// Lines of a possibly huge NDJSON stream, one at a time, in bounded memory. A batch file may be
// gigabytes; only the current line is ever held, and a line longer than `maxLineBytes` is skipped
// to its end (reported, never buffered), so one runaway line cannot exhaust memory either.
// node:readline would buffer such a line whole, which is why this is written out.
import { concatBytes } from '../../core/bytes.ts';

export type SourceLine =
  | { readonly line: number; readonly text: string }
  /** The line could not be taken as text: too long, or not UTF-8. */
  | { readonly line: number; readonly problem: string };

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export async function* ndjsonLines(source: AsyncIterable<Uint8Array | string>, maxLineBytes: number): AsyncGenerator<SourceLine> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let tooLong = false;
  let line = 0;

  const finish = (): SourceLine => {
    line += 1;
    if (tooLong) {
      tooLong = false;
      return { line, problem: `line is longer than ${maxLineBytes} bytes` };
    }
    let bytes = pending.length === 1 ? pending[0]! : concatBytes(...pending);
    pending = [];
    pendingBytes = 0;
    if (bytes.length > 0 && bytes[bytes.length - 1] === CARRIAGE_RETURN) bytes = bytes.subarray(0, -1);
    try {
      return { line, text: decoder.decode(bytes) };
    } catch {
      return { line, problem: 'line is not valid UTF-8' };
    }
  };

  const take = (piece: Uint8Array): void => {
    if (tooLong || piece.length === 0) return;
    if (pendingBytes + piece.length > maxLineBytes) {
      tooLong = true;
      pending = [];
      pendingBytes = 0;
      return;
    }
    // Copied: a stream may reuse the buffer it handed over.
    pending.push(piece.slice());
    pendingBytes += piece.length;
  };

  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
    let start = 0;
    for (let end = bytes.indexOf(NEWLINE); end !== -1; end = bytes.indexOf(NEWLINE, start)) {
      take(bytes.subarray(start, end));
      yield finish();
      start = end + 1;
    }
    take(bytes.subarray(start));
  }
  // A last line without a final line break still counts; a final line break ends the last line.
  if (pendingBytes > 0 || tooLong) yield finish();
}
