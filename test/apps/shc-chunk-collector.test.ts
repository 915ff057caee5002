// The scanner groups the QR codes of one multi-part SMART Health Card before verify sees them:
// any order, repeats ignored, a different card or a pause starts over, absurd counts not collected.
import { describe, expect, it } from 'vitest';
import { chunkHeader, MAX_PARTS, ShcChunkCollector } from '../../src/apps/scanner/shc-chunk-collector.ts';

const part = (i: number, n: number, body = 'A') => `shc:/${i}/${n}/${body}${'5'.repeat(20)}`;

describe('SMART Health Card chunk collector', () => {
  it('reads part i of n only from a well-formed multi-part prefix', () => {
    expect(chunkHeader(part(2, 3))).toEqual({ index: 2, total: 3 });
    expect(chunkHeader('shc:/5676290952432060346029243740446031222959')).toBeNull();
    expect(chunkHeader(part(1, 1))).toBeNull();
    expect(chunkHeader(part(4, 3))).toBeNull();
    expect(chunkHeader(part(0, 3))).toBeNull();
    expect(chunkHeader(part(1, MAX_PARTS + 1))).toBeNull();
    expect(chunkHeader('VP1:ABC')).toBeNull();
  });

  it('collects the parts in any order, ignores repeats, and hands them over in part order', () => {
    const collector = new ShcChunkCollector(30_000);
    expect(collector.offer(part(3, 3), 0)).toEqual({ kind: 'partial', index: 3, received: 1, total: 3 });
    expect(collector.offer(part(3, 3), 100)).toEqual({ kind: 'partial', index: 3, received: 1, total: 3 });
    expect(collector.offer(part(1, 3), 200)).toEqual({ kind: 'partial', index: 1, received: 2, total: 3 });
    expect(collector.offer(part(2, 3), 300)).toEqual({ kind: 'complete', parts: [part(1, 3), part(2, 3), part(3, 3)] });
    expect(collector.received).toBe(0);
  });

  it('starts over after a pause longer than the timeout', () => {
    const collector = new ShcChunkCollector(1000);
    collector.offer(part(1, 3), 0);
    collector.offer(part(2, 3), 500);
    expect(collector.expiredAt(1600)).toBe(true);
    expect(collector.offer(part(3, 3), 1600)).toEqual({ kind: 'partial', index: 3, received: 1, total: 3 });
  });

  it('starts over on a different card: another part count, or another text for a part already held', () => {
    const collector = new ShcChunkCollector(30_000);
    collector.offer(part(1, 3), 0);
    expect(collector.offer(part(1, 2), 10)).toEqual({ kind: 'partial', index: 1, received: 1, total: 2 });
    expect(collector.offer(part(1, 2, 'B'), 20)).toEqual({ kind: 'partial', index: 1, received: 1, total: 2 });
    expect(collector.offer(part(2, 2, 'B'), 30)).toEqual({ kind: 'complete', parts: [part(1, 2, 'B'), part(2, 2, 'B')] });
  });

  it('passes every other text through on its own and drops a half-collected card', () => {
    const collector = new ShcChunkCollector(30_000);
    collector.offer(part(1, 3), 0);
    expect(collector.offer('https://menu.example/', 10)).toEqual({ kind: 'single', text: 'https://menu.example/' });
    expect(collector.received).toBe(0);
    const huge = part(1, 999_999);
    expect(collector.offer(huge, 20)).toEqual({ kind: 'single', text: huge });
  });
});
