// The server's only source of time (injected, so tests and demos can move it). Pass iat/nbf/exp
// and bundle issuedAt come from here, never from anything a client sends.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export function unixNow(clock: Clock): number {
  return Math.floor(clock.now().getTime() / 1000);
}

/** A clock tests can set and move. */
export function manualClock(start: Date): Clock & { set(date: Date): void; advance(seconds: number): void } {
  let current = new Date(start.getTime());
  return {
    now: () => new Date(current.getTime()),
    set: (date) => void (current = new Date(date.getTime())),
    advance: (seconds) => void (current = new Date(current.getTime() + seconds * 1000)),
  };
}
