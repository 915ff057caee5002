// The holder app shows instants on the phone's own calendar: a pass that expires at 20:00 UTC
// expires "tomorrow" for a holder in Korea.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dateOf } from '../../src/apps/holder/pass-details.ts';

describe('dateOf', () => {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.TZ;
    process.env.TZ = 'Asia/Seoul';
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });

  it('gives the local calendar date, with the time when asked', () => {
    expect(dateOf('2026-11-29T20:00:00.000Z')).toBe('2026-11-30');
    expect(dateOf(Date.parse('2026-11-29T20:00:00.000Z') / 1000, { withTime: true })).toBe('2026-11-30 05:00');
  });

  it('gives an empty string for an unreadable instant', () => {
    expect(dateOf('not a date')).toBe('');
  });
});
