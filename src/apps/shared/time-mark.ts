// A persisted lower bound on the real time, so a device clock set back cannot revive a pass that
// expired after the trust bundle was issued. The mark only rises: each device-clock reading, each
// bundle's signed issuedAt and the server's Date header on each successful sync raise it, and
// decisions are taken at the later of the device clock and the mark. The one way down is the
// server's own clock: a device whose clock once ran ahead would otherwise refuse every pass until
// its storage were wiped, and the server (over HTTPS) is the time authority the scanner trusts.
// What this cannot do: a scanner that never synced and never saw a later clock reading still
// believes its clock (the bundle's issuedAt is then the only floor) — docs/pass-format.md §8.

export interface MarkStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export class TimeMark {
  private mark: number;

  constructor(
    private readonly key: string,
    private readonly storage: MarkStorage = localStorage,
  ) {
    const stored = Number(storage.getItem(key));
    this.mark = Number.isSafeInteger(stored) && stored > 0 ? stored : 0;
  }

  /** Unix seconds: the latest time this device has evidence of. */
  get seconds(): number {
    return this.mark;
  }

  /** Raises the mark to `seconds` when that is later; never lowers it. */
  observe(seconds: number): void {
    if (!Number.isFinite(seconds) || Math.floor(seconds) <= this.mark) return;
    this.mark = Math.floor(seconds);
    this.persist();
  }

  /** The server's Date on a successful sync: raises the mark, or pulls it back to the server's time when it is ahead by more than `toleranceSeconds`. */
  serverTime(seconds: number, toleranceSeconds: number, floor = 0): void {
    if (!Number.isFinite(seconds)) return;
    if (this.mark > seconds + toleranceSeconds) {
      this.mark = Math.max(Math.floor(seconds), Math.floor(floor));
      this.persist();
    } else this.observe(seconds);
  }

  /** The instant to decide at: the later of the device clock and the mark. The reading itself raises the mark. */
  decisionTime(device: Date): Date {
    this.observe(device.getTime() / 1000);
    return new Date(Math.max(device.getTime(), this.mark * 1000));
  }

  private persist(): void {
    try {
      this.storage.setItem(this.key, String(this.mark));
    } catch {
      // Storage full or blocked: the in-memory mark still protects this session.
    }
  }
}
