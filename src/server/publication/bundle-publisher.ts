// Publishes the signed trust bundle as an immutable artifact. A version is signed once, when
// something changed (a revocation, a key becoming active or retired, new rules) or the current one
// has used up its refresh period; every request in between gets the same bytes and the ETag
// computed when they were signed. Nothing is re-read or re-hashed per request.
//
// Revocations are an append-only log (the revocations table); an entry's bundleVersion is the
// first version that lists it, so version V lists exactly the entries with bundleVersion ≤ V.
// This publisher keeps the encoded set in memory and, at most once a clock second, asks the
// database only for entries it has not seen (an indexed range, usually empty) and for the latest
// version: one more revocation costs O(that revocation) to read and one block to re-code.
//
// The bytes of a version are derived, not stored: every instance that builds version V from the
// log, the shared keyring and the rules signs the same document, and Ed25519 is deterministic, so
// all instances serve identical bytes (one ETag behind a load balancer or CDN). An instance adopts
// a version another instance published only when its own inputs hash to that version's
// contentHash; otherwise it publishes a newer version rather than serve different bytes under a
// number scanners already hold (they refuse that: same version, other content).
//
// Versions are max(previous + 1, unix time in milliseconds): they never repeat, not even after
// the database is lost and the issuer starts over (issue 8), while the clock keeps going forward.
// A refresh that fails (storage error, unpublishable keys) never takes the bundle away: the last
// good artifact is served until it expires — after a restart, the latest stored version, re-derived
// from the database (a start on a full disk cannot write a new one).
import { createHash } from 'node:crypto';
import { DEFAULT_RULES, type Rules } from '../../core/rules.ts';
import type { EntryLogPolicy } from '../../core/entry-log.ts';
import type { ForeignTrust } from '../../core/foreign/foreign-trust.ts';
import { openBundle } from '../../core/trust-bundle.ts';
import { createNodeCryptoBackend } from '../../node/node-crypto-backend.ts';
import type { VaxpassDatabase } from '../../db/store.ts';
import { appendAudit } from '../../db/queries/audit-log.ts';
import { insertBundle, latestBundle, latestBundleVersion, pruneBundlesBefore, type BundleVersionRow } from '../../db/queries/bundle-versions.ts';
import { LOCKS, lockForTransaction } from '../../db/queries/locks.ts';
import { lastRevocationId, listRevocations, revocationsListedAfter } from '../../db/queries/revocations.ts';
import { RevokedPassSet } from '../../core/revoked-pass-set.ts';
import { RevokedPassBlocks } from '../../publication/revoked-pass-blocks.ts';
import { signTrustBundle, type BundleContents, type BundleSigner } from '../../publication/sign-trust-bundle.ts';
import { unixNow, type Clock } from '../clock.ts';
import { strongEtag } from '../http-cache.ts';
import type { Logger } from '../logger.ts';
import { storageFailureOf } from '../../db/storage-failure.ts';
import { ApiError } from '../problem.ts';
import { publishedKeys, type IssuerKeys } from '../issuer-keys.ts';
import { signRevocationDelta } from './revocation-delta.ts';

export interface BundlePublisherOptions {
  readonly db: VaxpassDatabase;
  readonly keys: IssuerKeys;
  readonly clock: Clock;
  readonly lifetimeSeconds: number;
  readonly refreshSeconds: number;
  readonly rules?: Rules;
  /** The venue entry log's authority keys and retention, published in the bundle; none: no venue mode. */
  readonly entryLog?: EntryLogPolicy | null;
  /** Trust for EU DCC, SMART Health Card and NZ COVID Pass issuers, published in every bundle when set. */
  readonly foreign?: ForeignTrust | null;
  readonly logger?: Logger;
}

/** Signed bytes with the ETag computed once, when they were signed. */
export interface PublishedBundle {
  readonly version: number;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly jws: string;
  readonly etag: string;
}

export interface BundlePublisher {
  /** The bundle to serve now: the in-memory artifact, after at most one cheap change check per clock second. */
  current(): Promise<PublishedBundle>;
  /** The next current() checks for changes at once (call after a revocation). */
  invalidate(): void;
  /** The signed revocation delta from version `since` to `bundle` (signed once per pair, kept while `bundle` is current). */
  delta(bundle: PublishedBundle, since: number): Promise<{ readonly jws: string; readonly etag: string }>;
}

/** A delta's ETag follows from the bundle's and `since` (the bundle fixes its content), so a 304 needs no delta at all. */
export function deltaEtag(bundle: PublishedBundle, since: number): string {
  return `${bundle.etag.slice(0, -1)}.${since}"`;
}

/** `state`'s revoked passes and keys with `entries` (in log order) added; the newest entry id seen. */
function withEntries(state: Published | null, entries: readonly { id: number; kind: string; subject: string }[]): { blocks: RevokedPassBlocks; revokedKeys: string[]; seenId: number } {
  const blocks = state ? state.blocks.clone() : new RevokedPassBlocks();
  const revokedKeys = [...(state?.revokedKeys ?? [])];
  let seenId = state?.lastRevocationId ?? 0;
  for (const entry of entries) {
    if (entry.kind === 'pass') blocks.add(entry.subject);
    else if (!revokedKeys.includes(entry.subject)) revokedKeys.push(entry.subject);
    seenId = Math.max(seenId, entry.id);
  }
  return { blocks, revokedKeys, seenId };
}

/** Milliseconds: several versions a second stay ahead of time only briefly. */
const VERSION_UNITS_PER_SECOND = 1000;
/** Deltas kept per bundle version (one per `since` asked for); plenty for scanners a few versions behind. */
const MAX_CACHED_DELTAS = 256;

interface Published {
  readonly bundle: PublishedBundle;
  /** Entries of the log with bundleVersion ≤ this are in `blocks`. */
  readonly listedUpTo: number;
  readonly blocks: RevokedPassBlocks;
  readonly revokedKeys: readonly string[];
  /** The newest log entry seen: a publication commits only if the log has not grown since. */
  readonly lastRevocationId: number;
}

export function createBundlePublisher(options: BundlePublisherOptions): BundlePublisher {
  const { db } = options;
  const backend = createNodeCryptoBackend();
  const rules = options.rules ?? DEFAULT_RULES;
  const entryLog = options.entryLog ?? undefined;
  const foreign = options.foreign ?? null;
  let state: Published | null = null;
  // One refresh at a time in this process; the version primary key guards across processes.
  let queue: Promise<unknown> = Promise.resolve();
  let checkedAt = -1;
  let deltas = new Map<number, { jws: string; etag: string }>();
  let deltasFor = -1;
  // A reloaded keyring (a rotation) is a new directory object: it ends the per-second check too.
  let checkedKeys: unknown = null;

  /** Keys, rules and revoked keys as of `at`: what decides a version's content besides the revoked passes. */
  function inputsHash(at: number, revokedKeys: readonly string[]): string {
    const keys = publishedKeys(options.keys.current(), at, new Set(revokedKeys));
    return createHash('sha256').update(JSON.stringify({ keys, revokedKeys, rules, entryLog, foreign })).digest('hex');
  }

  async function sign(version: number, issuedAt: number, expiresAt: number, blocks: RevokedPassBlocks, revokedKeys: readonly string[]): Promise<PublishedBundle> {
    const directory = options.keys.current();
    const signer: BundleSigner = { privateKey: directory.signer.privateKey, kid: directory.signer.kid, certificate: directory.signer.certificate };
    const contents: BundleContents = {
      version,
      issuedAt,
      expiresAt,
      keys: publishedKeys(directory, issuedAt, new Set(revokedKeys)),
      revokedPassPrefixes: blocks.encode(),
      revokedKeys,
      rules,
      ...(entryLog ? { entryLog } : {}),
      ...(foreign === null ? {} : { foreign }),
    };
    const jws = await signTrustBundle(contents, signer);
    // Open it as a scanner would before anyone can fetch it: a bundle scanners refuse (an expired
    // signer certificate, a hand-edited keyring listing a kid twice) must never replace the last
    // good one in the CDN, where it would turn every venue amber at once. The revocation blocks
    // are left out of this check: their coding is the core's own (tested to round-trip), and
    // decoding them all would make one more revocation cost O(all).
    const probe = await signTrustBundle({ ...contents, revokedPassPrefixes: {} }, signer);
    const check = await openBundle(probe, { root: directory.rootPublicKey, now: new Date(issuedAt * 1000), backend });
    if (!check.ok) throw new ApiError('BUNDLE_NOT_PUBLISHABLE', `the new trust bundle would be refused by scanners (${check.code}: ${check.message}); the operator must fix the keys`);
    return { version, issuedAt, expiresAt, jws, etag: strongEtag(jws) };
  }

  async function refresh(): Promise<Published> {
    for (let attempt = 0; ; attempt++) {
      const now = unixNow(options.clock);
      const latest = await latestBundle(db);
      const listedUpTo = state?.listedUpTo ?? 0;
      const fresh = await revocationsListedAfter(db, listedUpTo);
      const { blocks, revokedKeys, seenId } = withEntries(state, fresh);
      const pending = fresh.some((entry) => entry.bundleVersion > (latest?.version ?? 0));
      const hashNow = inputsHash(now, revokedKeys);

      if (latest && !pending && now >= latest.issuedAt && now < latest.issuedAt + options.refreshSeconds && latest.contentHash === hashNow && inputsHash(latest.issuedAt, revokedKeys) === hashNow) {
        const bundle = state?.bundle.version === latest.version ? state.bundle : await sign(latest.version, latest.issuedAt, latest.expiresAt, blocks, revokedKeys);
        return { bundle, listedUpTo: latest.version, blocks, revokedKeys, lastRevocationId: seenId };
      }

      const previous = latest?.version ?? 0;
      const version = Math.max(previous + 1, now * VERSION_UNITS_PER_SECOND);
      const bundle = await sign(version, now, now + options.lifetimeSeconds, blocks, revokedKeys);
      const stored = await db.transaction(async (tx) => {
        // A revocation or a version committed while we were signing must not be left out of, or collide
        // with, this one; on PostgreSQL the lock makes this check and the insert one step across processes.
        await lockForTransaction(tx, LOCKS.bundleVersion);
        if ((await latestBundleVersion(tx)) !== previous || (await lastRevocationId(tx)) !== seenId) return false;
        const row: BundleVersionRow = { version, issuedAt: now, expiresAt: bundle.expiresAt, contentHash: hashNow, jws: '' };
        await insertBundle(tx, row);
        await pruneBundlesBefore(tx, (now - options.lifetimeSeconds) * VERSION_UNITS_PER_SECOND);
        await appendAudit(tx, { at: now, actor: 'system', action: 'bundle.published', detail: { version } });
        return true;
      });
      if (stored) return { bundle, listedUpTo: version, blocks, revokedKeys, lastRevocationId: seenId };
      if (attempt >= 5) throw new Error('trust bundle publication kept racing with concurrent changes');
    }
  }

  /**
   * After a restart the first refresh may be unable to write the version that has fallen due (a
   * full disk, a read-only volume): the latest stored version, re-derived from the log, is the last
   * good bundle then, while it is valid. Only when the inputs it was signed from hash as they did:
   * its number with other bytes is exactly what scanners refuse. Reads only, so it works on a full disk.
   */
  async function lastGoodFromDatabase(now: number): Promise<Published | null> {
    const latest = await latestBundle(db);
    if (!latest || now < latest.issuedAt || now >= latest.expiresAt) return null;
    const listed = (await revocationsListedAfter(db, 0)).filter((entry) => entry.bundleVersion <= latest.version);
    const { blocks, revokedKeys, seenId } = withEntries(null, listed);
    if (inputsHash(latest.issuedAt, revokedKeys) !== latest.contentHash) return null;
    const bundle = await sign(latest.version, latest.issuedAt, latest.expiresAt, blocks, revokedKeys);
    return { bundle, listedUpTo: latest.version, blocks, revokedKeys, lastRevocationId: seenId };
  }

  function current(): Promise<PublishedBundle> {
    const now = unixNow(options.clock);
    const keys = options.keys.current();
    if (state && checkedAt === now && checkedKeys === keys) return Promise.resolve(state.bundle);
    const run = queue.then(refresh, refresh).then(
      (next) => {
        state = next;
        checkedAt = now;
        checkedKeys = keys;
        return next.bundle;
      },
      async (error: unknown) => {
        // Nothing held yet (a start on storage that cannot be written): the stored version, if still good.
        state ??= await lastGoodFromDatabase(now).catch(() => null);
        const held = state?.bundle;
        if (!held || now >= held.expiresAt) throw error;
        // Serve the last good bundle; try again next second, not on every request of this one.
        checkedAt = now;
        checkedKeys = keys;
        options.logger?.warn('trust bundle refresh failed; serving the last good version', { version: held.version, code: error instanceof ApiError ? error.code : (storageFailureOf(error)?.driverCode ?? 'INTERNAL') });
        return held;
      },
    );
    queue = run.catch(() => undefined);
    return run;
  }

  return {
    current,
    invalidate() {
      checkedAt = -1;
    },
    async delta(bundle, since) {
      if (deltasFor !== bundle.version || deltas.size >= MAX_CACHED_DELTAS) {
        deltas = new Map();
        deltasFor = bundle.version;
      }
      const cached = deltas.get(since);
      if (cached) return cached;
      const revoked = await listRevocations(db, since, bundle.version);
      const jws = await signRevocationDelta(
        { fromVersion: since, toVersion: bundle.version, issuedAt: bundle.issuedAt, revokedPassPrefixes: RevokedPassSet.fromPassIds(revoked.passes).encode(), revokedKeys: revoked.keys },
        options.keys.current(),
      );
      const artifact = { jws, etag: deltaEtag(bundle, since) };
      if (deltasFor === bundle.version) deltas.set(since, artifact);
      return artifact;
    },
  };
}
