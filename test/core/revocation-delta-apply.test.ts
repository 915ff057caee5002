// Applying a revocation delta costs O(delta): only the blocks the delta has entries in are merged
// and re-coded; every other block is shared with the held bundle. The derived result must still
// be exactly what a full bundle of the same revocations says.
import { describe, expect, it } from 'vitest';
import { applyRevocationDelta, openBundle } from '../../src/core/index.ts';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend.ts';
import { createTrustFixture, randomPassIds } from '../support/trust-fixture.ts';

const backend = createNodeCryptoBackend();

describe('applyRevocationDelta on a large held set', () => {
  it('re-codes only the touched blocks, shares the others, and equals a full bundle of the same revocations', async () => {
    const fixture = await createTrustFixture();
    const now = new Date(fixture.now * 1000);
    const heldIds = randomPassIds(20_000);
    // Two new revocations in one block (first byte 0x7e), one in another (0x01), one already held.
    const newIds = ['7e00000001aaaaaa', '7effffffffbbbbbb', '0100000002cccccc', heldIds[0]!];
    const opened = await openBundle(await fixture.bundle({ version: 10, revokedPasses: heldIds }), { root: fixture.rootPublicKey, now, backend });
    if (!opened.ok) throw new Error(opened.message);
    const held = opened.bundle;

    const applied = await applyRevocationDelta(held, await fixture.delta(10, 11, newIds), { root: fixture.rootPublicKey, now });
    if (!applied.ok) throw new Error(applied.message);
    const derived = applied.bundle;

    const full = await openBundle(await fixture.bundle({ version: 11, revokedPasses: [...heldIds, ...newIds] }), { root: fixture.rootPublicKey, now, backend });
    if (!full.ok) throw new Error(full.message);
    expect(derived.revokedPasses.equals(full.bundle.revokedPasses)).toBe(true);
    expect(derived.revokedPasses.size).toBe(full.bundle.revokedPasses.size);
    expect(derived.document.revokedPassPrefixes).toEqual(full.bundle.document.revokedPassPrefixes);
    expect(derived.payload).toBeNull();
    for (const id of newIds) expect(derived.revokedPasses.has(id)).toBe(true);

    for (let b = 0; b < 256; b++) {
      const touched = b === 0x7e || b === 0x01 || b === parseInt(heldIds[0]!.slice(0, 2), 16);
      if (!touched) expect(derived.revokedPasses.block(b)).toBe(held.revokedPasses.block(b));
    }
    // The held bundle is unchanged: a delta never writes into the set it extends.
    expect(held.revokedPasses.has('7e00000001aaaaaa')).toBe(false);
    expect(held.document.revokedPassPrefixes).toEqual(opened.bundle.document.revokedPassPrefixes);

    // A full bundle of that version is accepted over the derived one (same revocations), as before.
    const over = await openBundle(await fixture.bundle({ version: 11, revokedPasses: [...heldIds, ...newIds] }), { root: fixture.rootPublicKey, now, backend, held: derived });
    expect(over.ok ? 'ok' : over.code).toBe('ok');
  });
});
