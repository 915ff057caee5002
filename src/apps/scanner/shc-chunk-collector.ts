// A SMART Health Card too large for one QR code is printed as several, `shc:/i/n/…` (part i of n).
// The scanner sees them one at a time, in any order, often the same one many frames in a row. This
// collects the parts of one card and hands the whole set to verify, which decides; the collector
// only groups texts and never judges them. Time is passed in, as everywhere in verification.

/** `shc:/2/3/…` → part 2 of 3. Anything else (including a one-part `shc:/…`) is not a chunk. */
const CHUNK = /^shc:\/(\d{1,6})\/(\d{1,6})\//;

/**
 * More parts than any real card uses (the specification caps a card at a size that fits a few
 * codes). A larger count is not collected: that text goes to verify on its own, which refuses it,
 * so a hostile "part 1 of 999999" cannot keep the scanner waiting.
 */
export const MAX_PARTS = 10;

/** Parts of one card must arrive within this time of each other, or the collection starts over. */
export const PART_TIMEOUT_MS = 30_000;

export interface ChunkHeader {
  readonly index: number;
  readonly total: number;
}

export function chunkHeader(text: string): ChunkHeader | null {
  const m = CHUNK.exec(text);
  if (!m) return null;
  const index = Number(m[1]);
  const total = Number(m[2]);
  return total > 1 && total <= MAX_PARTS && index >= 1 && index <= total ? { index, total } : null;
}

export type CollectStep =
  /** Not part of a multi-part card: verify this text as it is. */
  | { readonly kind: 'single'; readonly text: string }
  /** A part was added (or seen again): show progress, keep scanning. */
  | { readonly kind: 'partial'; readonly index: number; readonly received: number; readonly total: number }
  /** Every part is here: verify them together (in part order). */
  | { readonly kind: 'complete'; readonly parts: readonly string[] };

export class ShcChunkCollector {
  private total = 0;
  private parts = new Map<number, string>();
  private lastAt = 0;

  constructor(private readonly timeoutMs: number = PART_TIMEOUT_MS) {}

  /** How many parts are waiting (0 when nothing is being collected). */
  get received(): number {
    return this.parts.size;
  }

  get expected(): number {
    return this.total;
  }

  /** Whether a collection has run out of time at `nowMs`. */
  expiredAt(nowMs: number): boolean {
    return this.parts.size > 0 && nowMs - this.lastAt > this.timeoutMs;
  }

  reset(): void {
    this.total = 0;
    this.parts.clear();
  }

  offer(text: string, nowMs: number): CollectStep {
    const header = chunkHeader(text);
    if (header === null) {
      // Some other code in between: the visitor moved on, so a half-collected card is dropped.
      this.reset();
      return { kind: 'single', text };
    }
    if (this.expiredAt(nowMs)) this.reset();
    // A different card: another part count, or another text for a part already held.
    const held = this.parts.get(header.index);
    if (header.total !== this.total || (held !== undefined && held !== text)) this.reset();
    this.total = header.total;
    this.parts.set(header.index, text);
    this.lastAt = nowMs;
    if (this.parts.size < this.total) return { kind: 'partial', index: header.index, received: this.parts.size, total: this.total };
    const parts = [...this.parts.entries()].sort(([a], [b]) => a - b).map(([, part]) => part);
    this.reset();
    return { kind: 'complete', parts };
  }
}
