// Where a command reads and writes. The real CLI uses the process streams; tests run commands
// in-process with captured output (test/cli), so nothing here touches `process` by default.
export interface CliIo {
  /** Results (pass text, verification result, bundle). */
  readonly stdout: (text: string) => void;
  /** Progress, status and errors. */
  readonly stderr: (text: string) => void;
  readonly readStdin: () => Promise<string>;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

/** What a command's action gets: the streams and a place to put its exit code. */
export interface CliContext {
  readonly io: CliIo;
  exitCode: number;
}
