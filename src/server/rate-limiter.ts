// Per-caller quotas (partner id, holder person id) as GCRA, the generic cell rate algorithm: one
// number per key, the theoretical arrival time (TAT) of the next request. A quota of N per minute
// is a sustained rate of one request every 60/N seconds with bursts of up to N at once (a token
// bucket of N tokens refilled at N per minute), without the fixed window's double burst at the
// minute boundary. This file is the single-process store (SQLite deployments, tests);
// redis-rate-limiter.ts keeps the same state in Redis so a quota holds across issuer instances.
import type { Clock } from './clock.ts';

export interface RateLimiter {
  /** Counts one request; resolves to null when allowed, or the whole seconds to wait before the next one is. */
  take(key: string, limitPerMinute: number): Promise<number | null>;
  /** The same at once, for a store in this process's memory (none for a shared store): no promise on the hottest paths. */
  takeNow?(key: string, limitPerMinute: number): number | null;
  close?(): Promise<void>;
  /** Keys held in this process (an in-memory store), for /metrics. */
  readonly size?: number;
}

export interface GcraDecision {
  /** The new TAT to store (ms), or null when refused (nothing changes). */
  readonly tat: number | null;
  readonly retryAfterSeconds: number | null;
}

/** The GCRA step, shared by the in-memory and (as a Lua port) the Redis store. */
export function gcra(storedTat: number | undefined, nowMs: number, limitPerMinute: number): GcraDecision {
  const interval = 60_000 / limitPerMinute;
  const next = Math.max(storedTat ?? nowMs, nowMs) + interval;
  const over = next - nowMs - limitPerMinute * interval;
  if (over > 0) return { tat: null, retryAfterSeconds: Math.max(1, Math.ceil(over / 1000)) };
  return { tat: next, retryAfterSeconds: null };
}

/**
 * In-memory GCRA with at most `maxKeys` keys. A key whose TAT has passed holds no information (it
 * is as good as new), so those go first when the map is full; if none has, the least recently used
 * key is dropped, which at worst grants that caller one fresh burst.
 */
export function createRateLimiter(clock: Clock, maxKeys = 100_000): RateLimiter {
  const tats = new Map<string, number>();
  const makeRoom = (now: number) => {
    for (const [key, tat] of tats) if (tat <= now) tats.delete(key);
    if (tats.size >= maxKeys) tats.delete(tats.keys().next().value!);
  };
  const takeNow = (key: string, limit: number): number | null => {
    const now = clock.now().getTime();
    const decision = gcra(tats.get(key), now, limit);
    if (decision.tat !== null) {
      // Delete and re-set so the Map's order is least recently used first.
      if (!tats.delete(key) && tats.size >= maxKeys) makeRoom(now);
      tats.set(key, decision.tat);
    }
    return decision.retryAfterSeconds;
  };
  return {
    takeNow,
    take: (key, limit) => Promise.resolve(takeNow(key, limit)),
    get size() {
      return tats.size;
    },
  };
}
