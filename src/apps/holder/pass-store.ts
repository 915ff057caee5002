// The holder's passes live on the phone (localStorage): after the first fetch the app shows them
// with no network. A refresh only ever replaces them with a newer successful answer; a failed
// refresh keeps what is there and retries with backoff (shared/backoff.ts).
import { apiUrl } from '../shared/dom.ts';
import { retryAfterMs, retryDelayMs } from '../shared/backoff.ts';

export interface HeldPass {
  readonly passId: string;
  readonly type: 'vaccination' | 'test' | 'recovery' | 'exemption';
  readonly text: string;
  readonly issuedAt: string | number;
  readonly expiresAt: string | number;
  readonly kid: string;
  readonly holder: { readonly name: string; readonly birthDate: string };
}

interface SavedPasses {
  readonly passes: HeldPass[];
  readonly etag: string | null;
  /** Device time (ms) of the last successful answer (200 or 304). */
  readonly checkedAt: number;
}

const PASSES_KEY = 'vaxpass.holder.passes';
/** A pass changes rarely (new dose, revocation); check a few times a day. */
export const REFRESH_INTERVAL_MS = 6 * 3600_000;

function readJson<T>(key: string): T | null {
  try {
    return JSON.parse(localStorage.getItem(key) ?? 'null') as T | null;
  } catch {
    return null;
  }
}

/** Removes the passes from this device (the holder asks for it; signing out keeps them). */
export function forgetPasses(): void {
  localStorage.removeItem(PASSES_KEY);
}

export function savedPasses(): SavedPasses | null {
  const saved = readJson<SavedPasses>(PASSES_KEY);
  return saved && Array.isArray(saved.passes) ? saved : null;
}

export type RefreshState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'refreshing' }
  /** retryAt: device time (ms) of the next try, so the status line can count down. */
  | { readonly kind: 'failed'; readonly retryAt: number; readonly status: number | null }
  | { readonly kind: 'signed-out' };

export interface RefreshLogEntry {
  readonly status: number | null;
  readonly delayMs: number;
}

export class PassRefresher {
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  /** Test hook: what each refresh answered and how long the app then waited. No pass contents. */
  readonly log: RefreshLogEntry[] = [];

  constructor(private readonly onChange: (state: RefreshState) => void) {}

  stop(): void {
    clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), delayMs);
  }

  async refresh(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.onChange({ kind: 'refreshing' });
    const saved = savedPasses();
    // The session is an HttpOnly cookie the browser sends; the app never holds a token.
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (saved?.etag) headers['If-None-Match'] = saved.etag;
    let status: number | null = null;
    let retryAfter: number | null = null;
    try {
      const response = await fetch(apiUrl('/api/v1/holder/passes'), { headers, cache: 'no-store', credentials: 'include' });
      status = response.status;
      if (response.status === 200) {
        const body = (await response.json()) as { passes?: unknown };
        if (!Array.isArray(body.passes)) throw new Error('malformed passes response');
        const next: SavedPasses = { passes: body.passes as HeldPass[], etag: response.headers.get('ETag'), checkedAt: Date.now() };
        localStorage.setItem(PASSES_KEY, JSON.stringify(next));
        return this.succeeded(status);
      }
      if (response.status === 304 && saved) {
        localStorage.setItem(PASSES_KEY, JSON.stringify({ ...saved, checkedAt: Date.now() }));
        return this.succeeded(status);
      }
      if (response.status === 401) {
        this.log.push({ status, delayMs: -1 });
        this.onChange({ kind: 'signed-out' });
        return;
      }
      retryAfter = retryAfterMs(response.headers.get('Retry-After'), Date.now());
    } catch {
      // network error or a malformed body: treated like a server error, the saved passes stay
    } finally {
      this.running = false;
    }
    const delayMs = retryDelayMs(this.attempt++, retryAfter);
    this.log.push({ status, delayMs });
    this.onChange({ kind: 'failed', retryAt: Date.now() + delayMs, status });
    this.schedule(delayMs);
  }

  private succeeded(status: number): void {
    this.attempt = 0;
    this.log.push({ status, delayMs: REFRESH_INTERVAL_MS });
    this.onChange({ kind: 'idle' });
    this.schedule(REFRESH_INTERVAL_MS);
  }
}
