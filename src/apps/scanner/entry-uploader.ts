// Uploads the venue's sealed records in batches when the network is there. Scanning never waits
// for it: records go to the device store first, and this loop runs on its own. A failed upload
// keeps every record and retries later with backoff and jitter (honouring Retry-After); records
// leave the device only after the issuer answered that it stored them (201, or 200 for a batch it
// already had).
import { retryAfterMs, retryDelayMs, type BackoffPolicy } from '../shared/backoff.ts';
import { apiUrl } from '../shared/dom.ts';
import type { EntryLogStore } from './entry-log-store.ts';

export const UPLOAD_BATCH_RECORDS = 500;
const UPLOAD_BACKOFF: BackoffPolicy = { baseMs: 2_000, maxMs: 10 * 60_000 };
/** New records wait this long, so a busy entrance sends one batch every few seconds, not one per person. */
const GATHER_MS = 3_000;

export type UploadState = 'idle' | 'uploading' | 'waiting' | 'offline' | 're-enrol';

export interface UploaderOptions {
  readonly store: EntryLogStore;
  readonly venueId: string;
  readonly credential: string;
  readonly onState: (state: UploadState) => void;
}

export class EntryUploader {
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private stopped = false;

  constructor(private readonly options: UploaderOptions) {
    addEventListener('online', () => this.soon(0));
  }

  /** Upload within a few seconds (after a new record), unless a backoff is already waiting longer. */
  soon(delayMs = GATHER_MS): void {
    if (this.stopped || (this.timer !== undefined && this.attempt > 0 && delayMs > 0)) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), delayMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async run(): Promise<void> {
    this.timer = undefined;
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      for (;;) {
        const batch = await this.options.store.nextBatch(UPLOAD_BATCH_RECORDS);
        if (!batch) {
          this.attempt = 0;
          this.options.onState('idle');
          return;
        }
        this.options.onState('uploading');
        let response: Response;
        try {
          response = await fetch(apiUrl(`/api/v1/venues/${encodeURIComponent(this.options.venueId)}/entry-batches`), {
            method: 'POST',
            headers: { Authorization: `Bearer ${this.options.credential}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ batchId: batch.batchId, oldestDay: new Date(batch.oldestDay * 86_400_000).toISOString().slice(0, 10), records: batch.records }),
            cache: 'no-store',
          });
        } catch {
          this.retry(null, navigator.onLine ? 'waiting' : 'offline');
          return;
        }
        if (response.status === 201 || response.status === 200) {
          await this.options.store.remove(batch.keys);
          this.attempt = 0;
          continue;
        }
        const problem = ((await response.json().catch(() => ({}))) as { code?: string }).code;
        if (problem === 'BATCH_ID_REUSED') {
          await this.options.store.renameBatch(batch.keys);
          continue;
        }
        if (problem === 'INVALID_VENUE_CREDENTIAL' || problem === 'VENUE_MISMATCH') {
          // Records stay on the device until the venue enrols again.
          this.options.onState('re-enrol');
          return;
        }
        this.retry(retryAfterMs(response.headers.get('retry-after'), Date.now()), 'waiting');
        return;
      }
    } finally {
      this.running = false;
    }
  }

  private retry(retryAfter: number | null, state: UploadState): void {
    this.options.onState(state);
    const delay = retryDelayMs(this.attempt++, retryAfter, UPLOAD_BACKOFF);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), Math.max(500, delay));
  }
}
