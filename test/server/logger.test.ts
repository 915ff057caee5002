// The logger's bounded buffer, through a real pipe: a reader that stops reading makes the
// asynchronous destination hold the lines; past the bound they are dropped and counted, and once
// the reader drains the pipe one line says how many were lost.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/server/logger.ts';
import { Metrics } from '../../src/server/metrics.ts';

interface Run {
  readonly written: number;
  readonly dropped: number;
  readonly lines: { n?: number; droppedLines?: number; msg: string }[];
}

/** Runs the writer; `stallMs`: how long stdout is not read (the pipe fills), 0: read all along. */
function runWriter(stallMs: number): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/server/support/slow-log-writer.ts'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LINES: '4000', MAX_BUFFERED_BYTES: String(64 * 1024) } });
  let out = '';
  let err = '';
  if (stallMs > 0) {
    child.stdout.pause();
    setTimeout(() => child.stdout.resume(), stallMs);
  }
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const parse = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Run['lines'][number]);
  let summary: { written: number; dropped: number } | null = null;
  return new Promise((ok, fail) => {
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // Once the writer is done, and its drop report (if it dropped any) has come through the pipe, it may flush the rest and exit.
    const check = setInterval(() => {
      const line = /^\{.*\}$/m.exec(err);
      if (!line) return;
      summary = JSON.parse(line[0]) as { written: number; dropped: number };
      if (summary.dropped > 0 && !out.includes('"droppedLines"')) return;
      clearInterval(check);
      child.stdin.end();
    }, 50);
    child.once('close', (code) => {
      clearInterval(check);
      if (code !== 0 || !summary) fail(new Error(`writer exited ${code}: ${err}`));
      else ok({ ...summary, lines: parse(out) });
    });
  });
}

describe('logger buffer bound', () => {
  it('drops lines past the bound while the pipe is not read, counts them, and reports the count once it drains', async () => {
    const run = await runWriter(2500);
    expect(run.dropped).toBeGreaterThan(0);
    const logged = run.lines.filter((l) => l.n !== undefined);
    // Nothing lost silently: what arrived plus what was counted is what was written.
    expect(logged.length + run.dropped).toBe(run.written);
    const reports = run.lines.filter((l) => l.droppedLines !== undefined);
    expect(reports.reduce((sum, l) => sum + l.droppedLines!, 0)).toBe(run.dropped);
    expect(reports[0]!.msg).toMatch(/log lines dropped/);
    // The lines kept are the earliest, in order (a full buffer refuses new lines; it never reorders).
    expect(logged.map((l) => l.n)).toEqual([...logged.map((l) => l.n!)].sort((a, b) => a - b));
  }, 20_000);

  it('drops nothing while the pipe is read', async () => {
    const run = await runWriter(0);
    expect(run.dropped).toBe(0);
    expect(run.lines.filter((l) => l.n !== undefined)).toHaveLength(run.written);
    expect(run.lines.some((l) => l.droppedLines !== undefined)).toBe(false);
  }, 20_000);

  it('exposes the count as vaxpass_log_lines_dropped_total', async () => {
    const metrics = new Metrics();
    let dropped = 0;
    metrics.logLinesDropped = () => dropped;
    expect(await metrics.render()).toMatch(/^vaxpass_log_lines_dropped_total 0$/m);
    dropped = 7;
    expect(await metrics.render()).toMatch(/^vaxpass_log_lines_dropped_total 7$/m);
    dropped = 9;
    expect(await metrics.render()).toMatch(/^vaxpass_log_lines_dropped_total 9$/m);
  });

  it('counts nothing for an injected sink (tests), which is never slow', () => {
    const logger = createLogger('info', () => undefined);
    logger.info('x');
    expect(logger.dropped()).toBe(0);
  });
});
