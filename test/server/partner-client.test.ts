// The shipped partner client against the real server on a real port: one Idempotency-Key across
// retries (one pass however many attempts), Retry-After honoured, no retry for answers that will
// not change, and a retry budget that stops retry storms.
import { afterEach, describe, expect, it } from 'vitest';
import { countIssuedPasses } from '../../src/db/queries/issued-passes.ts';
import { PartnerClient } from '../../src/partner-client/partner-client.ts';
import type { Admitted } from '../../src/server/admission.ts';
import { createServerFixture, listen, type ServerFixture } from './support/server-fixture.ts';

let f: ServerFixture;
let server: { url: string; close(): Promise<void> };
afterEach(async () => {
  await server.close();
  f.cleanup();
});

async function setUp(...args: Parameters<typeof createServerFixture>) {
  f = await createServerFixture(...args);
  server = await listen(f.app);
}

describe('PartnerClient', () => {
  it('issues a pass; a shed attempt is retried with the same Idempotency-Key and yields one pass', async () => {
    await setUp({ admission: { maxConcurrent: 1, holderReserve: 0, maxQueue: 0, maxWaitMs: 0, maxEventLoopLagMs: 0, standingQueueAfterMs: 0, standingQueueWaitMs: 0, maxLoopUtilization: 0 } });
    const busy = f.app.admission.admit('partner', 'elsewhere') as Admitted;
    const delays: number[] = [];
    const client = new PartnerClient({
      baseUrl: server.url,
      apiKey: f.partnerA.apiKey,
      random: () => 0.5,
      sleep: async (ms) => {
        delays.push(ms);
        busy.release();
      },
    });
    const before = await countIssuedPasses(f.db);
    const result = await client.issuePass({ personId: 'demo-0001' });
    expect(result).toMatchObject({ ok: true, status: 201, attempts: 2 });
    // 503 OVERLOADED said Retry-After: 1; the client waited that plus jitter.
    expect(delays).toEqual([1050]);
    expect(await countIssuedPasses(f.db)).toBe(before + 1);
    // Replaying the same key returns the same pass.
    const again = await client.issuePass({ personId: 'demo-0001' }, result.idempotencyKey);
    expect(again).toMatchObject({ ok: true, replayed: true });
    if (result.ok && again.ok) expect(again.pass.passId).toBe(result.pass.passId);
  });

  it('honours Retry-After on 429 and does not retry answers that will not change', async () => {
    await setUp({}, { quotaPerMinute: 1 });
    const delays: number[] = [];
    const client = new PartnerClient({ baseUrl: server.url, apiKey: f.partnerA.apiKey, random: () => 0, maxAttempts: 2, sleep: async (ms) => void (delays.push(ms), f.clock.advance(ms / 1000)) });
    expect((await client.issuePass({ personId: 'demo-0001' })).ok).toBe(true);
    const limited = await client.issuePass({ personId: 'demo-0002' });
    expect(limited).toMatchObject({ ok: true, attempts: 2 });
    expect(delays).toEqual([60_000]);
    f.clock.advance(60);
    const unknown = await client.issuePass({ personId: 'nobody-here' });
    expect(unknown).toMatchObject({ ok: false, status: 404, code: 'PERSON_NOT_FOUND', attempts: 1 });
  });

  it('stops retrying when the retry budget is spent', async () => {
    await setUp({ admission: { maxConcurrent: 1, holderReserve: 0, maxQueue: 0, maxWaitMs: 0, maxEventLoopLagMs: 0, standingQueueAfterMs: 0, standingQueueWaitMs: 0, maxLoopUtilization: 0 } });
    f.app.admission.admit('partner', 'elsewhere');
    let sleeps = 0;
    const client = new PartnerClient({ baseUrl: server.url, apiKey: f.partnerA.apiKey, retryBudgetCap: 3, maxAttempts: 10, sleep: async () => void sleeps++ });
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await client.issuePass({ personId: 'demo-0001' }));
    // 3 banked retries plus 0.1 per first attempt: 3 retries in all, not 5 × 9.
    expect(sleeps).toBe(3);
    expect(results.every((r) => !r.ok && r.code === 'OVERLOADED')).toBe(true);
  });

  it('retries a network error (nothing listening) within its attempts', async () => {
    await setUp();
    const client = new PartnerClient({ baseUrl: 'http://127.0.0.1:1', apiKey: f.partnerA.apiKey, maxAttempts: 2, sleep: async () => undefined });
    expect(await client.issuePass({ personId: 'demo-0001' })).toMatchObject({ ok: false, status: 0, code: 'NETWORK_ERROR', attempts: 2 });
  });
});
