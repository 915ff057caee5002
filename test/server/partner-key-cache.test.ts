// The partner key cache (src/server/partner-key-cache.ts): a partner's revocation or quota change
// takes effect at once on the instance that made it, and within one clock second on another
// instance of the same database; an unknown key is never remembered.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp, type VaxpassApp } from '../../src/server/create-app.ts';
import { testConfig } from '../../src/server/config.ts';
import { watchedKeyDirectory } from '../../src/server/issuer-keys.ts';
import { silentLogger } from '../../src/server/logger.ts';
import { createPartner } from '../../src/db/queries/partners.ts';
import { countStatements } from '../support/statement-counter.ts';
import { ADMIN_TOKEN, createServerFixture, newIdempotencyKey, problemOf, type ServerFixture } from './support/server-fixture.ts';

let f: ServerFixture;
/** A second issuer instance on the same database, keys and clock, with its own cache. */
let other: VaxpassApp;
beforeEach(async () => {
  f = await createServerFixture();
  other = createApp({ db: f.db, signer: watchedKeyDirectory(f.keysDir, 0), clock: f.clock, config: testConfig({ adminToken: ADMIN_TOKEN }), logger: silentLogger });
});
afterEach(() => f.cleanup());

const issueOn = (app: VaxpassApp, apiKey: string) =>
  app.request('/api/v1/partner/passes', { method: 'POST', headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': newIdempotencyKey() }, body: '{"personId":"demo-0001"}' });

describe('partner key cache', () => {
  it('reads the partner once per clock second', async () => {
    expect((await f.partnerIssue({ personId: 'demo-0001' })).status).toBe(201);
    const again = await countStatements(async () => expect((await f.partnerIssue({ personId: 'demo-0001' })).status).toBe(201));
    expect((again.sql as string[]).filter((s) => /api_key_hash/i.test(s))).toEqual([]);
    f.clock.advance(1);
    const nextSecond = await countStatements(async () => expect((await f.partnerIssue({ personId: 'demo-0001' })).status).toBe(201));
    expect((nextSecond.sql as string[]).filter((s) => /api_key_hash/i.test(s))).toHaveLength(1);
  });

  it('a revocation is refused at once where it was made, and within a second on another instance', async () => {
    expect((await issueOn(f.app, f.partnerA.apiKey)).status).toBe(201);
    expect((await issueOn(other, f.partnerA.apiKey)).status).toBe(201);
    expect((await f.admin('/partners/partner-a/revoke', {})).status).toBe(200);
    const here = await issueOn(f.app, f.partnerA.apiKey);
    expect(here.status).toBe(401);
    expect((await problemOf(here)).code).toBe('API_KEY_REVOKED');
    // The other instance read the partner in this clock second: the stated bound, not beyond it.
    f.clock.advance(1);
    const there = await issueOn(other, f.partnerA.apiKey);
    expect(there.status).toBe(401);
    expect((await problemOf(there)).code).toBe('API_KEY_REVOKED');
  });

  it('a lowered quota holds from the next request where it was changed, and within a second elsewhere', async () => {
    expect((await issueOn(f.app, f.partnerA.apiKey)).status).toBe(201);
    expect((await issueOn(other, f.partnerA.apiKey)).status).toBe(201);
    expect((await f.admin('/partners/partner-a/quota', { quotaPerMinute: 1 })).status).toBe(200);
    // One a minute, and this instance's last request was just now.
    expect((await issueOn(f.app, f.partnerA.apiKey)).status).toBe(429);
    // The other's was a second ago: one more, then none (at the old 1,000 a minute both would pass).
    f.clock.advance(1);
    expect((await issueOn(other, f.partnerA.apiKey)).status).toBe(201);
    expect((await issueOn(other, f.partnerA.apiKey)).status).toBe(429);
  });

  it('an unknown key is not remembered: a partner created afterwards is accepted at once', async () => {
    const apiKey = `vxp_${'k'.repeat(43)}`;
    const unknown = await issueOn(other, apiKey);
    expect(unknown.status).toBe(401);
    expect((await problemOf(unknown)).code).toBe('INVALID_API_KEY');
    await f.db.transaction((tx) => createPartner(tx, { id: 'partner-c', name: 'Clinic C', now: Math.floor(f.clock.now().getTime() / 1000), apiKey, registryTrusted: true }));
    expect((await issueOn(other, apiKey)).status).toBe(201);
  });
});
