// vaxpass verify: decides offline whether a pass is valid, exactly as a venue scanner does:
// the pinned root opens the bundle, the bundle's keys and rules decide the pass.
import type { Command } from 'commander';
import { verdictOf, verify, type Verdict, type VerificationResult } from '../../core/index.ts';
import { readQrPng } from '../../qr/read-qr-image.ts';
import type { CliContext } from '../support/cli-io.ts';
import { withExamples } from '../support/command-tree.ts';
import { CliError } from '../support/exit-codes.ts';
import { readBinaryFile } from '../support/files.ts';
import { rootPublicKeyPath } from '../../keys/key-directory.ts';
import { DEFAULT_KEY_DIR } from '../support/key-files.ts';
import { instantOption, isoSeconds } from '../support/time-options.ts';
import { EXIT_BY_VERDICT } from '../support/verdict-exit.ts';
import { openVerifierBundle } from '../support/verifier-bundle.ts';
import { runVerifyBatch } from './verify-batch.ts';

interface VerifyOptions {
  readonly image?: string;
  readonly bundle: string;
  readonly held?: string;
  readonly root: string;
  readonly at?: string;
  readonly json?: boolean;
  readonly batch?: string;
}

export function registerVerify(program: Command, ctx: CliContext): void {
  const command = program
    .command('verify')
    .summary('verify a pass offline against a trust bundle')
    .description(
      'Verify a pass offline: open the trust bundle with the pinned root key, then check the pass\'s signature, ' +
        'key, validity period, revocation and the bundle\'s rules. The pass is TEXT (as scanned), "-" for stdin, ' +
        'or a PNG image of its QR code (--image).\n\n' +
        'With --batch FILE (or - for stdin), FILE is NDJSON, one {"text": TEXT or [TEXT, …], "at": ISO} per line ("at" optional, ' +
        'default --at or now); one JSON result per line is written in the same order, with its "line" number. A line that cannot ' +
        'be read gets a result with code BAD_LINE (cannot verify) and the batch goes on.\n\n' +
        'Exit status: 0 valid, 1 not valid (or not a health pass), 2 cannot verify (usage error, unreadable input, untrusted or expired bundle, ' +
        'a pass of a newer version). A batch exits with the worst status of its lines.',
    )
    .argument('[text...]', 'the QR text of the pass, or - to read it from stdin; several texts = the QR codes of one SMART Health Card, any order')
    .option('--image <file>', 'read the pass from a PNG image of its QR code')
    .requiredOption('--bundle <file>', 'trust bundle (compact JWS, as served at /api/v1/trust-bundle)')
    .option('--held <file>', 'a bundle this verifier already trusts: an older --bundle is refused as a rollback')
    .option('--root <file>', 'pinned root public key (Ed25519 JWK)', rootPublicKeyPath(DEFAULT_KEY_DIR))
    .option('--at <iso>', 'verify as of this instant instead of now (raised to the bundle\'s issuedAt if earlier)')
    .option('--json', 'print the result object as JSON (with "verdict"); --batch always prints NDJSON')
    .option('--batch <file>', 'verify every line of an NDJSON file (- for stdin), one JSON result per line')
    .action(async (texts: string[], options: VerifyOptions) => {
      const now = instantOption(options.at);
      const bundleOptions = { bundle: options.bundle, root: options.root, rootIsDefault: command.getOptionValueSource('root') === 'default', ...(options.held === undefined ? {} : { held: options.held }) };
      if (options.batch !== undefined) {
        if (texts.length > 0 || options.image !== undefined) throw new CliError('give the passes either in --batch FILE or as TEXT/--image, not both');
        return runVerifyBatch(options.batch, bundleOptions, now, ctx);
      }
      if (texts.length > 1 && options.image !== undefined) throw new CliError('give the pass either as TEXT or with --image, not both');
      const passText = texts.length > 1 ? texts : await readPassText(texts[0], options.image, ctx);
      const opened = await openVerifierBundle(bundleOptions, now);
      const result: VerificationResult = opened.ok ? await verify(passText, opened.bundle, { now }) : { ok: false, code: opened.code, message: opened.message };
      const verdict = verdictOf(result);
      ctx.io.stdout(options.json ? `${JSON.stringify({ verdict, ...result }, null, 2)}\n` : describe(result, verdict));
      ctx.exitCode = EXIT_BY_VERDICT[verdict];
    });
  withExamples(command, [
    'vaxpass verify "VP1:…" --bundle bundle.jws',
    'vaxpass issue --demo | vaxpass verify - --bundle bundle.jws --json',
    'vaxpass verify --image pass.png --bundle bundle.jws --root keys/root.public.jwk',
    'vaxpass verify "VP1:…" --bundle bundle.jws --at 2022-01-20T12:00:00+09:00',
    'vaxpass verify "VP1:…" --bundle new.jws --held current.jws',
    'vaxpass verify "shc:/2/3/…" "shc:/1/3/…" "shc:/3/3/…" --bundle bundle.jws --json',
    'vaxpass verify --batch scans.ndjson --bundle bundle.jws --json > results.ndjson',
  ]);
}

async function readPassText(text: string | undefined, image: string | undefined, ctx: CliContext): Promise<string> {
  if (image !== undefined) {
    if (text !== undefined) throw new CliError('give the pass either as TEXT or with --image, not both');
    const read = readQrPng(readBinaryFile(image, 'image'));
    if (!read.ok) throw new CliError(`cannot read a QR code from ${image}: ${read.message}`);
    return read.text;
  }
  if (text === undefined) throw new CliError('no pass given: pass its QR text, - for stdin, or --image FILE');
  if (text !== '-') return text;
  // Only the line break a shell or `echo` adds is removed; the text is otherwise taken exactly as given.
  const piped = (await ctx.io.readStdin(MAX_STDIN_BYTES)).replace(/\r?\n$/, '');
  // Nothing at all usually means the command before the pipe failed: that is not a pass to judge.
  if (piped.length === 0) throw new CliError('no pass text on stdin (did the command before the pipe fail?)');
  return piped;
}

/**
 * Far more than the longest acceptable pass (MAX_QR_TEXT_LENGTH characters), yet a bounded read:
 * whatever is cut off here is already too long, and the core rejects it as MALFORMED.
 */
const MAX_STDIN_BYTES = 64 * 1024;

function describe(result: VerificationResult, verdict: Verdict): string {
  if (result.ok) {
    return [
      `VALID (${result.rule})`,
      ...(result.format === 'vaxpass' ? [] : [`format:      ${result.format}${result.country ? ` (${result.country})` : ''}`]),
      `name:        ${result.holder.name}`,
      `birth date:  ${result.holder.birthDate}`,
      `valid until: ${isoSeconds(result.validUntil)}`,
      '',
    ].join('\n');
  }
  const label = verdict === 'invalid' ? 'NOT VALID' : verdict === 'not-a-pass' ? 'NOT A HEALTH PASS' : 'CANNOT VERIFY';
  return `${label}: ${result.code}: ${result.message}\n`;
}
