import { describe, expect, it } from 'vitest';
import { timeOrderedId } from '../../src/db/time-ordered-id.ts';

describe('timeOrderedId (UUIDv7)', () => {
  it('has the RFC 9562 version and variant bits', () => {
    expect(timeOrderedId()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('starts with the millisecond timestamp', () => {
    const ms = Date.parse('2026-01-01T00:00:00Z') + 12_345;
    expect(parseInt(timeOrderedId(ms).replace('-', '').slice(0, 12), 16)).toBeGreaterThanOrEqual(ms);
  });

  it('is unique and strictly increasing across many ids in the same millisecond', () => {
    const ids = Array.from({ length: 20_000 }, () => timeOrderedId(1_800_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
});
