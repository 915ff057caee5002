// Exit codes of every vaxpass command (docs/cli.md). `verify` uses all three; other commands
// exit 0 on success and 2 when they cannot do what was asked.
export const EXIT = {
  /** Success; for `verify`: the pass is valid. */
  ok: 0,
  /** `verify` only: the pass was checked and is not valid (bad signature, expired, rules not met, …). */
  invalid: 1,
  /** Nothing could be decided: usage error, unreadable file, untrusted or expired bundle, missing keys. */
  error: 2,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error meant for the person at the terminal: printed as one line, never with a stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.error,
  ) {
    super(message);
  }
}
