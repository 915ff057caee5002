// Where a command reads and writes. The real CLI uses the process streams; tests run commands
// in-process with captured output (test/cli), so nothing here touches `process` by default.
export interface CliIo {
  /** Results (pass text, verification result, bundle). */
  readonly stdout: (text: string) => void;
  /** Progress, status and errors. */
  readonly stderr: (text: string) => void;
  /** All of stdin as UTF-8, or only its first `maxBytes` bytes (and then stops reading) when given. */
  readonly readStdin: (maxBytes?: number) => Promise<string>;
  /**
   * stdin as a stream, for input larger than memory (`verify --batch -`). Optional: where it is
   * absent (in-process tests), such commands fall back to readStdin.
   */
  readonly stdinChunks?: () => AsyncIterable<Uint8Array>;
  /** Resolves when stdout can take more, so a long stream of results waits for a slow reader instead of piling up in memory. */
  readonly stdoutDrained?: () => Promise<void>;
}

export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    readStdin: async (maxBytes = Infinity) => {
      const chunks: Buffer[] = [];
      let length = 0;
      for await (const chunk of process.stdin) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
        chunks.push(bytes);
        length += bytes.length;
        // Leaving the loop destroys the stream: a runaway producer gets EPIPE instead of filling memory.
        if (length >= maxBytes) break;
      }
      return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
    },
    stdinChunks: () => process.stdin,
    stdoutDrained: () => (process.stdout.writableNeedDrain ? new Promise((resolve) => process.stdout.once('drain', resolve)) : Promise.resolve()),
  };
}

/** What a command's action gets: the streams and a place to put its exit code. */
export interface CliContext {
  readonly io: CliIo;
  exitCode: number;
}
