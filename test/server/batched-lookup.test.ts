// batchedLookup (src/server/batched-lookup.ts): lookups that arrive together cost one call, each
// caller gets its own key's answer, and the limits on batch size and batches under way hold.
import { describe, expect, it } from 'vitest';
import { batchedLookup } from '../../src/server/batched-lookup.ts';

/** A lookup that records each call's keys and answers when the test releases it. */
function recordingLookup() {
  const calls: { keys: readonly string[]; release: () => void; fail: (error: Error) => void }[] = [];
  const lookupMany = (keys: readonly string[]) =>
    new Promise<Map<string, string>>((ok, fail) => {
      calls.push({ keys, release: () => ok(new Map(keys.filter((k) => !k.startsWith('missing')).map((k) => [k, `value of ${k}`]))), fail });
    });
  return { calls, lookupMany };
}

const turn = () => new Promise((ok) => setImmediate(ok));

describe('batchedLookup', () => {
  it('answers the lookups of one turn with one call, each with its own key; equal keys share an entry', async () => {
    const { calls, lookupMany } = recordingLookup();
    const lookup = batchedLookup(lookupMany, { maxBatch: 64, maxInFlight: 2 });
    const answers = Promise.all(['a', 'b', 'missing-c', 'a'].map((k) => lookup(k)));
    await turn();
    expect(calls.map((c) => c.keys)).toEqual([['a', 'b', 'missing-c']]);
    calls[0]!.release();
    expect(await answers).toEqual(['value of a', 'value of b', undefined, 'value of a']);
  });

  it('never sends more than maxBatch keys in one call', async () => {
    const { calls, lookupMany } = recordingLookup();
    const lookup = batchedLookup(lookupMany, { maxBatch: 2, maxInFlight: 10 });
    const answers = Promise.all(['a', 'b', 'c', 'd', 'e'].map((k) => lookup(k)));
    await turn();
    expect(calls.map((c) => c.keys)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    for (const c of calls) c.release();
    expect(await answers).toEqual(['a', 'b', 'c', 'd', 'e'].map((k) => `value of ${k}`));
  });

  it('while maxInFlight calls are under way, later keys wait and go together in the next call', async () => {
    const { calls, lookupMany } = recordingLookup();
    const lookup = batchedLookup(lookupMany, { maxBatch: 64, maxInFlight: 1 });
    const first = lookup('a');
    await turn();
    const later = Promise.all(['b', 'c'].map((k) => lookup(k)));
    await turn();
    const evenLater = lookup('d');
    await turn();
    expect(calls.map((c) => c.keys)).toEqual([['a']]);
    calls[0]!.release();
    expect(await first).toBe('value of a');
    await turn();
    expect(calls.map((c) => c.keys)).toEqual([['a'], ['b', 'c', 'd']]);
    calls[1]!.release();
    expect(await later).toEqual(['value of b', 'value of c']);
    expect(await evenLater).toBe('value of d');
  });

  it('a failed call fails every caller of its batch, and the next batch is sent as usual', async () => {
    const { calls, lookupMany } = recordingLookup();
    const lookup = batchedLookup(lookupMany, { maxBatch: 64, maxInFlight: 1 });
    const failed = ['a', 'b'].map((k) => lookup(k).catch((error: Error) => error.message));
    await turn();
    calls[0]!.fail(new Error('connection lost'));
    expect(await Promise.all(failed)).toEqual(['connection lost', 'connection lost']);
    const next = lookup('a');
    await turn();
    calls[1]!.release();
    expect(await next).toBe('value of a');
  });

  it('a lookup that throws before returning a promise fails its callers instead of the process', async () => {
    const lookup = batchedLookup<string, string>(() => {
      throw new Error('bad');
    }, { maxBatch: 64, maxInFlight: 1 });
    await expect(lookup('a')).rejects.toThrow('bad');
    await expect(lookup('b')).rejects.toThrow('bad');
  });
});
