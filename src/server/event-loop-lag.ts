// How late the event loop runs a 10 ms timer, smoothed. Admission's concurrency limit sees only
// requests that reached it; when the loop itself is saturated (parsing a flood of requests, CPU-
// bound signing) the backlog sits in front of it, invisible. The lag sees that backlog.
export interface EventLoopLag {
  /** Smoothed lateness of the loop in ms (an exponentially weighted mean over roughly 50 ms). */
  readonly ms: () => number;
  stop(): void;
}

export function watchEventLoopLag(intervalMs = 10): EventLoopLag {
  let smoothed = 0;
  let expected = performance.now() + intervalMs;
  const timer = setInterval(() => {
    const now = performance.now();
    const lag = Math.max(0, now - expected);
    smoothed = smoothed * 0.8 + lag * 0.2;
    // A long stall is counted at once, not averaged away.
    if (lag > smoothed) smoothed = Math.max(smoothed, lag / 2);
    expected = now + intervalMs;
  }, intervalMs);
  timer.unref();
  return { ms: () => smoothed, stop: () => clearInterval(timer) };
}
