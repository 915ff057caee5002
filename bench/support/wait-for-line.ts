// Benchmarks start servers as child processes and learn their address from the line they print.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** The first line of the child's stream matching `pattern`; fails with the end of its stderr if it exits first. */
export function waitForLine(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((ok, fail) => {
    const rl = createInterface({ input: child[stream]! });
    rl.on('line', (line) => {
      const m = pattern.exec(line);
      if (m) ok(m);
    });
    let tail = '';
    if (stream === 'stderr') child.stderr!.on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-2000)));
    child.once('exit', (code) => fail(new Error(`process exited with ${code}: ${tail}`)));
  });
}
