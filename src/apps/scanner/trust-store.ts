// The scanner's only stored state: the pinned root key and the last signed trust bundle (as
// received, with its ETag). Nothing scanned is ever stored. Bundles are opened with the core's
// openBundle, which checks the chain to the pinned root and refuses rollback to an older version.
import type { Ed25519Backend, OpenBundleResult, TrustedBundle } from '../../core/index.ts';
import { fromBase64Url, openBundle, toBase64Url } from '../../core/index.ts';
import { apiUrl } from '../shared/dom.ts';

const STORAGE_KEY = 'vaxpass.scanner.trust';

interface StoredTrust {
  readonly root: string;
  readonly bundle: string | null;
  readonly etag: string | null;
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
}

function readStored(): StoredTrust | null {
  try {
    const value = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as StoredTrust | null;
    return value && typeof value.root === 'string' ? value : null;
  } catch {
    return null;
  }
}

function writeStored(value: StoredTrust): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify(value));
}

export class TrustStore {
  private root: Uint8Array | null = null;
  private stored: StoredTrust | null = readStored();
  private snapshot: TrustSnapshot = { bundle: null, problem: null, devRoot: false, serverOffsetSeconds: null, lastSync: 'never', rollbackRefused: false };

  constructor(
    private readonly backend: Ed25519Backend,
    private readonly onChange: (snapshot: TrustSnapshot) => void,
  ) {}

  get current(): TrustSnapshot {
    return this.snapshot;
  }

  private update(patch: Partial<TrustSnapshot>): void {
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
    writeStored(this.stored);
    this.update({ devRoot: true });
    return root;
  }

  /** Opens the saved bundle (no network). */
  async loadSaved(now: Date): Promise<void> {
    if (!this.stored?.bundle) return;
    const root = await this.resolveRoot().catch(() => null);
    if (!root) return;
    const opened = await openBundle(this.stored.bundle, { root, now, backend: this.backend });
    this.update(opened.ok ? { bundle: opened.bundle, problem: null } : { bundle: null, problem: opened });
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
    const headers: Record<string, string> = {};
    if (this.stored?.etag && this.snapshot.bundle) headers['If-None-Match'] = this.stored.etag;
    let response: Response;
    try {
      response = await fetch(apiUrl('/api/v1/trust-bundle'), { headers, cache: 'no-cache' });
    } catch {
      this.update({ lastSync: 'offline' });
      return;
    }
    const serverDate = Date.parse(response.headers.get('Date') ?? '');
    const serverOffsetSeconds = Number.isNaN(serverDate) ? null : Math.round((serverDate - now().getTime()) / 1000);
    if (response.status === 304) {
      this.update({ lastSync: 'ok', serverOffsetSeconds });
      return;
    }
    if (!response.ok) {
      this.update({ lastSync: 'failed', serverOffsetSeconds });
      return;
    }
    const text = (await response.text()).trim();
    const opened = await openBundle(text, { root, now: now(), backend: this.backend, held: this.snapshot.bundle });
    if (opened.ok) {
      this.stored = { root: toBase64Url(root), bundle: text, etag: response.headers.get('ETag') };
      writeStored(this.stored);
      this.update({ bundle: opened.bundle, problem: null, lastSync: 'ok', serverOffsetSeconds, rollbackRefused: false });
    } else if (opened.code === 'BUNDLE_ROLLBACK') {
      this.update({ lastSync: 'ok', serverOffsetSeconds, rollbackRefused: true });
    } else {
      // A broken download never replaces a good held bundle.
      this.update(this.snapshot.bundle ? { lastSync: 'failed', serverOffsetSeconds } : { problem: opened, lastSync: 'failed', serverOffsetSeconds });
    }
  }
}
