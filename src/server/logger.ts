// JSON lines through pino, to stdout through an asynchronous buffered destination (a synchronous
// write per request cost 3–15 % of hot-path CPU under load), or to an injected sink for tests.
// Callers pass ids, routes, codes and timings only: never names, birth dates, tokens, API keys,
// pass text or key material. `redact` is the second line of defence should a caller slip. The
// request path is logged as its route pattern (/api/v1/partner/passes/:passId), never with the
// query string, so a credential someone put in a URL does not reach the logs either.
//
// The buffer is bounded (`maxBufferedBytes`): when stdout is a slow disk or a pipe nobody reads
// fast enough, an unbounded buffer grows with every request until the process runs out of memory —
// logging must not take the issuer down. Lines past the bound are dropped and counted
// (`dropped()`, vaxpass_log_lines_dropped_total), and once the buffer has drained one line says how
// many were lost, so a gap in the logs is never silent.
import pino from 'pino';
import type { LogLevel } from './config.ts';

export type LogFields = Readonly<Record<string, string | number | boolean | null | undefined>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** Writes out what is buffered (before the process exits). */
  flush(): void;
  /** Lines dropped so far because the destination was too slow and the buffer full. */
  dropped(): number;
}

/** Field names that would carry personal data or secrets, wherever they appear. */
export const REDACTED_FIELDS = ['name', 'birthDate', 'text', 'qr', 'token', 'idToken', 'id_token', 'apiKey', 'authorization', 'adminToken', 'privateKey', 'd'];

/** Bytes of log lines held for a slow stdout before lines are dropped: minutes of a busy issuer's lines, far below its memory. */
export const DEFAULT_LOG_BUFFER_BYTES = 8 * 1024 * 1024;

export interface LoggerOptions {
  /** Bytes buffered for the destination before further lines are dropped (asynchronous stdout only). */
  readonly maxBufferedBytes?: number;
  /** File descriptor of the asynchronous destination (1, stdout, unless a test says otherwise). */
  readonly fd?: number;
}

export function createLogger(level: LogLevel, write?: (line: string) => void, options: LoggerOptions = {}): Logger {
  const maxLength = options.maxBufferedBytes ?? DEFAULT_LOG_BUFFER_BYTES;
  const destination = write ? { write } : pino.destination({ dest: options.fd ?? 1, sync: false, minLength: 4096, maxLength });
  const log = pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: [...REDACTED_FIELDS, ...REDACTED_FIELDS.map((f) => `*.${f}`)], censor: '[redacted]' },
    },
    destination,
  );
  let dropped = 0;
  let unreported = 0;
  if ('on' in destination) {
    destination.on('drop', () => {
      dropped++;
      unreported++;
    });
    // 'drain': a write finished and little is left buffered, so the report has room.
    destination.on('drain', () => {
      if (unreported === 0) return;
      const lines = unreported;
      unreported = 0;
      log.warn({ droppedLines: lines }, 'log lines dropped: the log destination was too slow and the buffer full');
      // Out now, not when 4 KiB more lines have come (minLength): the gap must be explained promptly.
      destination.flush();
    });
  }
  const emit = (at: Exclude<LogLevel, 'silent'>) => (msg: string, fields: LogFields = {}) => log[at](fields, msg);
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    dropped: () => dropped,
    flush: () => {
      if ('flushSync' in destination) {
        try {
          destination.flushSync();
        } catch {
          // Not ready yet (nothing written): nothing to flush.
        }
      }
    },
  };
}

export const silentLogger: Logger = createLogger('silent', () => undefined);
