// Storage conditions as the issuer sees them: the last failure of a kind that is the database's
// condition (full, busy, corrupt, unreachable) makes the instance unready until a write succeeds
// again. Readiness cannot wait for traffic to find that out (an unready instance gets none), so
// while a condition holds it tries a small write itself, at most once a second.
import { storageFailureOf, type StorageFailure, type StorageFailureKind } from '../db/storage-failure.ts';
import type { VaxpassDatabase } from '../db/store.ts';
import type { ProblemCode } from './problem.ts';

export interface StorageCondition extends StorageFailure {
  /** When it was first seen (ms, performance.now()): for the readiness detail only. */
  readonly since: number;
}

export const STORAGE_PROBLEMS: Readonly<Record<StorageFailureKind, { code: ProblemCode; retryAfterSeconds: number; detail: string }>> = {
  full: { code: 'STORAGE_FULL', retryAfterSeconds: 30, detail: "the issuer's storage is full, so the request was not completed; try again later" },
  busy: { code: 'STORAGE_BUSY', retryAfterSeconds: 1, detail: 'the database was busy, so the request was not completed; try again shortly' },
  corrupt: { code: 'STORAGE_CORRUPT', retryAfterSeconds: 300, detail: "the issuer's database is damaged, so the request was not completed; the operator has to restore it" },
  unavailable: { code: 'STORAGE_UNAVAILABLE', retryAfterSeconds: 5, detail: 'the database could not be reached, so the request was not completed; try again later' },
};

const PROBE_INTERVAL_MS = 1000;

export class StorageHealth {
  private condition: StorageCondition | null = null;
  private lastProbe = -Infinity;
  private probing: Promise<void> | null = null;
  private readonly seen = new WeakSet<object>();

  constructor(
    private readonly onFailure: (failure: StorageFailure) => void = () => undefined,
  ) {}

  /** Records `error` if it is a storage condition (once per error object); returns it, else null. */
  failed(error: unknown): StorageFailure | null {
    const failure = storageFailureOf(error);
    if (!failure) return null;
    if (typeof error === 'object' && error !== null) {
      if (this.seen.has(error)) return failure;
      this.seen.add(error);
    }
    if (this.condition?.kind !== failure.kind && this.condition?.kind !== 'corrupt') this.condition = { ...failure, since: performance.now() };
    this.onFailure(failure);
    return failure;
  }

  /** True when no storage condition is known now (no probe; for metrics). */
  healthy(): boolean {
    return this.condition === null;
  }

  /**
   * A write committed: a full disk, contention or a lost connection has passed. Damage has not: a
   * write that happens to miss the bad page proves nothing, so a corrupt database stays unready
   * until it is restored and the issuer restarted (whose integrity check then looks again).
   */
  writeSucceeded(): void {
    if (this.condition?.kind !== 'corrupt') this.condition = null;
  }

  /** The condition now, after a write probe when one is due; null when storage is fine. */
  async current(db: VaxpassDatabase, probe: (db: VaxpassDatabase) => Promise<void>): Promise<StorageCondition | null> {
    if (this.condition && this.condition.kind !== 'corrupt' && performance.now() - this.lastProbe >= PROBE_INTERVAL_MS) {
      this.lastProbe = performance.now();
      this.probing ??= probe(db).then(
        () => this.writeSucceeded(),
        (error: unknown) => void this.failed(error),
      ).finally(() => (this.probing = null));
    }
    if (this.probing) await this.probing;
    return this.condition;
  }
}

/** The store with every transaction's outcome reported to `health`. */
export function observedStore(db: VaxpassDatabase, health: StorageHealth): VaxpassDatabase {
  return Object.assign(Object.create(db) as VaxpassDatabase, {
    transaction<T>(work: Parameters<VaxpassDatabase['transaction']>[0]): Promise<T> {
      return (db.transaction(work) as Promise<T>).then(
        (value) => (health.writeSucceeded(), value),
        (error: unknown) => {
          health.failed(error);
          throw error;
        },
      );
    },
  });
}
