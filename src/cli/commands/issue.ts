// vaxpass issue --demo: signs a pass for built-in demo content (the reference passes) and prints
// its QR text. Real passes come from the registry through the issuer service, never from here.
import type { Command } from 'commander';
import { REFERENCE_PASSES, referencePass } from '../../demo/reference-passes.ts';
import { issuePass } from '../../issuance/issue-pass.ts';
import { qrVersion, renderQrPng, renderQrSvg, DEFAULT_ERROR_CORRECTION } from '../../qr/render-qr.ts';
import type { CliContext } from '../support/cli-io.ts';
import { withExamples } from '../support/command-tree.ts';
import { CliError } from '../support/exit-codes.ts';
import { writeOutputFile } from '../support/files.ts';
import { DEFAULT_KEY_DIR, loadKeys } from '../support/key-files.ts';
import { instantOption, isoSeconds, unixSeconds } from '../support/time-options.ts';

export const DEFAULT_REFERENCE_ID = 'vaccination-3-doses-latin-name';

interface IssueOptions {
  readonly demo?: boolean;
  readonly list?: boolean;
  readonly reference: string;
  readonly keys: string;
  readonly png?: string;
  readonly svg?: string;
  readonly at?: string;
}

export function registerIssue(program: Command, ctx: CliContext): void {
  const command = program
    .command('issue')
    .summary('sign a demo pass and print its QR text')
    .description(
      'Sign a pass for built-in demo content (the project\'s reference passes) with the current issuer key and print ' +
        'its QR text on stdout. Optionally write the QR code as PNG and/or SVG (error correction M, for screens and paper).',
    )
    .option('--demo', 'issue built-in demo content (required: real passes are issued by the issuer service)')
    .option('--list', 'list the demo reference pass ids and exit')
    .option('--reference <id>', 'which reference pass to issue', DEFAULT_REFERENCE_ID)
    .option('--keys <dir>', 'key directory', DEFAULT_KEY_DIR)
    .option('--png <file>', 'also write the QR code as a PNG image')
    .option('--svg <file>', 'also write the QR code as an SVG image')
    .option('--at <iso>', 'issuance time (default: now); the issuer key must be able to sign then')
    .action(async (options: IssueOptions) => {
      if (options.list) {
        for (const p of REFERENCE_PASSES) ctx.io.stdout(`${p.id}\t${p.content.type}\n`);
        return;
      }
      if (!options.demo) throw new CliError('only demo passes can be issued from the CLI: add --demo (see --list for the content)');
      const reference = referencePass(options.reference);
      if (!reference) throw new CliError(`unknown reference pass ${JSON.stringify(options.reference)}; choose one of: ${REFERENCE_PASSES.map((p) => p.id).join(', ')}`);
      const now = unixSeconds(instantOption(options.at));
      const keys = loadKeys(options.keys);
      const key = keys.signingKeyAt(now);
      if (!key) throw new CliError(`no issuer key in ${options.keys} may sign at ${isoSeconds(now)} (check keyring.json validity periods, or --at)`);
      let pass;
      try {
        pass = await issuePass({ content: reference.content, issuer: keys.issuer, now, key });
      } catch (error) {
        throw new CliError(`cannot issue ${reference.id} at ${isoSeconds(now)}: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (options.png !== undefined) writeOutputFile(options.png, await renderQrPng(pass.text), 'PNG file');
      if (options.svg !== undefined) writeOutputFile(options.svg, await renderQrSvg(pass.text), 'SVG file');
      ctx.io.stdout(`${pass.text}\n`);
      ctx.io.stderr(
        `issued ${pass.type} pass ${pass.passId} (${reference.id}) with key ${pass.kid}, valid to ${isoSeconds(pass.exp)}; ` +
          `${pass.text.length} characters, QR version ${qrVersion(pass.text)} at level ${DEFAULT_ERROR_CORRECTION}\n`,
      );
    });
  withExamples(command, [
    'vaxpass issue --demo',
    'vaxpass issue --demo --reference test-pcr-negative --png pass.png',
    'vaxpass issue --demo --at 2022-01-15T09:00:00+09:00 --svg pass.svg',
    'vaxpass issue --list',
  ]);
}
