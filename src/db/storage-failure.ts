// Which storage failures are conditions of the database rather than bugs: a full disk, contention,
// corruption, a lost connection. They are recognised by the driver's code alone (SQLite result
// codes from better-sqlite3, SQLSTATE from PostgreSQL, errno from the socket), never by a message
// that could quote data, so the code can be logged and counted as it is.
import { errorChain } from './error-chain.ts';

export type StorageFailureKind = 'full' | 'busy' | 'corrupt' | 'unavailable';

export interface StorageFailure {
  readonly kind: StorageFailureKind;
  /** The driver's own code (SQLITE_FULL, 53100, ECONNREFUSED…): safe to log, no personal data. */
  readonly driverCode: string;
}

const SQLITE_KINDS: readonly [prefix: string, kind: StorageFailureKind][] = [
  ['SQLITE_FULL', 'full'],
  // A disk that fills while the WAL or a journal grows surfaces as an I/O error on write.
  ['SQLITE_IOERR', 'full'],
  ['SQLITE_BUSY', 'busy'],
  ['SQLITE_LOCKED', 'busy'],
  ['SQLITE_CORRUPT', 'corrupt'],
  ['SQLITE_NOTADB', 'corrupt'],
  ['SQLITE_CANTOPEN', 'unavailable'],
  ['SQLITE_READONLY', 'unavailable'],
];

/** SQLSTATE classes and codes (PostgreSQL Appendix A). */
function postgresKind(sqlState: string): StorageFailureKind | null {
  if (sqlState === '53100') return 'full';
  // Serialization failure, deadlock, lock not available, statement timeout: another transaction was
  // in the way; the same request a moment later succeeds.
  if (sqlState === '40001' || sqlState === '40P01' || sqlState === '55P03' || sqlState === '57014') return 'busy';
  if (sqlState === 'XX001' || sqlState === 'XX002') return 'corrupt';
  // The server cannot take writes now: a read-only transaction (a hot standby after a failover that
  // pointed us at a replica, or default_transaction_read_only set by an operator), as SQLITE_READONLY;
  // an I/O error on its files; shutdown (57P01–57P05: admin, crash, cannot connect now, database
  // dropped, idle session timeout); a lost or refused connection (class 08); out of memory or
  // connection slots (53200, 53300). All heal without a restart of the issuer, like the disk filling.
  if (sqlState === '25006' || sqlState === '58030') return 'unavailable';
  if (sqlState.startsWith('08') || sqlState.startsWith('57P') || sqlState === '53300' || sqlState === '53200') return 'unavailable';
  return null;
}

const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

// node-postgres reports a connection the server dropped, or a pool that cannot connect in time,
// with these fixed messages and no code. They are the driver's own words, never data.
const PG_CONNECTION_MESSAGES = ['Connection terminated', 'Client has encountered a connection error', 'timeout exceeded when trying to connect', 'Client was closed and is not queryable'];

/** The storage condition behind `error` (looking through wrappers such as DrizzleQueryError), or null. */
export function storageFailureOf(error: unknown): StorageFailure | null {
  for (const e of errorChain(error)) {
    const found = ownFailure(e as { code?: unknown; message?: unknown; name?: unknown });
    if (found) return found;
  }
  return null;
}

function ownFailure(e: { code?: unknown; message?: unknown; name?: unknown }): StorageFailure | null {
  const code = typeof e.code === 'string' ? e.code : null;
  if (code?.startsWith('SQLITE_')) {
    const hit = SQLITE_KINDS.find(([prefix]) => code === prefix || code.startsWith(`${prefix}_`));
    return hit ? { kind: hit[1], driverCode: code } : null;
  }
  // Before SQLSTATE: EPIPE also has five capital letters.
  if (code && SOCKET_ERRORS.has(code)) return { kind: 'unavailable', driverCode: code };
  if (code && /^[0-9A-Z]{5}$/.test(code)) {
    const kind = postgresKind(code);
    return kind ? { kind, driverCode: code } : null;
  }
  if (typeof e.message === 'string' && PG_CONNECTION_MESSAGES.some((m) => (e.message as string).startsWith(m))) return { kind: 'unavailable', driverCode: 'CONNECTION_LOST' };
  return null;
}
