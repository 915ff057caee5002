// vaxpass verify --batch: NDJSON in, one result per line out in the same order, bad lines answered
// (not fatal), exit status the worst verdict; from a file in-process and from stdin in a real process.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BATCH_LINE_BYTES } from '../../src/cli/commands/verify-batch.ts';
import { expectOneLineError, runInProcess, spawnCli } from './cli-harness.ts';

const KEYS_AT = '2022-01-14T00:00:00Z';
const ISSUE_AT = '2022-01-15T09:00:00+09:00';
const VERIFY_AT = '2022-01-15T21:00:00+09:00';

let dir: string;
let common: string[];
let valid: string;
let janssen: string;

async function issue(reference: string): Promise<string> {
  const run = await runInProcess(['issue', '--demo', '--reference', reference, '--keys', join(dir, 'keys'), '--at', ISSUE_AT]);
  if (run.code !== 0) throw new Error(run.stderr);
  return run.stdout.trimEnd();
}

function batchFile(name: string, lines: readonly string[]): string {
  const path = join(dir, name);
  writeFileSync(path, lines.map((line) => `${line}\n`).join(''));
  return path;
}

const parse = (stdout: string) => stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vaxpass-batch-'));
  const keys = join(dir, 'keys');
  for (const args of [
    ['keys', 'init', '--dir', keys, '--at', KEYS_AT],
    ['bundle', 'build', '--keys', keys, '--at', ISSUE_AT, '--ttl', '7d', '--out', join(dir, 'bundle.jws')],
  ]) {
    const run = await runInProcess(args);
    if (run.code !== 0) throw new Error(run.stderr);
  }
  common = ['--bundle', join(dir, 'bundle.jws'), '--root', join(keys, 'root.public.jwk'), '--at', VERIFY_AT];
  valid = await issue('vaccination-3-doses-latin-name');
  janssen = await issue('vaccination-1-dose-janssen');
}, 60_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('vaxpass verify --batch', () => {
  it('answers every line in order, bad lines included, and exits with the worst verdict', async () => {
    const at = '2022-01-16T08:00:00+09:00';
    const file = batchFile('mixed.ndjson', [
      JSON.stringify({ text: valid, at }),
      JSON.stringify({ text: janssen }),
      JSON.stringify({ text: 'https://menu.example/today' }),
      'not json at all',
      JSON.stringify({ text: [valid] }),
      JSON.stringify({ text: 42 }),
      '',
      JSON.stringify({ text: valid, at: 'tomorrow' }),
      JSON.stringify({ text: ['shc:/1/2/0123', 'shc:/2/2/4567'] }),
      JSON.stringify({ text: valid.replace(/^VP1:/, 'VP2:') }),
      JSON.stringify([valid]),
    ]);
    const run = await runInProcess(['verify', '--batch', file, ...common, '--json']);
    expect(run.stderr).toBe('');
    const results = parse(run.stdout);
    expect(results.map((r) => r.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(results.map((r) => [r.verdict, r.code ?? r.rule])).toEqual([
      ['valid', 'vaccination.booster'],
      ['invalid', 'RULES_NOT_MET'],
      ['not-a-pass', 'NOT_A_PASS'],
      ['cannot-verify', 'BAD_LINE'],
      ['valid', 'vaccination.booster'],
      ['cannot-verify', 'BAD_LINE'],
      ['cannot-verify', 'BAD_LINE'],
      ['cannot-verify', 'BAD_LINE'],
      // The parts of a multi-part card reach verify as one pass; judging them is the core's job.
      ['invalid', results[8]!.code],
      ['cannot-verify', 'UNSUPPORTED_VERSION'],
      ['cannot-verify', 'BAD_LINE'],
    ]);
    // Each line is decided at its own "at", or --at.
    expect(results[0]!.decidedAt).toBe(Date.parse(at) / 1000);
    expect(results[4]!.decidedAt).toBe(Date.parse(VERIFY_AT) / 1000);
    expect(results[7]!.message).toMatch(/"at" must be an ISO-8601 instant/);
    expect(results[0]).toMatchObject({ ok: true, format: 'vaxpass', holder: { name: 'Maria Gonzalez Lopez' } });
    expect(run.code).toBe(2);
  });

  it('exits 0 when every line is valid and 1 when the worst is not valid or not a pass', async () => {
    const allValid = await runInProcess(['verify', '--batch', batchFile('valid.ndjson', [JSON.stringify({ text: valid }), JSON.stringify({ text: valid })]), ...common]);
    expect(parse(allValid.stdout).map((r) => r.verdict)).toEqual(['valid', 'valid']);
    expect(allValid.code).toBe(0);
    const refused = await runInProcess(['verify', '--batch', batchFile('refused.ndjson', [JSON.stringify({ text: valid }), JSON.stringify({ text: janssen }), JSON.stringify({ text: 'WIFI:S:cafe;;' })]), ...common]);
    expect(refused.code).toBe(1);
    const notAPass = await runInProcess(['verify', '--batch', batchFile('menu.ndjson', [JSON.stringify({ text: 'https://menu.example/' })]), ...common]);
    expect(notAPass.code).toBe(1);
    const empty = await runInProcess(['verify', '--batch', batchFile('empty.ndjson', []), ...common]);
    expect([empty.code, empty.stdout]).toEqual([0, '']);
  });

  it('answers an overlong line without holding it, then carries on; takes CRLF line ends and a last line without one', async () => {
    const path = join(dir, 'long.ndjson');
    writeFileSync(path, `${JSON.stringify({ text: 'x'.repeat(MAX_BATCH_LINE_BYTES + 10) })}\r\n${JSON.stringify({ text: valid })}\r\n${JSON.stringify({ text: valid })}`);
    const run = await runInProcess(['verify', '--batch', path, ...common]);
    const results = parse(run.stdout);
    expect(results.map((r) => [r.line, r.code ?? r.verdict])).toEqual([
      [1, 'BAD_LINE'],
      [2, 'valid'],
      [3, 'valid'],
    ]);
    expect(results[0]!.message).toMatch(/longer than/);
  });

  it('answers every line cannot-verify when the bundle cannot be trusted', async () => {
    const run = await runInProcess(['verify', '--batch', batchFile('late.ndjson', [JSON.stringify({ text: valid })]), ...common.slice(0, 4), '--at', '2023-01-01T00:00:00Z']);
    expect(parse(run.stdout)).toEqual([expect.objectContaining({ line: 1, verdict: 'cannot-verify', code: expect.stringMatching(/^BUNDLE_/) })]);
    expect(run.code).toBe(2);
    // Opened at --at, a line decided past the bundle's expiry is refused on its own.
    const lateLine = await runInProcess(['verify', '--batch', batchFile('late-line.ndjson', [JSON.stringify({ text: valid }), JSON.stringify({ text: valid, at: '2022-02-01T00:00:00Z' })]), ...common]);
    expect(parse(lateLine.stdout).map((r) => r.code ?? r.verdict)).toEqual(['valid', 'BUNDLE_EXPIRED']);
  });

  it('refuses a missing file and a batch mixed with TEXT with one line, exit 2', async () => {
    const missing = await runInProcess(['verify', '--batch', join(dir, 'nope.ndjson'), ...common]);
    expect(missing.code).toBe(2);
    expect(expectOneLineError(missing)).toBe(`vaxpass: cannot read batch file ${join(dir, 'nope.ndjson')}: no such file`);
    const both = await runInProcess(['verify', valid, '--batch', '-', ...common]);
    expect(both.code).toBe(2);
    expect(expectOneLineError(both)).toContain('not both');
  });

  it('reads the batch from stdin with - (a real process, streamed)', () => {
    const input = [JSON.stringify({ text: valid }), JSON.stringify({ text: janssen }), '{"text":'].join('\n');
    const run = spawnCli(['verify', '--batch', '-', ...common, '--json'], { cwd: dir, input });
    expect(run.stderr).toBe('');
    expect(parse(run.stdout).map((r) => [r.line, r.verdict])).toEqual([
      [1, 'valid'],
      [2, 'invalid'],
      [3, 'cannot-verify'],
    ]);
    expect(run.code).toBe(2);
  }, 30_000);

  it('reads stdin in-process too, where the harness gives it as one string', async () => {
    const run = await runInProcess(['verify', '--batch', '-', ...common], `${JSON.stringify({ text: janssen })}\n`);
    expect(parse(run.stdout)).toEqual([expect.objectContaining({ line: 1, verdict: 'invalid', code: 'RULES_NOT_MET' })]);
    expect(run.code).toBe(1);
  });
});
