// Background refresh timing: exponential backoff with full jitter (so a million phones that lost
// the network together do not come back together), never sooner than the server's Retry-After
// (RFC 9110 §10.2.3: delay-seconds or an HTTP-date).

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

export const REFRESH_BACKOFF: BackoffPolicy = { baseMs: 5_000, maxMs: 30 * 60_000 };

/** Delay before retry number `attempt` (0 = first retry): uniform in [0, min(max, base·2^attempt)]. */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** Retry-After in milliseconds from `nowMs`, or null when absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs: number): number | null {
  if (header === null) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

/** The delay to use after a failure: the backoff, raised to Retry-After when the server asked for longer. */
export function retryDelayMs(attempt: number, retryAfter: number | null, policy: BackoffPolicy = REFRESH_BACKOFF, random: () => number = Math.random): number {
  const delay = backoffDelayMs(attempt, policy, random);
  return retryAfter === null ? delay : Math.max(delay, retryAfter);
}
