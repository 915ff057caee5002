// The trust state both apps keep on the device: the pinned root key, the last signed trust bundle
// (as received, with its ETag) and the signed revocation delta since that bundle. The scanner
// verifies scans against it; the holder app runs the same check on its own passes, so a holder is
// never told a pass is accepted when venues would refuse it. Bundles are opened with the core's
// openBundle, which checks the chain to the pinned root and refuses rollback to an older version.
//
// Sync cost: while the held full bundle is in the first half of its lifetime, the app asks
// only for the revocations since it (GET /api/v1/trust-bundle/revocations?since=<version>, a few
// KB for a day's revocations instead of the whole list); past half-life, or when the delta fails,
// it fetches the full bundle with a conditional GET (new keys, rules and a new expiry come only
// that way).
import type { Ed25519Backend, OpenBundleResult, TrustedBundle } from '../../core/index.ts';
import { applyRevocationDelta, fromBase64Url, openBundle, toBase64Url } from '../../core/index.ts';
import { createNobleBackend, createWebCryptoBackend, webCryptoHasEd25519 } from '../../core/index.ts';
import { apiUrl } from './dom.ts';
import type { RootChange } from './trust-root-change.ts';
import { detectRootChange } from './trust-root-change.ts';
import type { TimeMark } from './time-mark.ts';

interface StoredTrust {
  readonly root: string;
  readonly bundle: string | null;
  readonly etag: string | null;
  /** Cumulative signed revocation delta since `bundle`'s version, or null. */
  readonly delta?: string | null;
  /** Highest bundle version ever accepted: refuses rollback even after the held bundle expired. */
  readonly highestVersion?: number;
}

export type BundleProblem = Extract<OpenBundleResult, { ok: false }>;

export interface TrustSnapshot {
  readonly bundle: TrustedBundle | null;
  /** Why there is no usable bundle (null when there is one, or none was ever fetched). */
  readonly problem: BundleProblem | null;
  /** Root pinned from the server's /api/v1/trust-root (development), not baked into the build. */
  readonly devRoot: boolean;
  /** Server clock minus device clock in seconds, from the last sync's Date header. */
  readonly serverOffsetSeconds: number | null;
  readonly lastSync: 'never' | 'ok' | 'failed' | 'offline';
  /** A bundle the server sent that was older than the held one (rollback refused). */
  readonly rollbackRefused: boolean;
  /** The issuer publishes another root than the pinned one (keys recreated): said plainly, never adopted silently. */
  readonly rootChange: RootChange | null;
}

/** WebCrypto's Ed25519 where the browser has it (fast, native); the audited noble code elsewhere. */
export async function chooseBackend(options: { forceNoble?: boolean } = {}): Promise<Ed25519Backend> {
  if (!options.forceNoble && (await webCryptoHasEd25519())) return createWebCryptoBackend();
  return createNobleBackend();
}

function readStored(storageKey: string): StoredTrust | null {
  try {
    const value = JSON.parse(localStorage.getItem(storageKey) ?? 'null') as StoredTrust | null;
    return value && typeof value.root === 'string' ? value : null;
  } catch {
    return null;
  }
}

export class TrustStore {
  private root: Uint8Array | null = null;
  /** The stored full bundle as opened (deltas are applied to it, not to each other). */
  private full: TrustedBundle | null = null;
  private stored: StoredTrust | null;
  private snapshot: TrustSnapshot = { bundle: null, problem: null, devRoot: false, serverOffsetSeconds: null, lastSync: 'never', rollbackRefused: false, rootChange: null };

  /** `storageKey`: the apps may share an origin (and so localStorage); each keeps its own copy under its own key. */
  constructor(
    private readonly storageKey: string,
    private readonly backend: Ed25519Backend,
    private readonly onChange: (snapshot: TrustSnapshot) => void,
    /** Raised by every opened bundle's issuedAt and every successful sync's server Date. */
    private readonly timeMark: TimeMark | null = null,
  ) {
    this.stored = readStored(storageKey);
  }

  private writeStored(value: StoredTrust): void {
    localStorage.setItem(this.storageKey, JSON.stringify(value));
  }

  get current(): TrustSnapshot {
    return this.snapshot;
  }

  private update(patch: Partial<TrustSnapshot>): void {
    if (patch.bundle) this.timeMark?.observe(patch.bundle.issuedAt);
    this.snapshot = { ...this.snapshot, ...patch };
    this.onChange(this.snapshot);
  }

  /** The pinned root: baked in at build time in production; in development pinned on first contact with the issuer. */
  private async resolveRoot(): Promise<Uint8Array | null> {
    if (this.root) return this.root;
    const baked = import.meta.env.VAXPASS_ROOT_PUBLIC_KEY;
    if (baked) {
      this.root = fromBase64Url(baked);
      return this.root;
    }
    if (this.stored) {
      this.root = fromBase64Url(this.stored.root);
      this.update({ devRoot: true });
      return this.root;
    }
    const response = await fetch(apiUrl('/api/v1/trust-root'), { cache: 'no-store' });
    if (!response.ok) throw new Error(`trust root: HTTP ${response.status}`);
    const body = (await response.json()) as { publicKey?: unknown };
    const root = typeof body.publicKey === 'string' ? fromBase64Url(body.publicKey) : null;
    if (!root || root.length !== 32) throw new Error('trust root: malformed response');
    this.root = root;
    this.stored = { root: toBase64Url(root), bundle: null, etag: null };
    this.writeStored(this.stored);
    this.update({ devRoot: true });
    return root;
  }

  /** Opens the saved bundle (no network). */
  async loadSaved(now: Date): Promise<void> {
    if (!this.stored?.bundle) return;
    const root = await this.resolveRoot().catch(() => null);
    if (!root) return;
    const opened = await openBundle(this.stored.bundle, { root, now, backend: this.backend });
    if (!opened.ok) return this.update({ bundle: null, problem: opened });
    this.full = opened.bundle;
    let bundle = opened.bundle;
    if (this.stored.delta) {
      const applied = await applyRevocationDelta(opened.bundle, this.stored.delta, { root, now });
      if (applied.ok) bundle = applied.bundle;
    }
    this.update({ bundle, problem: null });
  }

  /** Only successful syncs count: an error page could come from anything between here and the issuer. */
  private noteServerTime(response: Response): void {
    const held = this.snapshot.bundle;
    this.timeMark?.serverTime(serverSeconds(response), held?.rules.clockSkewSeconds ?? 300, held?.issuedAt ?? 0);
  }

  private fullBundleInFirstHalf(now: Date): boolean {
    if (!this.full) return false;
    const seconds = now.getTime() / 1000;
    return seconds < this.full.issuedAt + (this.full.expiresAt - this.full.issuedAt) / 2;
  }

  /** True when the delta settled this sync (applied, unchanged or a refused rollback). */
  private async syncDelta(root: Uint8Array, now: () => Date): Promise<boolean> {
    const full = this.full;
    const held = this.snapshot.bundle;
    if (!full || !held || !this.stored) return false;
    let response: Response;
    try {
      response = await fetch(apiUrl(`/api/v1/trust-bundle/revocations?since=${full.version}`), { cache: 'no-cache' });
    } catch {
      return false;
    }
    if (!response.ok) return false;
    const text = (await response.text()).trim();
    const applied = await applyRevocationDelta(full, text, { root, now: now() });
    const serverOffsetSeconds = offsetFrom(response, now());
    if (!applied.ok) return false;
    this.noteServerTime(response);
    if (applied.bundle.version < held.version) {
      this.update({ lastSync: 'ok', serverOffsetSeconds, rollbackRefused: true });
      return true;
    }
    if (applied.bundle.version > held.version) {
      this.stored = { ...this.stored, delta: text, highestVersion: Math.max(applied.bundle.version, this.stored.highestVersion ?? 0) };
      this.writeStored(this.stored);
      this.update({ bundle: applied.bundle, problem: null, lastSync: 'ok', serverOffsetSeconds, rollbackRefused: false });
    } else {
      this.update({ lastSync: 'ok', serverOffsetSeconds });
    }
    return true;
  }

  /** Conditional GET of the current bundle; keeps the held one on any failure or rollback. */
  async sync(now: () => Date): Promise<void> {
    let root: Uint8Array | null;
    try {
      root = await this.resolveRoot();
    } catch {
      this.update({ lastSync: navigator.onLine ? 'failed' : 'offline' });
      return;
    }
    if (!root) return;
    if (this.fullBundleInFirstHalf(now()) && (await this.syncDelta(root, now))) return;
    const headers: Record<string, string> = {};
    if (this.stored?.etag && this.snapshot.bundle) headers['If-None-Match'] = this.stored.etag;
    let response: Response;
    try {
      response = await fetch(apiUrl('/api/v1/trust-bundle'), { headers, cache: 'no-cache' });
    } catch {
      this.update({ lastSync: 'offline' });
      return;
    }
    const serverOffsetSeconds = offsetFrom(response, now());
    if (response.status === 304) {
      this.noteServerTime(response);
      this.update({ lastSync: 'ok', serverOffsetSeconds });
      return;
    }
    if (!response.ok) {
      this.update({ lastSync: 'failed', serverOffsetSeconds });
      return;
    }
    const text = (await response.text()).trim();
    const opened = await openBundle(text, { root, now: now(), backend: this.backend, held: this.snapshot.bundle, minVersion: this.stored?.highestVersion ?? 0 });
    if (opened.ok) {
      this.noteServerTime(response);
      this.full = opened.bundle;
      this.stored = { root: toBase64Url(root), bundle: text, etag: response.headers.get('ETag'), delta: null, highestVersion: Math.max(opened.bundle.version, this.stored?.highestVersion ?? 0) };
      this.writeStored(this.stored);
      this.update({ bundle: opened.bundle, problem: null, lastSync: 'ok', serverOffsetSeconds, rollbackRefused: false, rootChange: null });
    } else if (opened.code === 'BUNDLE_ROLLBACK') {
      this.noteServerTime(response);
      this.update({ lastSync: 'ok', serverOffsetSeconds, rollbackRefused: true });
    } else {
      // A broken download never replaces a good held bundle.
      const rootChange = opened.code === 'BUNDLE_INVALID' ? await this.publishedRootChange(root) : null;
      this.update(this.snapshot.bundle ? { lastSync: 'failed', serverOffsetSeconds, rootChange } : { problem: opened, lastSync: 'failed', serverOffsetSeconds, rootChange });
    }
  }

  /** Asks the issuer which root it publishes now; null when it is the pinned one or cannot be read. */
  private async publishedRootChange(root: Uint8Array): Promise<RootChange | null> {
    try {
      const response = await fetch(apiUrl('/api/v1/trust-root'), { cache: 'no-store' });
      if (!response.ok) return null;
      const body = (await response.json()) as { publicKey?: unknown };
      const published = typeof body.publicKey === 'string' ? body.publicKey : null;
      return detectRootChange(toBase64Url(root), published, Boolean(import.meta.env.VAXPASS_ROOT_PUBLIC_KEY));
    } catch {
      return null;
    }
  }

  /** Development only: drops the root pinned from the server (and everything it certified); the next sync pins the current one. */
  forgetDevRoot(): void {
    if (import.meta.env.VAXPASS_ROOT_PUBLIC_KEY) return;
    localStorage.removeItem(this.storageKey);
  }
}

/** The server's Date header in unix seconds, or NaN. */
function serverSeconds(response: Response): number {
  return Date.parse(response.headers.get('Date') ?? '') / 1000;
}

/** Server clock minus device clock (seconds), from the response's Date header. */
function offsetFrom(response: Response, deviceNow: Date): number | null {
  const serverDate = Date.parse(response.headers.get('Date') ?? '');
  return Number.isNaN(serverDate) ? null : Math.round((serverDate - deviceNow.getTime()) / 1000);
}
