// Fixed one-minute windows per caller (partner id, holder person id). In memory: each server
// instance enforces its own share; a multi-instance deployment moves this to the shared store.
import { unixNow, type Clock } from './clock.ts';

export interface RateLimiter {
  /** Counts one request; returns null when allowed, or the seconds until the window resets. */
  take(key: string, limitPerMinute: number): number | null;
}

export function createRateLimiter(clock: Clock, maxKeys = 100_000): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    take(key, limit) {
      const now = unixNow(clock);
      const start = now - (now % 60);
      let w = windows.get(key);
      if (!w || w.start !== start) {
        if (windows.size >= maxKeys) windows.clear();
        w = { start, count: 0 };
        windows.set(key, w);
      }
      if (w.count >= limit) return Math.max(1, start + 60 - now);
      w.count++;
      return null;
    },
  };
}
