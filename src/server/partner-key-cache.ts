// Partner API keys as last read from the database, kept for the rest of the clock second they were
// read in. Every partner request used to read its key's partner row (and parse its scopes); a
// partner sending hundreds of requests a second now costs one read a second per instance.
//
// The bound: a partner's revocation, quota change or new scopes made through another instance take
// effect here within one second (the entry read before the change is used until the clock's second
// turns over), as the revoked issuer keys do (issuance/revoked-keys.ts). Made through this instance
// (the admin routes), they take effect at once: the admin routes forget every entry after the change
// has committed. Unknown keys are not remembered, so guessing keys cannot fill the cache; it holds at
// most `maxEntries` partners and starts over when full. Entries are keyed by the key's SHA-256, so
// no API key is kept in memory beyond its request.
import { findPartnerByKeyHash, hashApiKey, type Partner } from '../db/queries/partners.ts';
import type { Queryable } from '../db/store.ts';
import { unixNow, type Clock } from './clock.ts';

export interface PartnerKeyCache {
  /** The partner holding this API key, or null when no partner does. */
  find(db: Queryable, apiKey: string): Promise<Partner | null>;
  /** The partner held for this API key in the current clock second, without a read; null when none is. */
  held(apiKey: string): Partner | null;
  /** Forgets every entry: the next request of each partner reads its row again. */
  forgetAll(): void;
}

export function createPartnerKeyCache(clock: Clock, maxEntries = 1_000): PartnerKeyCache {
  let entries = new Map<string, { readonly second: number; readonly partner: Partner }>();
  // A read that started before a forgetAll() must not put its older answer back afterwards.
  let generation = 0;
  const heldFor = (hash: string): Partner | null => {
    const entry = entries.get(hash);
    return entry && entry.second === unixNow(clock) ? entry.partner : null;
  };
  return {
    async find(db, apiKey) {
      const hash = hashApiKey(apiKey);
      const held = heldFor(hash);
      if (held) return held;
      const second = unixNow(clock);
      const startedIn = generation;
      const partner = await findPartnerByKeyHash(db, hash);
      if (partner && startedIn === generation) {
        if (entries.size >= maxEntries && !entries.has(hash)) entries = new Map();
        entries.set(hash, { second, partner });
      }
      return partner;
    },
    held: (apiKey) => heldFor(hashApiKey(apiKey)),
    forgetAll() {
      generation++;
      entries = new Map();
    },
  };
}
