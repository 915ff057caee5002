// A child process for logger.test.ts: logs LINES lines through createLogger's asynchronous stdout
// destination over about a second, with a small buffer bound, then says on stderr how many it
// dropped and waits until its stdin closes (the test reads stdout, slowly or not, meanwhile), then
// flushes what is left below the destination's 4 KiB write threshold and exits.
import { createLogger } from '../../../src/server/logger.ts';

const lines = Number(process.env.LINES ?? 4000);
const logger = createLogger('info', undefined, { maxBufferedBytes: Number(process.env.MAX_BUFFERED_BYTES ?? 64 * 1024) });
const padding = 'x'.repeat(100);
let written = 0;
const timer = setInterval(() => {
  for (let i = 0; i < lines / 20 && written < lines; i++) logger.info('line', { n: written++, padding });
  if (written < lines) return;
  clearInterval(timer);
  process.stderr.write(`${JSON.stringify({ written, dropped: logger.dropped() })}\n`);
}, 50);
process.stdin.resume();
// Never outlive a test that failed before closing stdin.
setTimeout(() => process.exit(2), 30_000).unref();
process.stdin.on('end', () => {
  logger.flush();
  process.exit(0);
});
