// Admission control in front of the expensive work (registry reads, signing, writes). At most
// `maxConcurrent` requests do that work at once; the rest wait in short, bounded queues and are
// turned away (503 OVERLOADED) when a queue is full or a wait would outlast `maxWaitMs`. Waiting
// longer than that only turns fast refusals into slow ones: the client times out, retries, and the
// work done for it is wasted — what took the 2021 systems down at the lunch peak.
//
// Two lanes. Holder pass fetches go first and may use every slot; partner bulk issuance may use
// all but `holderReserve` slots and is served round-robin per partner, each partner with its own
// bounded queue, so one partner cannot take the capacity others need. Who is admitted depends only
// on the lane, the authenticated partner id and the queue state: nothing the client sends.
//
// A queue that absorbs a burst is useful; one that never empties only adds delay to every request
// in it (CoDel's "standing queue"). So when the partner queues have not been empty for
// `standingQueueAfterMs` (0: never), a partner request that finds no free slot may wait only
// `standingQueueWaitMs` (0: refused at once) instead of `maxWaitMs`: in a sustained overload the
// excess is refused in microseconds instead of after a wait, and the slots and CPU go to admitted
// work. Holders are exempt: they are dispatched first and keep `maxWaitMs`.

export type Lane = 'holder' | 'partner';

export interface AdmissionLimits {
  /** Requests doing expensive work at once. */
  readonly maxConcurrent: number;
  /** Slots partners can never take, so holders are served while partner traffic saturates. */
  readonly holderReserve: number;
  /** Waiters per queue (the holder queue, and each partner's own queue). */
  readonly maxQueue: number;
  /** Longest wait for a slot before the request is shed. */
  readonly maxWaitMs: number;
  /**
   * Event-loop lag (ms) above which partner requests are shed at once, holders above twice it;
   * 0 turns the check off. Catches the backlog in front of the loop that slot counts cannot see.
   */
  readonly maxEventLoopLagMs: number;
  /** Partner queues not empty for this long (ms) form a standing queue: overload, not a burst. 0: the rule is off. */
  readonly standingQueueAfterMs: number;
  /** Longest wait for a partner request while the queue is standing (0: refused at once). */
  readonly standingQueueWaitMs: number;
  /**
   * Share of the last 100 ms the event loop was busy (0–1) above which partner requests are refused
   * at once; 0 turns the check off. Holders are exempt.
   */
  readonly maxLoopUtilization: number;
}

export type Refusal = 'queue-full' | 'waited-too-long' | 'event-loop-lag' | 'loop-busy' | 'standing-queue';
export type Admitted = { readonly ok: true; release(): void };
export type Admission = Admitted | { readonly ok: false; readonly reason: Refusal };

interface Waiter {
  readonly tenant: string;
  readonly resolve: (admission: Admission) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

export interface AdmissionStats {
  readonly inFlight: number;
  readonly queued: number;
}

export class AdmissionController {
  private inFlight = 0;
  private partnerInFlight = 0;
  private readonly holderQueue: Waiter[] = [];
  /** Partner ids with waiters, in round-robin order, and each one's queue. */
  private readonly partnerOrder: string[] = [];
  private readonly partnerQueues = new Map<string, Waiter[]>();
  private queuedCount = 0;
  /** When the partner queues last went from empty to holding a waiter (meaningful while they hold one). */
  private partnerBusySince = 0;

  constructor(
    readonly limits: AdmissionLimits,
    /** The event loop's current lag in ms (watchEventLoopLag); none: never shed on lag. */
    private readonly loopLagMs: () => number = () => 0,
    /** A monotonic clock in ms, for the standing-queue rule. */
    private readonly now: () => number = () => performance.now(),
    /** The event loop's recent utilization, 0–1 (watchEventLoopLag); none: never shed on it. */
    private readonly loopUtilization: () => number = () => 0,
  ) {}

  private partnerQueued(): number {
    return this.queuedCount - this.holderQueue.length;
  }

  /** True while partner requests have been waiting without a break for `standingQueueAfterMs`. */
  standingQueue(): boolean {
    const after = this.limits.standingQueueAfterMs;
    return after > 0 && this.partnerQueued() > 0 && this.now() - this.partnerBusySince >= after;
  }

  stats(): AdmissionStats {
    return { inFlight: this.inFlight, queued: this.queuedCount };
  }

  /**
   * True while the event loop lags past this lane's limit: such a request is refused whatever the
   * queues say. Depends on the lane and the loop only, so it can be asked before the request is
   * read (node-front.ts), where a refusal costs least.
   */
  overLoopLag(lane: Lane): boolean {
    const maxLag = this.limits.maxEventLoopLagMs;
    return maxLag > 0 && this.loopLagMs() > (lane === 'holder' ? 2 * maxLag : maxLag);
  }

  /**
   * Why the loop's state alone refuses a request of this lane now, or null: it lags past the lane's
   * limit, or (partners only) it was busy more than `maxLoopUtilization` of the last 100 ms. The lag
   * shows a loop already behind; the utilization shows one about to be, while answers are still
   * prompt, so partner work stops being added before every answer has to wait behind it.
   */
  loopRefusal(lane: Lane): Refusal | null {
    if (this.overLoopLag(lane)) return 'event-loop-lag';
    const maxBusy = this.limits.maxLoopUtilization;
    return lane === 'partner' && maxBusy > 0 && this.loopUtilization() > maxBusy ? 'loop-busy' : null;
  }

  /**
   * The refusal admit() would answer at once for this lane and tenant (the loop lagging, or no
   * free slot and no room to wait), else null. Changes nothing, so it can be asked before the
   * request's body is read: a request that would be refused anyway is refused before that work.
   */
  refusesNow(lane: Lane, tenant = ''): Refusal | null {
    return this.loopRefusal(lane) ?? this.queueRefusal(lane, tenant);
  }

  /** The part of refusesNow() that the queues decide: no free slot and no room (or no time) to wait. */
  queueRefusal(lane: Lane, tenant = ''): Refusal | null {
    if (this.hasSlot(lane)) return null;
    const queue = lane === 'holder' ? this.holderQueue : this.partnerQueues.get(tenant);
    if ((queue?.length ?? 0) >= this.limits.maxQueue || this.limits.maxWaitMs === 0) return 'queue-full';
    if (lane === 'partner' && this.limits.standingQueueWaitMs === 0 && this.standingQueue()) return 'standing-queue';
    return null;
  }

  /** Admits at once (no promise) when a slot is free; otherwise queues or refuses. */
  admit(lane: Lane, tenant = ''): Admission | Promise<Admission> {
    const refusal = this.refusesNow(lane, tenant);
    if (refusal !== null) return { ok: false, reason: refusal };
    if (this.hasSlot(lane)) return this.start(lane);
    const queue = lane === 'holder' ? this.holderQueue : this.partnerQueues.get(tenant);
    const standing = lane === 'partner' && this.standingQueue();
    if (lane === 'partner' && this.partnerQueued() === 0) this.partnerBusySince = this.now();
    const waitMs = standing ? Math.min(this.limits.standingQueueWaitMs, this.limits.maxWaitMs) : this.limits.maxWaitMs;
    return new Promise<Admission>((resolve) => {
      const waiter: Waiter = { tenant, resolve, timer: setTimeout(() => this.expire(lane, waiter, standing), waitMs) };
      if (lane === 'holder') this.holderQueue.push(waiter);
      else if (queue) queue.push(waiter);
      else {
        this.partnerQueues.set(tenant, [waiter]);
        this.partnerOrder.push(tenant);
      }
      this.queuedCount++;
    });
  }

  private hasSlot(lane: Lane): boolean {
    if (this.inFlight >= this.limits.maxConcurrent) return false;
    return lane === 'holder' || this.partnerInFlight < this.limits.maxConcurrent - this.limits.holderReserve;
  }

  private start(lane: Lane): Admitted {
    this.inFlight++;
    if (lane === 'partner') this.partnerInFlight++;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.inFlight--;
        if (lane === 'partner') this.partnerInFlight--;
        this.dispatch();
      },
    };
  }

  private dispatch(): void {
    while (this.queuedCount > 0) {
      if (this.holderQueue.length > 0 && this.hasSlot('holder')) {
        this.hand(this.holderQueue.shift()!, 'holder');
      } else if (this.partnerOrder.length > 0 && this.hasSlot('partner')) {
        const tenant = this.partnerOrder.shift()!;
        const queue = this.partnerQueues.get(tenant)!;
        const waiter = queue.shift()!;
        if (queue.length > 0) this.partnerOrder.push(tenant);
        else this.partnerQueues.delete(tenant);
        this.hand(waiter, 'partner');
      } else return;
    }
  }

  private hand(waiter: Waiter, lane: Lane): void {
    clearTimeout(waiter.timer);
    this.queuedCount--;
    waiter.resolve(this.start(lane));
  }

  private expire(lane: Lane, waiter: Waiter, standing: boolean): void {
    const queue = lane === 'holder' ? this.holderQueue : this.partnerQueues.get(waiter.tenant);
    const at = queue ? queue.indexOf(waiter) : -1;
    if (!queue || at < 0) return;
    queue.splice(at, 1);
    if (lane === 'partner' && queue.length === 0) {
      this.partnerQueues.delete(waiter.tenant);
      this.partnerOrder.splice(this.partnerOrder.indexOf(waiter.tenant), 1);
    }
    this.queuedCount--;
    waiter.resolve({ ok: false, reason: standing ? 'standing-queue' : 'waited-too-long' });
  }
}
