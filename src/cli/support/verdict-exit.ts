// How `vaxpass verify` turns a verdict into an exit status (docs/cli.md). A batch exits with the
// worst of its lines: one pass that cannot be verified outranks any number of refused ones.
import type { Verdict } from '../../core/index.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';

export const EXIT_BY_VERDICT: Record<Verdict, ExitCode> = { valid: EXIT.ok, invalid: EXIT.invalid, 'cannot-verify': EXIT.error, 'not-a-pass': EXIT.invalid };

export function worstExit(a: ExitCode, b: ExitCode): ExitCode {
  return a > b ? a : b;
}
