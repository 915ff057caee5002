// Whether a holder refresh can be answered 304 without building the answer: the one decision the
// node front (node-front.ts, on the raw request) and the Hono fast path (holder-routes.ts, for
// in-process callers) both make, so the two cannot drift apart.
//
// Only the session cookie and If-None-Match come from the client; validity is decided by the
// database and the server's clock:
//   1. the per-instance refresh cache (holder-refresh-cache.ts), which confirms the exact ETag the
//      session was last given, with no database work, within its short lifetime;
//   2. else the person's stored ETag (holder-answers.ts): one indexed read joining the session and
//      the stored answer (the refreshes that arrive in the same turn of the event loop share one
//      statement, batched-lookup.ts), valid until a write touches the person or the answer would change by
//      itself, and made by this release's answer format (holder-answer-etag.ts). If-None-Match is
//      compared weakly (RFC 9110 §13.1.2).
// A 304 confirms to the holder of a session cookie an ETag that session's person was given; it
// never carries data. Within the per-holder quota only: over it, the route refuses properly.
import type { VaxpassDatabase } from '../../db/store.ts';
import { storedHolderAnswersForSessions } from '../../db/queries/holder-answers.ts';
import { batchedLookup } from '../batched-lookup.ts';
import { unixNow, type Clock } from '../clock.ts';
import { ifNoneMatchHits } from '../http-cache.ts';
import type { RateLimiter } from '../rate-limiter.ts';
import { isCurrentHolderAnswerEtag } from './holder-answer-etag.ts';
import type { HolderRefreshCache } from './holder-refresh-cache.ts';

/**
 * The ETag to answer 304 with, or null: take the full path (which also refuses what must be refused).
 * Decided at once (no promise) from the refresh cache and an in-memory quota store: most refreshes in
 * a flood are, and a promise per answer is a measurable share of what a 304 costs (bench/cheap-answers.ts).
 */
export type HolderNotModified = (cookieValue: string | null, ifNoneMatch: string | undefined) => string | null | Promise<string | null>;

/**
 * At most 64 sessions per statement, and at most 2 statements under way per process: refreshes
 * that arrive while both are out wait for the first to return and share the next round trip, and
 * the rest of the connection pool stays free for everything else. Measured on PostgreSQL with 16
 * concurrent refreshes: 5.8 sessions per statement (docs/benchmarks.md).
 */
const BATCH_LIMITS = { maxBatch: 64, maxInFlight: 2 };

export function createHolderNotModified(deps: { db: VaxpassDatabase; cache: HolderRefreshCache; clock: Clock; limiter: RateLimiter; quotaPerMinute: number }): HolderNotModified {
  // Expiry is judged at the moment the batch is read, on the server's clock: never earlier than
  // any of its callers' own `now`, so a batch can only be stricter than single reads would be.
  const lookup = batchedLookup((sessionIds: readonly string[]) => storedHolderAnswersForSessions(deps.db, sessionIds, unixNow(deps.clock)), BATCH_LIMITS);

  async function stored(cookieValue: string, ifNoneMatch: string, now: number): Promise<{ personId: string; etag: string } | null> {
    let answer;
    try {
      answer = (await lookup(cookieValue)) ?? null;
    } catch {
      // The full path meets the same failure and answers it with the proper problem.
      return null;
    }
    if (answer === null || !isCurrentHolderAnswerEtag(answer.etag) || !ifNoneMatchHits(ifNoneMatch, answer.etag)) return null;
    deps.cache.remember(cookieValue, answer.personId, answer.etag, now, answer.sessionExpiresAt);
    return answer;
  }

  function withinQuota(personId: string, etag: string): string | null | Promise<string | null> {
    const key = `holder:${personId}`;
    if (deps.limiter.takeNow) return deps.limiter.takeNow(key, deps.quotaPerMinute) === null ? etag : null;
    return deps.limiter.take(key, deps.quotaPerMinute).then((wait) => (wait === null ? etag : null));
  }

  return (cookieValue, ifNoneMatch) => {
    if (cookieValue === null || !ifNoneMatch) return null;
    const now = unixNow(deps.clock);
    const cachedPerson = deps.cache.notModified(cookieValue, ifNoneMatch, now);
    if (cachedPerson !== null) return withinQuota(cachedPerson, ifNoneMatch);
    return stored(cookieValue, ifNoneMatch, now).then((hit) => (hit === null ? null : withinQuota(hit.personId, hit.etag)));
  };
}
