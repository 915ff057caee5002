// What revocation means to a partner: a revoked pass is never replayed (a retry with its
// Idempotency-Key answers with the current state), docs/api.md "Revocation model".
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServerFixture, problemOf, type ServerFixture } from './support/server-fixture.ts';

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
});
