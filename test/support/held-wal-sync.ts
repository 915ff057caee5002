// A WAL sync a test can hold back: the real fdatasync, run only once the test releases it. While
// held, commits are visible to readers but not yet durable, the window the store must never answer in.
import { fdatasync, fstatSync } from 'node:fs';
import type { SyncFile } from '../../src/db/wal-sync.ts';

export interface HeldWalSync {
  readonly syncWal: SyncFile;
  /** Syncs started so far, with the WAL's size when each started. */
  readonly started: number[];
  /** Holds back every sync from now on that starts while `when()` is true (default: every sync). */
  hold(when?: () => boolean): void;
  release(): void;
  /** Makes the next sync fail as a disk error would. */
  failNext(code: string): void;
}

export function heldWalSync(): HeldWalSync {
  let held: (() => boolean) | null = null;
  let failure: string | null = null;
  const waiting: (() => void)[] = [];
  const started: number[] = [];
  return {
    started,
    async syncWal(fd) {
      started.push(fstatSync(fd).size);
      if (held?.()) await new Promise<void>((ok) => waiting.push(ok));
      if (failure) {
        const code = failure;
        failure = null;
        throw Object.assign(new Error(`${code}: simulated`), { code });
      }
      await new Promise<void>((ok, fail) => fdatasync(fd, (error) => (error ? fail(error) : ok())));
    },
    hold: (when = () => true) => void (held = when),
    release() {
      held = null;
      for (const go of waiting.splice(0)) go();
    },
    failNext: (code) => void (failure = code),
  };
}

/** Whether `p` has settled (either way) within `ms`: how a test sees that an answer is still held back. */
export async function settledWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((ok) => setTimeout(ok, ms));
  return done;
}
