import { describe, expect, it } from 'vitest';
import { bundleWarnings } from '../../src/apps/scanner/bundle-health.ts';
import { TimeMark, type MarkStorage } from '../../src/apps/shared/time-mark.ts';

function memory(): MarkStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}
const T = 1_700_000_000;
const at = (s: number) => new Date(s * 1000);

describe('time mark', () => {
  it('decides at the later of the device clock and the latest reading, across restarts', () => {
    const storage = memory();
    const mark = new TimeMark('k', storage);
    expect(mark.decisionTime(at(T)).getTime()).toBe(T * 1000);
    // The clock is set back a day: the decision stays at the last reading.
    expect(mark.decisionTime(at(T - 86_400)).getTime()).toBe(T * 1000);
    const restarted = new TimeMark('k', storage);
    expect(restarted.decisionTime(at(T - 86_400)).getTime()).toBe(T * 1000);
  });
  it('is raised by a bundle issuedAt and a server Date, and pulled back only by a server Date', () => {
    const mark = new TimeMark('k', memory());
    mark.observe(T);
    mark.observe(T - 10);
    expect(mark.seconds).toBe(T);
    mark.serverTime(T + 60, 300);
    expect(mark.seconds).toBe(T + 60);
    // A device clock that once ran a year ahead: the server brings the mark back, never below the bundle.
    mark.observe(T + 365 * 86_400);
    mark.serverTime(T + 120, 300, T + 100);
    expect(mark.seconds).toBe(T + 120);
    mark.observe(T + 365 * 86_400);
    mark.serverTime(T + 120, 300, T + 200);
    expect(mark.seconds).toBe(T + 200);
  });
  it('ignores unreadable stored values and server dates', () => {
    const storage = memory();
    storage.setItem('k', 'garbage');
    const mark = new TimeMark('k', storage);
    expect(mark.seconds).toBe(0);
    mark.serverTime(Number.NaN, 300);
    expect(mark.seconds).toBe(0);
  });
  it('warns when the device clock is behind the mark by more than the skew', () => {
    const bundle = { issuedAt: T - 86_400, expiresAt: T + 6 * 86_400, clockSkewSeconds: 300 };
    expect(bundleWarnings(bundle, T - 3600, null, T)).toContainEqual({ kind: 'clock-behind' });
    expect(bundleWarnings(bundle, T - 299, null, T)).not.toContainEqual({ kind: 'clock-behind' });
    expect(bundleWarnings(null, T - 3600, null, T)).toEqual([{ kind: 'clock-behind' }]);
  });
});
