// A partner issuance refused on the node:http request (src/server/node-front.ts) when admission
// would refuse it at once: the partner's queue is full and its API key is one this instance read
// this clock second (partner-key-cache.ts). Real admission controller, key cache and HTTP on
// loopback; whatever the front does not answer reaches a marker answer standing for the application.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createServerFixture, type ServerFixture } from './support/server-fixture.ts';

const TO_APPLICATION = 299;
const fixtures: ServerFixture[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((ok) => s.close(ok));
  for (const f of fixtures.splice(0)) await f.cleanup();
});

/** The app's node front on a real port; requests it passes on get TO_APPLICATION. */
async function frontOf(f: ServerFixture): Promise<string> {
  const server = createServer(async (req, res) => {
    if (!(await f.app.nodeFront(req, res))) res.writeHead(TO_APPLICATION).end();
  });
  servers.push(server);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('node front: partner issuance refused before it is read', () => {
  it('a held key whose partner queue is full gets 503 OVERLOADED with Retry-After; unknown, revoked and unheld keys and other partners go on to the application', async () => {
    // One partner slot (8 - 7 reserved for holders), no queue: a second partner request is refused at once.
    const f = await createServerFixture({ admission: { maxConcurrent: 8, holderReserve: 7, maxQueue: 0, maxWaitMs: 50, maxEventLoopLagMs: 0, standingQueueAfterMs: 0, standingQueueWaitMs: 5, maxLoopUtilization: 0 } });
    fixtures.push(f);
    const url = await frontOf(f);
    const post = (apiKey: string, headers: Record<string, string> = {}) =>
      fetch(`${url}/api/v1/partner/passes`, { method: 'POST', headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json', ...headers }, body: '{"personId":"demo-0001"}' });

    // Not read this second: the application decides (and reads the key).
    expect((await post(f.partnerA.apiKey)).status).toBe(TO_APPLICATION);
    expect((await f.partnerIssue({ personId: 'demo-0001' })).status).toBe(201);

    const slot = f.app.admission.admit('partner', f.partnerA.id);
    expect('then' in slot ? await slot : slot).toMatchObject({ ok: true });
    try {
      const refused = await post(f.partnerA.apiKey);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
      expect(await refused.json()).toMatchObject({ status: 503, code: 'OVERLOADED' });
      expect(await f.app.metrics.render()).toMatch(/vaxpass_requests_shed_total\{lane="partner",reason="queue-full"\} [1-9]/);

      // Keys the front does not hold, and a repeated Authorization header, are the application's to answer (401).
      expect((await post('vxp_not-a-key')).status).toBe(TO_APPLICATION);
      expect((await post(f.partnerA.apiKey, { Authorization: `Bearer ${f.partnerA.apiKey}, Bearer ${f.partnerA.apiKey}` })).status).toBe(TO_APPLICATION);
      // Partner B has its own queue; its key is not held yet either.
      expect((await post(f.partnerB.apiKey)).status).toBe(TO_APPLICATION);

      // A new clock second: the key must be read again before the front refuses with it.
      f.clock.advance(1);
      expect((await post(f.partnerA.apiKey)).status).toBe(TO_APPLICATION);
    } finally {
      if ('release' in slot) slot.release();
    }
    // A free slot: the same key goes on to the application.
    expect((await f.partnerIssue({ personId: 'demo-0001' })).status).toBe(201);
    expect((await post(f.partnerA.apiKey)).status).toBe(TO_APPLICATION);
  });

  it('a revoked key is never refused here: the application answers it (401 API_KEY_REVOKED)', async () => {
    const f = await createServerFixture({ admission: { maxConcurrent: 8, holderReserve: 7, maxQueue: 0, maxWaitMs: 50, maxEventLoopLagMs: 0, standingQueueAfterMs: 0, standingQueueWaitMs: 5, maxLoopUtilization: 0 } });
    fixtures.push(f);
    const url = await frontOf(f);
    const slot = f.app.admission.admit('partner', f.partnerA.id);
    try {
      expect((await f.admin(`/partners/${f.partnerA.id}/revoke`, {})).status).toBeLessThan(300);
      // Read (revoked) into the cache this second by the application's own answer.
      expect((await f.partnerIssue({ personId: 'demo-0001' })).status).toBe(401);
      const res = await fetch(`${url}/api/v1/partner/passes`, { method: 'POST', headers: { Authorization: `Bearer ${f.partnerA.apiKey}`, 'Content-Type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(TO_APPLICATION);
    } finally {
      if ('release' in slot) slot.release();
    }
  });
});
