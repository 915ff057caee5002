// The holder refresh cache on its own: what it confirms, for how long, and its bound.
import { describe, expect, it } from 'vitest';
import { createHolderRefreshCache } from '../../src/server/session/holder-refresh-cache.ts';

const COOKIE = 'a'.repeat(43);

describe('holder refresh cache', () => {
  it('confirms only the remembered ETag, for that cookie, until the earlier of its lifetime and the session end', () => {
    const cache = createHolderRefreshCache({ ttlSeconds: 30, maxEntries: 10 });
    cache.remember(COOKIE, 'p1', '"e1"', 1000, 2000);
    expect(cache.notModified(COOKIE, '"e1"', 1029)).toBe('p1');
    expect(cache.notModified(COOKIE, '"e2"', 1000)).toBeNull();
    expect(cache.notModified(COOKIE, undefined, 1000)).toBeNull();
    expect(cache.notModified('b'.repeat(43), '"e1"', 1000)).toBeNull();
    expect(cache.notModified(COOKIE, '"e1"', 1030)).toBeNull();
    cache.remember(COOKIE, 'p1', '"e1"', 1000, 1010);
    expect(cache.notModified(COOKIE, '"e1"', 1010)).toBeNull();
  });

  it('forgets a session, everything at once, and the oldest entry when full', () => {
    const cache = createHolderRefreshCache({ ttlSeconds: 30, maxEntries: 2 });
    cache.remember('x'.repeat(43), 'p1', '"e"', 0, 100);
    cache.remember('y'.repeat(43), 'p2', '"e"', 0, 100);
    cache.remember('z'.repeat(43), 'p3', '"e"', 0, 100);
    expect(cache.size).toBe(2);
    expect(cache.notModified('x'.repeat(43), '"e"', 1)).toBeNull();
    cache.forgetSession('y'.repeat(43));
    expect(cache.notModified('y'.repeat(43), '"e"', 1)).toBeNull();
    expect(cache.notModified('z'.repeat(43), '"e"', 1)).toBe('p3');
    cache.forgetAll();
    expect(cache.notModified('z'.repeat(43), '"e"', 1)).toBeNull();
  });

  it('is off with a lifetime of 0', () => {
    const cache = createHolderRefreshCache({ ttlSeconds: 0, maxEntries: 10 });
    cache.remember(COOKIE, 'p1', '"e1"', 0, 100);
    expect(cache.notModified(COOKIE, '"e1"', 0)).toBeNull();
  });
});
