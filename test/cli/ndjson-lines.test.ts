// The batch reader holds one line at a time: lines split across chunks (even inside a UTF-8
// character) are joined, overlong lines are skipped to their end, invalid UTF-8 is reported.
import { describe, expect, it } from 'vitest';
import { ndjsonLines } from '../../src/cli/support/ndjson-lines.ts';

async function collect(chunks: readonly (Uint8Array | string)[], max = 64) {
  const out = [];
  for await (const line of ndjsonLines((async function* () { yield* chunks; })(), max)) out.push(line);
  return out;
}

describe('ndjsonLines', () => {
  it('joins lines across chunks, including a character split between them', async () => {
    const bytes = new TextEncoder().encode('{"n":"홍길동"}\n{"n":2}\r\n');
    const chunks = [bytes.subarray(0, 8), bytes.subarray(8, 9), bytes.subarray(9)];
    expect(await collect(chunks)).toEqual([
      { line: 1, text: '{"n":"홍길동"}' },
      { line: 2, text: '{"n":2}' },
    ]);
  });

  it('keeps empty lines (so line numbers stay true) and a last line without a line break', async () => {
    expect(await collect(['a\n\nb'])).toEqual([
      { line: 1, text: 'a' },
      { line: 2, text: '' },
      { line: 3, text: 'b' },
    ]);
  });

  it('reports an overlong line once, without keeping it, and goes on', async () => {
    expect(await collect(['x'.repeat(40), 'x'.repeat(40), 'x\nok\n'], 64)).toEqual([
      { line: 1, problem: 'line is longer than 64 bytes' },
      { line: 2, text: 'ok' },
    ]);
  });

  it('reports invalid UTF-8', async () => {
    expect(await collect([new Uint8Array([0x7b, 0xff, 0x7d, 0x0a])])).toEqual([{ line: 1, problem: 'line is not valid UTF-8' }]);
  });
});
