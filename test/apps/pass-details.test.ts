// The holder app shows instants on the phone's own calendar: a pass that expires at 20:00 UTC
// expires "tomorrow" for a holder in Korea.
import { describe, expect, it } from 'vitest';
import { useProcessTimeZone } from '../support/process-time-zone.ts';
import { dateOf } from '../../src/apps/holder/pass-details.ts';

describe('dateOf', () => {
  useProcessTimeZone('Asia/Seoul');

  it('gives the local calendar date, with the time when asked', () => {
    expect(dateOf('2026-11-29T20:00:00.000Z')).toBe('2026-11-30');
    expect(dateOf(Date.parse('2026-11-29T20:00:00.000Z') / 1000, { withTime: true })).toBe('2026-11-30 05:00');
  });

  it('gives an empty string for an unreadable instant', () => {
    expect(dateOf('not a date')).toBe('');
  });
});
