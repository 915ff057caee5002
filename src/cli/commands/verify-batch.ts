// vaxpass verify --batch: many passes against one trust bundle, as NDJSON in and out. Each input
// line is {"text": string | string[], "at"?: ISO}; each output line is that line's result with its
// verdict and line number, in input order. A line that cannot be read (not JSON, wrong shape, bad
// instant, too long) gets its own BAD_LINE result and the batch goes on. The input is streamed, so
// its size is bounded by the disk, not by memory. Exit status: the worst verdict of all lines.
import { createReadStream, openSync } from 'node:fs';
import { verdictOf, verify, type OpenBundleResult, type VerificationResult } from '../../core/index.ts';
import type { CliContext } from '../support/cli-io.ts';
import { CliError, EXIT, type ExitCode } from '../support/exit-codes.ts';
import { ndjsonLines } from '../support/ndjson-lines.ts';
import { parseInstant } from '../support/time-options.ts';
import { EXIT_BY_VERDICT, worstExit } from '../support/verdict-exit.ts';
import { openVerifierBundle, type VerifierBundleOptions } from '../support/verifier-bundle.ts';

/**
 * Far above any real input line: a pass is at most 4296 characters and a multi-part card a few
 * of them, JSON-escaped. Longer lines are refused without being held in memory.
 */
export const MAX_BATCH_LINE_BYTES = 1024 * 1024;

/** Results written between waits for stdout to drain. */
const DRAIN_EVERY = 256;

/** Not a verification code: the batch line itself could not be read, so nothing was verified. */
const BAD_LINE = 'BAD_LINE';

type BatchItem = { readonly text: string | readonly string[]; readonly at: Date | null };

export async function runVerifyBatch(source: string, bundleOptions: VerifierBundleOptions, defaultAt: Date, ctx: CliContext): Promise<void> {
  const input = openSource(source, ctx);
  // Opened once, at --at (or now); each line is then decided at its own instant, and verify
  // itself refuses a line whose instant lies past the bundle's expiry.
  const opened = await openVerifierBundle(bundleOptions, defaultAt);
  let exit: ExitCode = EXIT.ok;
  let written = 0;
  for await (const entry of ndjsonLines(input, MAX_BATCH_LINE_BYTES)) {
    const item = 'problem' in entry ? entry.problem : readItem(entry.text);
    const output = typeof item === 'string' ? badLine(item) : await decide(item, opened, defaultAt);
    exit = worstExit(exit, EXIT_BY_VERDICT[output.verdict]);
    ctx.io.stdout(`${JSON.stringify({ line: entry.line, ...output })}\n`);
    if (++written % DRAIN_EVERY === 0) await ctx.io.stdoutDrained?.();
  }
  ctx.exitCode = exit;
}

function openSource(source: string, ctx: CliContext): AsyncIterable<Uint8Array | string> {
  if (source === '-') {
    const stream = ctx.io.stdinChunks?.();
    if (stream) return stream;
    return (async function* () {
      yield await ctx.io.readStdin();
    })();
  }
  // Opened here so a missing file is one clear error before any output, not a failure mid-stream.
  let fd: number;
  try {
    fd = openSync(source, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read batch file ${source}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : String(error)}`);
  }
  return createReadStream('', { fd, highWaterMark: 256 * 1024 });
}

async function decide(item: BatchItem, opened: OpenBundleResult, defaultAt: Date) {
  const result: VerificationResult = opened.ok ? await verify(item.text, opened.bundle, { now: item.at ?? defaultAt }) : { ok: false, code: opened.code, message: opened.message };
  return { verdict: verdictOf(result), ...result };
}

function badLine(message: string) {
  return { verdict: 'cannot-verify' as const, ok: false as const, code: BAD_LINE, message };
}

/** The line as an item, or what is wrong with it. */
function readItem(text: string): BatchItem | string {
  if (text.trim() === '') return 'empty line: expected {"text": …}';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'line is not JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'line is not a JSON object';
  const { text: passText, at } = value as Record<string, unknown>;
  const isTextList = Array.isArray(passText) && passText.every((part) => typeof part === 'string');
  if (typeof passText !== 'string' && !isTextList) return '"text" must be a string or an array of strings';
  if (at !== undefined && typeof at !== 'string') return '"at" must be an ISO-8601 instant with a zone';
  try {
    return { text: passText as string | string[], at: at === undefined ? null : parseInstant(at, '"at"') };
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
