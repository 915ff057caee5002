// The venue's entry records on the device, in IndexedDB, as HPKE ciphertext only: a record is
// sealed before it is stored, so neither this store nor anything else in the browser holds a pass
// id or a time. Besides the ciphertext each record keeps its UTC day number (for retention and the
// batch's oldestDay) and, once it is part of an upload, that batch's id: a batch that failed is
// sent again under the same id, so the issuer stores it once however often it is retried.
import type { SealedEntry } from '../../core/entry-log.ts';

const DB_NAME = 'vaxpass-entry-log';
const STORE = 'records';
/** Records kept while offline: about two busy days of one entrance. */
export const MAX_RECORDS = 100_000;
/** From this many records the scanner warns that the device should go online. */
export const WARN_RECORDS = 90_000;

export interface StoredRecord {
  readonly sealed: SealedEntry;
  /** Unix day (UTC) of the entry. */
  readonly day: number;
  batchId?: string;
}

export interface PendingBatch {
  readonly batchId: string;
  readonly keys: readonly IDBValidKey[];
  readonly records: readonly SealedEntry[];
  readonly oldestDay: number;
}

const request = <T>(r: IDBRequest<T>) => new Promise<T>((ok, fail) => ((r.onsuccess = () => ok(r.result)), (r.onerror = () => fail(r.error))));
const done = (tx: IDBTransaction) => new Promise<void>((ok, fail) => ((tx.oncomplete = () => ok()), (tx.onerror = tx.onabort = () => fail(tx.error))));

function randomBatchId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_');
}

export class EntryLogStore {
  private constructor(private readonly db: IDBDatabase) {}

  static async open(): Promise<EntryLogStore> {
    const open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = () => {
      const store = open.result.createObjectStore(STORE, { autoIncrement: true });
      store.createIndex('batchId', 'batchId');
      store.createIndex('day', 'day');
    };
    return new EntryLogStore(await request(open));
  }

  async count(): Promise<number> {
    return request(this.db.transaction(STORE).objectStore(STORE).count());
  }

  /** Adds one sealed record; false when the store is full (the record is not kept, and the scanner says so). */
  async add(record: StoredRecord): Promise<boolean> {
    const tx = this.db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    const n = await request(store.count());
    if (n >= MAX_RECORDS) return false;
    store.add({ sealed: record.sealed, day: record.day });
    await done(tx);
    return true;
  }

  /**
   * The batch to upload next: the one already started (same id, same records) if any, else up to
   * `max` of the oldest records, which get a new batch id in the same transaction.
   */
  async nextBatch(max: number): Promise<PendingBatch | null> {
    const tx = this.db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    const keys: IDBValidKey[] = [];
    const records: StoredRecord[] = [];
    let batchId: string | null = null;
    const started = await request(store.index('batchId').openCursor());
    if (started) {
      batchId = (started.value as StoredRecord).batchId!;
      const all = await request(store.index('batchId').getAll(IDBKeyRange.only(batchId)));
      const allKeys = await request(store.index('batchId').getAllKeys(IDBKeyRange.only(batchId)));
      keys.push(...allKeys);
      records.push(...(all as StoredRecord[]));
    } else {
      batchId = randomBatchId();
      await new Promise<void>((ok, fail) => {
        const cursor = store.openCursor();
        cursor.onerror = () => fail(cursor.error);
        cursor.onsuccess = () => {
          const c = cursor.result;
          if (!c || records.length >= max) return ok();
          const value = { ...(c.value as StoredRecord), batchId: batchId! };
          c.update(value);
          keys.push(c.primaryKey);
          records.push(value);
          c.continue();
        };
      });
    }
    await done(tx);
    if (records.length === 0) return null;
    return { batchId, keys, records: records.map((r) => r.sealed), oldestDay: Math.min(...records.map((r) => r.day)) };
  }

  /** Removes an uploaded batch's records (only after the issuer confirmed it stored them). */
  async remove(keys: readonly IDBValidKey[]): Promise<void> {
    const tx = this.db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    for (const key of keys) store.delete(key);
    await done(tx);
  }

  /** Gives a batch a new id (the issuer already holds different records under the old one). */
  async renameBatch(keys: readonly IDBValidKey[]): Promise<void> {
    const tx = this.db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    const batchId = randomBatchId();
    for (const key of keys) {
      const value = (await request(store.get(key))) as StoredRecord | undefined;
      if (value) store.put({ ...value, batchId }, key);
    }
    await done(tx);
  }

  /** Deletes records of days before `day` (retention): returns how many. */
  async purgeBefore(day: number): Promise<number> {
    const tx = this.db.transaction(STORE, 'readwrite');
    const index = tx.objectStore(STORE).index('day');
    const range = IDBKeyRange.upperBound(day, true);
    const n = await request(index.count(range));
    const keys = await request(index.getAllKeys(range));
    for (const key of keys) tx.objectStore(STORE).delete(key);
    await done(tx);
    return n;
  }
}
