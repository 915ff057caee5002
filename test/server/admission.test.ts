// Admission control: the limiter's lanes and fairness, and the HTTP answers it gives (503 with
// Retry-After before any signing or writing; holders ahead of partner bulk; nothing started for a
// client that has gone away).
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { countIssuedPasses } from '../../src/db/queries/issued-passes.ts';
import { AdmissionController, type Admission, type Admitted } from '../../src/server/admission.ts';
import { testConfig } from '../../src/server/config.ts';
import { createServerFixture, listen, newIdempotencyKey, problemOf, type ServerFixture } from './support/server-fixture.ts';

const limits = { maxConcurrent: 2, holderReserve: 1, maxQueue: 2, maxWaitMs: 1000, maxEventLoopLagMs: 0, standingQueueAfterMs: 0, standingQueueWaitMs: 0, maxLoopUtilization: 0 };
const held = (a: Admission | Promise<Admission>) => a as Admitted;

describe('AdmissionController', () => {
  it('keeps holderReserve slots for holders and queues partners behind holders', async () => {
    const c = new AdmissionController(limits);
    const p1 = held(c.admit('partner', 'a'));
    expect(p1.ok).toBe(true);
    // One partner slot only: the second partner request waits although a slot is free.
    const p2 = c.admit('partner', 'a');
    expect(p2).toBeInstanceOf(Promise);
    const h1 = held(c.admit('holder'));
    expect(h1.ok).toBe(true);
    const h2 = c.admit('holder');
    expect(c.stats()).toEqual({ inFlight: 2, queued: 2 });
    const order: string[] = [];
    void (p2 as Promise<Admission>).then(() => order.push('partner'));
    void (h2 as Promise<Admission>).then(() => order.push('holder'));
    p1.release();
    await new Promise((ok) => setTimeout(ok, 0));
    // The freed slot goes to the waiting holder first, although the partner waited longer.
    expect(order).toEqual(['holder']);
  });

  it('serves partners round-robin from their own bounded queues, so one partner cannot crowd out another', async () => {
    const c = new AdmissionController({ maxConcurrent: 1, holderReserve: 0, maxQueue: 2, maxWaitMs: 1000, maxEventLoopLagMs: 0, standingQueueAfterMs: 0, standingQueueWaitMs: 0, maxLoopUtilization: 0 });
    const first = held(c.admit('partner', 'bulk'));
    const served: string[] = [];
    const queue = (tenant: string) => {
      const a = c.admit('partner', tenant);
      if (!('then' in a)) return a;
      void a.then((r) => {
        if (r.ok) {
          served.push(tenant);
          r.release();
        }
      });
      return null;
    };
    queue('bulk');
    queue('bulk');
    // The bulk partner's queue is full; another partner still gets a place.
    expect(queue('bulk')).toEqual({ ok: false, reason: 'queue-full' });
    queue('small');
    first.release();
    await new Promise((ok) => setTimeout(ok, 0));
    expect(served).toEqual(['bulk', 'small', 'bulk']);
  });

  it('sheds at once while the event loop lags: partners above the limit, holders above twice it', () => {
    let lag = 0;
    const c = new AdmissionController({ ...limits, maxEventLoopLagMs: 30 }, () => lag);
    lag = 40;
    expect(c.admit('partner', 'a')).toEqual({ ok: false, reason: 'event-loop-lag' });
    expect(held(c.admit('holder')).ok).toBe(true);
    lag = 61;
    expect(c.admit('holder')).toEqual({ ok: false, reason: 'event-loop-lag' });
  });

  it('sheds partners at once while the loop was busier than maxLoopUtilization; holders are exempt; 0 turns it off', () => {
    let busy = 0.5;
    const c = new AdmissionController({ ...limits, maxLoopUtilization: 0.7 }, () => 0, undefined, () => busy);
    expect(held(c.admit('partner', 'a')).ok).toBe(true);
    busy = 0.8;
    expect(c.refusesNow('partner', 'a')).toBe('loop-busy');
    expect(c.admit('partner', 'a')).toEqual({ ok: false, reason: 'loop-busy' });
    expect(c.loopRefusal('holder')).toBeNull();
    expect(held(c.admit('holder')).ok).toBe(true);
    const off = new AdmissionController({ ...limits, maxLoopUtilization: 0 }, () => 0, undefined, () => 1);
    expect(off.loopRefusal('partner')).toBeNull();
  });

  it('refusesNow() gives the refusal admit() would give at once, and changes nothing', () => {
    const c = new AdmissionController({ ...limits, maxQueue: 1 });
    expect(c.refusesNow('partner', 'a')).toBeNull();
    const p1 = held(c.admit('partner', 'a'));
    // No partner slot, but room to wait: not refused at once.
    expect(c.refusesNow('partner', 'a')).toBeNull();
    void c.admit('partner', 'a');
    expect(c.refusesNow('partner', 'a')).toBe('queue-full');
    expect(c.admit('partner', 'a')).toEqual({ ok: false, reason: 'queue-full' });
    // Another partner's queue is its own; holders still have their reserved slot.
    expect(c.refusesNow('partner', 'b')).toBeNull();
    expect(c.refusesNow('holder')).toBeNull();
    expect(c.stats()).toEqual({ inFlight: 1, queued: 1 });
    p1.release();
  });

  it('sheds a waiter whose wait would outlast maxWaitMs', async () => {
    const c = new AdmissionController({ ...limits, maxWaitMs: 20, maxEventLoopLagMs: 0 });
    held(c.admit('holder'));
    held(c.admit('holder'));
    expect(await c.admit('holder')).toEqual({ ok: false, reason: 'waited-too-long' });
    expect(c.stats().queued).toBe(0);
  });
});

describe('standing queue (CoDel-style)', () => {
  const standing = { maxConcurrent: 1, holderReserve: 0, maxQueue: 8, maxWaitMs: 1000, maxEventLoopLagMs: 0, standingQueueAfterMs: 100, standingQueueWaitMs: 0, maxLoopUtilization: 0 };

  it('queues a partner burst, but once the partner queue has not emptied for standingQueueAfterMs refuses new partners at once while holders still queue and go first', async () => {
    let now = 0;
    const c = new AdmissionController(standing, undefined, () => now);
    const first = held(c.admit('partner', 'bulk'));
    const waiting = c.admit('partner', 'bulk');
    // A burst: queued, not refused.
    expect(waiting).toBeInstanceOf(Promise);
    now = 99;
    expect(c.admit('partner', 'other')).toBeInstanceOf(Promise);
    now = 100;
    // The queue has stood for 100 ms: another partner request is refused without waiting.
    expect(c.standingQueue()).toBe(true);
    expect(c.admit('partner', 'small')).toEqual({ ok: false, reason: 'standing-queue' });
    // Holders are not shed by it, and the next free slot is theirs.
    const holder = c.admit('holder');
    expect(holder).toBeInstanceOf(Promise);
    first.release();
    expect((await holder).ok).toBe(true);
  });

  it('a queue that empties starts over: the next burst is queued again', async () => {
    let now = 0;
    const c = new AdmissionController(standing, undefined, () => now);
    const first = held(c.admit('partner', 'a'));
    const queued = c.admit('partner', 'a') as Promise<Admission>;
    now = 500;
    expect(c.standingQueue()).toBe(true);
    first.release();
    const second = (await queued) as Admitted;
    // Empty now; a new waiter at 500 ms starts a new interval.
    expect(c.standingQueue()).toBe(false);
    expect(c.admit('partner', 'a')).toBeInstanceOf(Promise);
    now = 550;
    expect(c.standingQueue()).toBe(false);
    second.release();
  });

  it('with standingQueueWaitMs > 0 a partner in a standing queue waits that long at most, not maxWaitMs', async () => {
    let now = 0;
    const c = new AdmissionController({ ...standing, standingQueueWaitMs: 5, maxLoopUtilization: 0 }, undefined, () => now);
    held(c.admit('partner', 'a'));
    void c.admit('partner', 'a');
    now = 200;
    const started = performance.now();
    expect(await c.admit('partner', 'b')).toEqual({ ok: false, reason: 'standing-queue' });
    // maxWaitMs is 1000; the refusal came after about 5 ms (generous bound for a loaded machine).
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('is off by default (VAXPASS_STANDING_QUEUE_AFTER_MS=0): a long-standing queue still queues', () => {
    expect(testConfig().admission).toMatchObject({ standingQueueAfterMs: 0, standingQueueWaitMs: 5, maxLoopUtilization: 0 });
    let now = 0;
    const c = new AdmissionController({ ...standing, standingQueueAfterMs: 0 }, undefined, () => now);
    held(c.admit('partner', 'a'));
    void c.admit('partner', 'a');
    now = 10_000;
    expect(c.standingQueue()).toBe(false);
    expect(c.admit('partner', 'b')).toBeInstanceOf(Promise);
  });
});

describe('admission over HTTP', () => {
  let f: ServerFixture;
  afterEach(() => f.cleanup());

  it('sheds partner issuance with 503 OVERLOADED and Retry-After before signing, while a holder is still served', async () => {
    f = await createServerFixture({ admission: { maxConcurrent: 2, holderReserve: 1, maxQueue: 0, maxWaitMs: 0, maxEventLoopLagMs: 0, standingQueueAfterMs: 0, standingQueueWaitMs: 0, maxLoopUtilization: 0 } });
    const busy = held(f.app.admission.admit('partner', 'elsewhere'));
    const before = await countIssuedPasses(f.db);
    const shed = await f.partnerIssue({ personId: 'demo-0001' });
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('1');
    expect((await problemOf(shed)).code).toBe('OVERLOADED');
    expect(await countIssuedPasses(f.db)).toBe(before);
    // Counted in /metrics (below), not logged: no access-log line per refusal in a flood.
    expect(f.logs.filter((line) => line.includes('"code":"OVERLOADED"'))).toEqual([]);
    // How fast a refusal is answered is a speed figure: bench/overload measures it, a test on a shared machine cannot.
    // The holder lane keeps its reserved slot.
    expect((await f.holderPasses('demo-0001')).status).toBe(200);
    // Health and the trust bundle never wait for a slot.
    expect((await f.app.request('/livez')).status).toBe(200);
    expect((await f.app.request('/readyz')).status).toBe(200);
    expect((await f.app.request('/api/v1/trust-bundle')).status).toBe(200);
    busy.release();
    expect((await f.partnerIssue({ personId: 'demo-0001' })).status).toBe(201);
    // Other answers keep their line.
    expect(f.logs.some((line) => line.includes('"status":201'))).toBe(true);
    const metrics = await (await f.app.request('/metrics')).text();
    expect(metrics).toContain('vaxpass_requests_shed_total{lane="partner",reason="queue-full"} 1');
  });

  it('nothing the client sends changes its lane: a partner key on the holder path is still a holder request needing an ID token', async () => {
    f = await createServerFixture({ admission: { maxConcurrent: 1, holderReserve: 0, maxQueue: 0, maxWaitMs: 0, maxEventLoopLagMs: 0, standingQueueAfterMs: 0, standingQueueWaitMs: 0, maxLoopUtilization: 0 } });
    const busy = held(f.app.admission.admit('holder'));
    const res = await f.partnerIssue({ personId: 'demo-0001' }, {});
    expect(res.status).toBe(503);
    const spoof = await f.app.request('/api/v1/partner/passes', { method: 'POST', headers: { Authorization: `Bearer ${f.partnerA.apiKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': newIdempotencyKey(), 'X-Priority': 'holder', Cookie: 'lane=holder', Date: 'Thu, 01 Jan 1970 00:00:00 GMT' }, body: JSON.stringify({ personId: 'demo-0001' }) });
    expect(spoof.status).toBe(503);
    busy.release();
  });

  it('refuses before reading the body when it would refuse anyway: the 503 comes while the body is still being sent', async () => {
    f = await createServerFixture({ admission: { maxConcurrent: 2, holderReserve: 1, maxQueue: 0, maxWaitMs: 0, maxEventLoopLagMs: 0, standingQueueAfterMs: 0, standingQueueWaitMs: 0, maxLoopUtilization: 0 } });
    const server = await listen(f.app);
    const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
    try {
      const busy = held(f.app.admission.admit('partner', 'elsewhere'));
      await new Promise((ok) => socket.once('connect', ok));
      let answer = '';
      socket.on('data', (d: Buffer) => (answer += d.toString()));
      // Half the announced body only: an answer now cannot have waited for the rest.
      const body = JSON.stringify({ personId: 'demo-0001' });
      socket.write(`POST /api/v1/partner/passes HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${f.partnerA.apiKey}\r\nContent-Type: application/json\r\nIdempotency-Key: ${newIdempotencyKey()}\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`);
      await expect.poll(() => answer.split('\r\n')[0]).toBe('HTTP/1.1 503 Service Unavailable');
      expect(answer).toContain('"code":"OVERLOADED"');
      expect(answer.toLowerCase()).toContain('retry-after: 1');
      busy.release();
    } finally {
      socket.destroy();
      await server.close();
    }
  });

  it('does not sign or store for a client that went away while waiting for a slot', async () => {
    f = await createServerFixture({ admission: { maxConcurrent: 1, holderReserve: 0, maxQueue: 4, maxWaitMs: 5000, maxEventLoopLagMs: 0, standingQueueAfterMs: 0, standingQueueWaitMs: 0, maxLoopUtilization: 0 } });
    const server = await listen(f.app);
    try {
      const busy = held(f.app.admission.admit('partner', 'elsewhere'));
      const before = await countIssuedPasses(f.db);
      const body = JSON.stringify({ personId: 'demo-0002' });
      const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
      await new Promise((ok) => socket.once('connect', ok));
      socket.write(`POST /api/v1/partner/passes HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${f.partnerA.apiKey}\r\nContent-Type: application/json\r\nIdempotency-Key: ${newIdempotencyKey()}\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      await expect.poll(() => f.app.admission.stats().queued).toBe(1);
      socket.destroy();
      await new Promise((ok) => setTimeout(ok, 50));
      busy.release();
      await expect.poll(async () => (await (await f.app.request('/metrics')).text()).includes('vaxpass_requests_shed_total{lane="partner",reason="client-gone"} 1')).toBe(true);
      expect(await countIssuedPasses(f.db)).toBe(before);
    } finally {
      await server.close();
    }
  });
});

describe('admission configuration', () => {
  it('reads the limits from the environment and keeps at least one slot for partners', () => {
    expect(testConfig().admission).toMatchObject({ maxConcurrent: 8, holderReserve: 2 });
  });
});
