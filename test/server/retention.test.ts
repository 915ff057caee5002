// Personal data where it should not be: idempotency records keep a pass reference only (a replay
// renders the pass again), and the retention job removes records past their time (fake clock).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findIssuedPass } from '../../src/db/queries/issued-passes.ts';
import { removeExpiredRecords } from '../../src/server/retention.ts';
import { unixNow } from '../../src/server/clock.ts';
import { createServerFixture, type ServerFixture } from './support/server-fixture.ts';

let f: ServerFixture;
beforeEach(async () => {
  f = await createServerFixture();
});
afterEach(() => f.cleanup());

const DAY = 86_400;
const idempotencyRows = (fx: ServerFixture) => fx.db.orm.select().from(fx.db.t.idempotencyKeys);

describe('personal data and retention', () => {
  it('an idempotency record holds the pass id only; the replay is rendered again from the stored pass', async () => {
    const key = 'idem-reference-only-0001';
    const first = (await (await f.partnerIssue({ name: 'Maria Gonzalez Lopez', birthDate: '1985-03-14' }, { idempotencyKey: key })).json()) as { passId: string; text: string };
    const rows = await idempotencyRows(f);
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]!.responseBody)).toEqual({ passId: first.passId });
    const stored = JSON.stringify(rows);
    expect(stored).not.toMatch(/Maria|1985-03-14|VP1:/);
    const replay = await f.partnerIssue({ name: 'Maria Gonzalez Lopez', birthDate: '1985-03-14' }, { idempotencyKey: key });
    expect(replay.status).toBe(201);
    expect(await replay.json()).toEqual(first);
  });

  it('the retention job removes idempotency records after 24 h and issued passes a week after they expire', async () => {
    const pass = (await (await f.partnerIssue({ personId: 'demo-0002' })).json()) as { passId: string; expiresAt: string };
    expect(await removeExpiredRecords(f.db, unixNow(f.clock))).toEqual({ idempotencyRecords: 0, issuedPasses: 0 });
    f.clock.advance(DAY + 1);
    expect(await removeExpiredRecords(f.db, unixNow(f.clock))).toEqual({ idempotencyRecords: 1, issuedPasses: 0 });
    expect(await idempotencyRows(f)).toEqual([]);
    expect(await findIssuedPass(f.db, pass.passId)).not.toBeNull();
    // One second short of exp + 7 days: kept; past it: removed.
    const exp = Date.parse(pass.expiresAt) / 1000;
    f.clock.advance(exp + 7 * DAY - unixNow(f.clock));
    expect((await removeExpiredRecords(f.db, unixNow(f.clock))).issuedPasses).toBe(0);
    f.clock.advance(1);
    expect((await removeExpiredRecords(f.db, unixNow(f.clock))).issuedPasses).toBe(1);
    expect(await findIssuedPass(f.db, pass.passId)).toBeNull();
  });
});
