// Lookups by key that arrive close together, answered by one call for all of them: N concurrent
// callers then cost one database round trip instead of N. A batch is sent when the event loop's
// current turn of I/O callbacks has run (setImmediate), unless `maxInFlight` batches are already
// under way: then the keys wait for one of those to return and go together in the next, so under
// load the batches grow instead of the round trips. A batch never exceeds `maxBatch` keys (one
// that full is sent at once if it may be) and no caller waits for a timer. Equal keys share one
// entry. When the call fails, every caller of that batch gets the error.
export type BatchedLookup<K, V> = (key: K) => Promise<V | undefined>;

export interface BatchLimits {
  readonly maxBatch: number;
  readonly maxInFlight: number;
}

interface Waiter<V> {
  readonly ok: (value: V | undefined) => void;
  readonly fail: (error: unknown) => void;
}

export function batchedLookup<K, V>(lookupMany: (keys: readonly K[]) => Promise<ReadonlyMap<K, V>>, limits: BatchLimits): BatchedLookup<K, V> {
  // Keys not yet sent, in batches of at most maxBatch; the first is the one filling up.
  const queued: Map<K, Waiter<V>[]>[] = [];
  let inFlight = 0;
  let scheduled = false;

  function sendWhatMay(): void {
    while (inFlight < limits.maxInFlight && queued.length > 0) send(queued.shift()!);
  }

  function send(batch: Map<K, Waiter<V>[]>): void {
    inFlight++;
    let answered: Promise<ReadonlyMap<K, V>>;
    try {
      answered = lookupMany([...batch.keys()]);
    } catch (error) {
      answered = Promise.reject(error);
    }
    answered
      .then(
        (found) => {
          for (const [key, waiters] of batch) for (const w of waiters) w.ok(found.get(key));
        },
        (error: unknown) => {
          for (const waiters of batch.values()) for (const w of waiters) w.fail(error);
        },
      )
      .finally(() => {
        inFlight--;
        sendWhatMay();
      });
  }

  return (key) =>
    new Promise<V | undefined>((ok, fail) => {
      let batch = queued.find((b) => b.has(key)) ?? queued[queued.length - 1];
      if (batch === undefined || (!batch.has(key) && batch.size >= limits.maxBatch)) queued.push((batch = new Map()));
      const waiters = batch.get(key);
      if (waiters) waiters.push({ ok, fail });
      else batch.set(key, [{ ok, fail }]);
      if (batch.size >= limits.maxBatch) sendWhatMay();
      else if (!scheduled) {
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          sendWhatMay();
        });
      }
    });
}
