// What a holder refresh answered last, per session, for a short time: a refresh whose
// If-None-Match still names that answer gets its 304 without any database work, not even the one
// read of the stored holder ETag (holder-not-modified.ts asks this cache first, then the database).
//
// Only a 304 is ever answered from here, so the cache can never hand anyone data: it confirms to
// the holder of a session cookie the ETag that cookie was last given, which that holder already has.
// Staleness is therefore a question of freshness only, bounded by `ttlSeconds`:
//   - sign-out here, and every admin write here (revocations, holds, keys), drop what is cached at once;
//   - a change made elsewhere (another instance's revocation or hold, a registry import, a pass
//     that ages past half its lifetime, a test result that lapses) reaches the holder's next
//     refresh after at most `ttlSeconds` (1 s by default; the stored ETag in the database sees it
//     at once). Scanners never depend on it: they read revocations from
//     the signed bundle.
// Entries are keyed by the SHA-256 of the cookie value (as the sessions table is), never the
// value itself, hold no personal data beyond the person id, and are bounded in number.
import { hash } from 'node:crypto';

interface Entry {
  readonly etag: string;
  readonly personId: string;
  /** Unix seconds: the earlier of the cache lifetime and the session's own expiry. */
  readonly until: number;
  readonly generation: number;
}

export interface HolderRefreshCache {
  /** The person whose refresh may be answered 304 (cookie value and If-None-Match match what was cached), else null. */
  notModified(cookieValue: string, ifNoneMatch: string | undefined, now: number): string | null;
  remember(cookieValue: string, personId: string, etag: string, now: number, sessionExpiresAt: number): void;
  forgetSession(cookieValue: string): void;
  /** Drops everything (an admin write may have changed anyone's passes). */
  forgetAll(): void;
  readonly size: number;
}

// One-shot hash(): a fifth of createHash()'s CPU for a value this short, and this runs on every holder refresh.
const cookieKey = (value: string) => hash('sha256', value, 'base64url');

export function createHolderRefreshCache(options: { ttlSeconds: number; maxEntries: number }): HolderRefreshCache {
  const entries = new Map<string, Entry>();
  let generation = 0;
  const off = options.ttlSeconds <= 0 || options.maxEntries <= 0;
  return {
    notModified(cookieValue, ifNoneMatch, now) {
      if (off || !ifNoneMatch || entries.size === 0) return null;
      const key = cookieKey(cookieValue);
      const entry = entries.get(key);
      if (!entry) return null;
      if (entry.generation !== generation || now >= entry.until) {
        entries.delete(key);
        return null;
      }
      // The holder app sends back exactly the ETag it was given; anything else takes the full path.
      return ifNoneMatch === entry.etag ? entry.personId : null;
    },
    remember(cookieValue, personId, etag, now, sessionExpiresAt) {
      if (off) return;
      const key = cookieKey(cookieValue);
      entries.delete(key);
      // Map order is insertion order: the oldest entry goes first when full.
      if (entries.size >= options.maxEntries) entries.delete(entries.keys().next().value!);
      entries.set(key, { etag, personId, until: Math.min(now + options.ttlSeconds, sessionExpiresAt), generation });
    },
    forgetSession(cookieValue) {
      entries.delete(cookieKey(cookieValue));
    },
    forgetAll() {
      generation++;
      entries.clear();
    },
    get size() {
      return entries.size;
    },
  };
}
