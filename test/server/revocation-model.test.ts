// What revocation means: a revoked pass is never replayed (a retry with its Idempotency-Key
// answers with the current state), and a person on hold gets no new pass from any partner or the
// holder app until the hold is lifted. docs/api.md "Revocation model".
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAuditLog } from '../../src/db/queries/audit-log.ts';
import { ADMIN_TOKEN, createServerFixture, problemOf, type ServerFixture } from './support/server-fixture.ts';

let f: ServerFixture;
beforeEach(async () => {
  f = await createServerFixture();
});
afterEach(() => f.cleanup());

describe('revocation model', () => {
  it('replaying the Idempotency-Key of a revoked pass answers 410 PASS_REVOKED, not the revoked pass with 201', async () => {
    const key = 'idem-revoked-replay-0001';
    const first = await f.partnerIssue({ personId: 'demo-0002' }, { idempotencyKey: key });
    expect(first.status).toBe(201);
    const { passId } = (await first.json()) as { passId: string };
    const again = await f.partnerIssue({ personId: 'demo-0002' }, { idempotencyKey: key });
    expect(again.status).toBe(201);
    expect(((await again.json()) as { passId: string }).passId).toBe(passId);
    expect((await f.admin('/revocations/passes', { passId, reason: 'fraud case 17' })).status).toBe(201);
    const problem = await problemOf(await f.partnerIssue({ personId: 'demo-0002' }, { idempotencyKey: key }));
    expect(problem).toMatchObject({ status: 410, code: 'PASS_REVOKED' });
    expect(problem.detail).toContain(passId);
  });

  it('after revocation a new pass is issued (lost phone), but not while the person is on hold (fraud); lifting the hold restores issuance', async () => {
    const first = (await (await f.partnerIssue({ personId: 'demo-0002' })).json()) as { passId: string };
    await f.admin('/revocations/passes', { passId: first.passId, reason: 'lost phone' });
    // Revocation alone: the next request gets a fresh pass.
    expect((await f.partnerIssue({ personId: 'demo-0002' })).status).toBe(201);

    expect((await f.admin('/holds', { personId: 'demo-0002', reason: 'fraud case 17' })).status).toBe(201);
    expect((await f.admin('/holds', { personId: 'demo-0002' })).status).toBe(200);
    expect(await problemOf(await f.partnerIssue({ personId: 'demo-0002' }))).toMatchObject({ status: 403, code: 'PERSON_ON_HOLD' });
    expect(await problemOf(await f.partnerIssue({ personId: 'demo-0002' }, { apiKey: f.partnerB.apiKey }))).toMatchObject({ status: 403, code: 'PERSON_ON_HOLD' });
    expect(await problemOf(await f.holderPasses('demo-0002'))).toMatchObject({ status: 403, code: 'PERSON_ON_HOLD' });
    // Others are not affected.
    expect((await f.partnerIssue({ personId: 'demo-0001' })).status).toBe(201);
    expect((await f.admin('/holds', { personId: 'nobody-0001' })).status).toBe(404);

    const lift = await f.app.request('/api/v1/admin/holds/demo-0002', { method: 'DELETE', headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(lift.status).toBe(200);
    expect((await f.partnerIssue({ personId: 'demo-0002' })).status).toBe(201);
    const audit = (await readAuditLog(f.db)).map((r) => r.action);
    expect(audit).toEqual(expect.arrayContaining(['person.held', 'person.released']));
  });
});
