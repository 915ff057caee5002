// After a load spike V8's old space keeps the size and the garbage of the peak: an issuer under
// little or no load allocates too little to reach the raised old-generation limit, so no major
// collection comes for minutes and RSS stays 20–40 % above where it started (docs/benchmarks.md
// "Overload: memory after the spike"; the live heap is back at its start size). This watcher runs
// one full collection when the load has gone: the loop was less than `maxUtilization` busy for
// `quietSeconds` in a row, and the old generation in use (old and large-object spaces: the new
// space fills and empties every few ms) has grown past `growth` × what was in use after the last
// collection it ran (or at start), and by at least 32 MiB. V8 then sizes the old space for what is live and returns
// the rest to the system. The pause (tens of ms) comes only on a loop with time to spare, at most
// once per spike: the next one needs the heap to grow again.
// The collection is node's own `gc`, there only when node was started with --expose-gc (the start
// scripts pass it). Setting that flag from inside a running process is possible, but node documents
// changing V8 flags after start as undefined behaviour: not in a national service's issuer.
import { performance } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { onOff, type Env } from './config.ts';

export interface HeapSettleOptions {
  /** Share of each second the loop may be busy and still count as quiet (0–1). */
  readonly maxUtilization: number;
  readonly quietSeconds: number;
  /** Collect when the old generation in use is more than this times the baseline (and at least 32 MiB over it). */
  readonly growth: number;
  /** Told after each collection (for a log line). */
  readonly onCollected?: (before: number, after: number, ms: number) => void;
  /** A full collection: exposedFullCollection() in the issuer, a stand-in in tests. */
  readonly collect: () => void;
  /** For tests: the old generation in use, the loop's utilization of the last tick. */
  readonly oldUsed?: () => number;
  readonly utilization?: () => number;
}

const SLACK = 32 * 1024 * 1024;

/** Bytes in use in the old and large-object spaces. */
function oldGenerationUsed(): number {
  let used = 0;
  for (const space of getHeapSpaceStatistics()) if (space.space_name === 'old_space' || space.space_name === 'large_object_space') used += space.space_used_size;
  return used;
}

/** node's full collection if it was started with --expose-gc, else null. */
export function exposedFullCollection(): (() => void) | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  return typeof gc === 'function' ? gc : null;
}

export interface HeapSettle {
  /** One check (the timer calls it every second). */
  tick(): void;
  stop(): void;
}

export function settleHeapAfterLoad(options: HeapSettleOptions): HeapSettle {
  const heapUsed = options.oldUsed ?? oldGenerationUsed;
  let last = performance.eventLoopUtilization();
  const utilization =
    options.utilization ??
    (() => {
      const now = performance.eventLoopUtilization();
      const share = performance.eventLoopUtilization(now, last).utilization;
      last = now;
      return share;
    });
  const collect = options.collect;
  let baseline = heapUsed();
  let quiet = 0;
  const tick = () => {
    quiet = utilization() <= options.maxUtilization ? quiet + 1 : 0;
    const used = heapUsed();
    if (quiet < options.quietSeconds || used < baseline * options.growth || used < baseline + SLACK) return;
    const started = performance.now();
    collect();
    const after = heapUsed();
    options.onCollected?.(used, after, performance.now() - started);
    baseline = after;
    quiet = 0;
  };
  const timer = setInterval(tick, 1000);
  timer.unref();
  return { tick, stop: () => clearInterval(timer) };
}

/** VAXPASS_HEAP_SETTLE=on|off (default on): whether a started issuer runs the watcher (startServer). */
export function heapSettleEnabled(env: Env): boolean {
  return onOff(env, 'VAXPASS_HEAP_SETTLE', true);
}

/** The settings startServer uses: quiet is under half busy for 3 s, growth twice the live old generation. */
export const HEAP_SETTLE_DEFAULTS = { maxUtilization: 0.5, quietSeconds: 3, growth: 2 } as const;
