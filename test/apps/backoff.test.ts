import { describe, expect, it } from 'vitest';
import { backoffDelayMs, retryAfterMs, retryDelayMs } from '../../src/apps/shared/backoff.ts';

const policy = { baseMs: 1000, maxMs: 60_000 };

describe('holder refresh backoff', () => {
  it('doubles the ceiling per attempt up to the maximum, with full jitter', () => {
    expect([0, 1, 2, 3, 10].map((a) => backoffDelayMs(a, policy, () => 0.999_999))).toEqual([999, 1999, 3999, 7999, 59_999]);
    expect(backoffDelayMs(5, policy, () => 0)).toBe(0);
    expect(backoffDelayMs(1000, policy, () => 0.5)).toBe(30_000);
  });

  it('reads Retry-After as seconds or an HTTP-date (RFC 9110 §10.2.3)', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:01:00 GMT', now)).toBe(60_000);
    expect(retryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
  });

  it('never retries sooner than Retry-After', () => {
    expect(retryDelayMs(0, 120_000, policy, () => 0.5)).toBe(120_000);
    expect(retryDelayMs(5, 1_000, policy, () => 0.5)).toBe(16_000);
    expect(retryDelayMs(0, null, policy, () => 0.5)).toBe(500);
  });
});
