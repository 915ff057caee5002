// How late the event loop runs a 10 ms timer, smoothed. Admission's concurrency limit sees only
// requests that reached it; when the loop itself is saturated (parsing a flood of requests, CPU-
// bound signing) the backlog sits in front of it, invisible. The lag sees that backlog.
// The same timer also reads how busy the loop was over the last 100 ms (its utilization).
import { performance } from 'node:perf_hooks';
export interface EventLoopLag {
  /** Smoothed lateness of the loop in ms (an exponentially weighted mean over roughly 50 ms). */
  readonly ms: () => number;
  /** Share of the last complete 100 ms window the loop spent running callbacks (0–1). */
  readonly utilization: () => number;
  stop(): void;
}

const UTILIZATION_WINDOW_MS = 100;

export function watchEventLoopLag(intervalMs = 10): EventLoopLag {
  let smoothed = 0;
  let expected = performance.now() + intervalMs;
  let utilization = 0;
  let windowStart = performance.now();
  let windowUse = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - windowStart >= UTILIZATION_WINDOW_MS) {
      const use = performance.eventLoopUtilization();
      utilization = performance.eventLoopUtilization(use, windowUse).utilization;
      windowUse = use;
      windowStart = now;
    }
    const lag = Math.max(0, now - expected);
    smoothed = smoothed * 0.8 + lag * 0.2;
    // A long stall is counted at once, not averaged away.
    if (lag > smoothed) smoothed = Math.max(smoothed, lag / 2);
    expected = now + intervalMs;
  }, intervalMs);
  timer.unref();
  return { ms: () => smoothed, utilization: () => utilization, stop: () => clearInterval(timer) };
}
