// Publishes the signed trust bundle. A new version is signed when its contents change (a
// revocation, a key becoming active or retired, new rules) or when the current one has used up
// its refresh period; otherwise every request gets the stored bytes (stable ETag, CDN-friendly).
// Versions are stored, so they keep growing across restarts.
import { createHash } from 'node:crypto';
import { DEFAULT_RULES, type Rules } from '../../core/rules.ts';
import { openBundle } from '../../core/trust-bundle.ts';
import { RevokedPassSet } from '../../core/revoked-pass-set.ts';
import { createNodeCryptoBackend } from '../../node/node-crypto-backend.ts';
import type { VaxpassDatabase } from '../../db/open-database.ts';
import { appendAudit } from '../../db/queries/audit-log.ts';
import { insertBundle, latestBundle, type BundleVersionRow } from '../../db/queries/bundle-versions.ts';
import { listRevocations } from '../../db/queries/revocations.ts';
import { signTrustBundle, type BundleContents } from '../../publication/sign-trust-bundle.ts';
import { unixNow, type Clock } from '../clock.ts';
import { ApiError } from '../problem.ts';
import { publishedKeys, type IssuerKeys } from '../issuer-keys.ts';

export interface BundlePublisherOptions {
  readonly db: VaxpassDatabase;
  readonly keys: IssuerKeys;
  readonly clock: Clock;
  readonly lifetimeSeconds: number;
  readonly refreshSeconds: number;
  readonly rules?: Rules;
}

export interface BundlePublisher {
  /** The bundle to serve now, signing a new version first if needed. */
  current(): Promise<BundleVersionRow>;
  /** Forget the memo: the next current() re-reads keys and revocations (call after a revocation). */
  invalidate(): void;
}

type Inputs = Omit<BundleContents, 'version' | 'issuedAt' | 'expiresAt'>;

function readInputs(options: BundlePublisherOptions, db: Parameters<typeof listRevocations>[0], now: number): { inputs: Inputs; hash: string } {
  const revoked = listRevocations(db, 0, Number.MAX_SAFE_INTEGER);
  const inputs: Inputs = {
    keys: publishedKeys(options.keys.current(), now, new Set(revoked.keys)),
    revokedPassPrefixes: RevokedPassSet.fromPassIds(revoked.passes).encode(),
    revokedKeys: revoked.keys,
    rules: options.rules ?? DEFAULT_RULES,
  };
  const hash = createHash('sha256').update(JSON.stringify(inputs)).digest('hex');
  return { inputs, hash };
}

export function createBundlePublisher(options: BundlePublisherOptions): BundlePublisher {
  const { db } = options;
  const backend = createNodeCryptoBackend();
  // One publication at a time in this process; the version primary key guards across processes.
  let queue: Promise<unknown> = Promise.resolve();
  // Within one clock second the answer cannot change except through invalidate(), so busy
  // seconds read keys and revocations once instead of per request.
  let memo: { at: number; row: BundleVersionRow } | null = null;

  async function publishIfNeeded(): Promise<BundleVersionRow> {
    for (let attempt = 0; ; attempt++) {
      const now = unixNow(options.clock);
      const latest = latestBundle(db);
      const { inputs, hash } = readInputs(options, db, now);
      if (latest && latest.contentHash === hash && now < latest.issuedAt + options.refreshSeconds && now >= latest.issuedAt) return latest;
      const version = (latest?.version ?? 0) + 1;
      const directory = options.keys.current();
      const contents: BundleContents = { ...inputs, version, issuedAt: now, expiresAt: now + options.lifetimeSeconds };
      const jws = await signTrustBundle(contents, { privateKey: directory.signer.privateKey, kid: directory.signer.kid, certificate: directory.signer.certificate });
      // Open it as a scanner would before anyone can fetch it: a bundle scanners refuse (an
      // expired signer certificate, a hand-edited keyring listing a kid twice) must never replace
      // the last good one in the CDN, where it would turn every venue amber at once.
      const check = await openBundle(jws, { root: directory.rootPublicKey, now: new Date(now * 1000), backend });
      if (!check.ok) throw new ApiError('BUNDLE_NOT_PUBLISHABLE', `the new trust bundle would be refused by scanners (${check.code}: ${check.message}); the operator must fix the keys`);
      const row: BundleVersionRow = { version, issuedAt: now, expiresAt: contents.expiresAt, contentHash: hash, jws };
      const stored = db.transaction(
        (tx) => {
          // A revocation committed while we were signing must not be left out of this version.
          if ((latestBundle(tx)?.version ?? 0) !== version - 1 || readInputs(options, tx, now).hash !== hash) return false;
          insertBundle(tx, row);
          appendAudit(tx, { at: now, actor: 'system', action: 'bundle.published', detail: { version } });
          return true;
        },
        { behavior: 'immediate' },
      );
      if (stored) return row;
      if (attempt >= 5) throw new Error('trust bundle publication kept racing with concurrent changes');
    }
  }

  return {
    current() {
      const now = unixNow(options.clock);
      if (memo && memo.at === now) return Promise.resolve(memo.row);
      const run = queue.then(publishIfNeeded, publishIfNeeded).then((row) => {
        memo = { at: now, row };
        return row;
      });
      queue = run.catch(() => undefined);
      return run;
    },
    invalidate() {
      memo = null;
    },
  };
}
