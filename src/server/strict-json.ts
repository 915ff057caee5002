// JSON.parse keeps the last of duplicate keys and turns "__proto__" into an own property that
// naive merging code can be tricked with. Request bodies go through this scanner first: it walks
// the text once (RFC 8259 grammar) and reports the first duplicate or forbidden key.

export type JsonProblem = { kind: 'syntax' | 'duplicate' | 'forbidden'; key?: string };

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 32;

export function parseStrictJson(text: string): { ok: true; value: unknown } | { ok: false; problem: JsonProblem } {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const fail = (kind: JsonProblem['kind'], key?: string): never => {
    throw Object.assign(new Error('json'), { problem: key === undefined ? { kind } : { kind, key } });
  };
  const string = (): string => {
    const start = i;
    i++; // opening quote
    while (i < text.length) {
      const ch = text.charCodeAt(i);
      if (ch === 0x22) break;
      if (ch < 0x20) fail('syntax');
      i += ch === 0x5c ? 2 : 1;
    }
    if (i >= text.length) fail('syntax');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (depth: number): void => {
    if (depth > MAX_DEPTH) fail('syntax');
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      const keys = new Set<string>();
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail('syntax');
        const key = string();
        if (FORBIDDEN_KEYS.has(key)) fail('forbidden', key);
        if (keys.has(key)) fail('duplicate', key);
        keys.add(key);
        ws();
        if (text[i] !== ':') fail('syntax');
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') return void i++;
        fail('syntax');
      }
    } else if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') return void i++;
        fail('syntax');
      }
    } else if (ch === '"') {
      string();
    } else {
      const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
      if (!m) fail('syntax');
      i += m![0].length;
    }
  };
  try {
    value(0);
    ws();
    if (i !== text.length) fail('syntax');
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const problem = (error as { problem?: JsonProblem }).problem;
    return { ok: false, problem: problem ?? { kind: 'syntax' } };
  }
}
