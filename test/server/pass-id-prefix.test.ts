// Bundles list revoked passes by the first 40 bits of their id, so the issuer must never sign two
// passes that share them: the database refuses a duplicate; holder issuance looks before signing,
// partner issuance signs again with another id (test/server/issuance-statements.test.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findIssuedPass, insertIssuedPass, passIdPrefixTaken } from '../../src/db/queries/issued-passes.ts';
import { createServerFixture, type ServerFixture } from './support/server-fixture.ts';

let f: ServerFixture;
beforeEach(async () => {
  f = await createServerFixture();
});
afterEach(() => f.cleanup());

describe('pass id prefixes', () => {
  it('are unique among issued passes: a second pass with the same first 40 bits is refused by the database', async () => {
    const { passId } = (await (await f.partnerIssue({ personId: 'demo-0001' })).json()) as { passId: string };
    const prefix = passId.slice(0, 10);
    expect(await passIdPrefixTaken(f.db, prefix)).toBe(true);
    expect(await passIdPrefixTaken(f.db, prefix === 'ffffffffff' ? '0000000000' : (BigInt(`0x${prefix}`) + 1n).toString(16).padStart(10, '0'))).toBe(false);
    const row = (await findIssuedPass(f.db, passId))!;
    const twin = `${prefix}${passId.endsWith('ffffff') ? '000000' : 'ffffff'}`;
    await expect(f.db.transaction((tx) => insertIssuedPass(tx, { ...row, passId: twin }))).rejects.toThrow();
    expect(await findIssuedPass(f.db, twin)).toBeNull();
  });

  it('holder and partner issuance give every pass its own prefix', async () => {
    const ids: string[] = [];
    for (const personId of ['demo-0001', 'demo-0002', 'demo-0003']) {
      ids.push(((await (await f.partnerIssue({ personId })).json()) as { passId: string }).passId);
      const holder = (await (await f.holderPasses(personId)).json()) as { passes: { passId: string }[] };
      ids.push(...holder.passes.map((p) => p.passId));
    }
    expect(new Set(ids.map((id) => id.slice(0, 10))).size).toBe(new Set(ids).size);
  });
});
