// applyRevocationDelta (src/core/revocation-delta.ts) against deltas the server signs, and
// hostile ones.
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyRevocationDelta, openBundle, RevokedPassSet, type TrustedBundle } from '../../src/core/index.ts';
import { rawPublicKey } from '../../src/keys/key-id.ts';
import { loadKeyDirectory } from '../../src/keys/key-directory.ts';
import { signRevocationDelta } from '../../src/server/publication/revocation-delta.ts';
import { backend, createServerFixture, type ServerFixture } from './support/server-fixture.ts';

let f: ServerFixture;
let held: TrustedBundle;
let passId: string;
beforeEach(async () => {
  f = await createServerFixture();
  held = await f.openServedBundle();
  passId = ((await (await f.partnerIssue({ personId: 'demo-0001' })).json()) as { passId: string }).passId;
  await f.admin('/revocations/passes', { passId });
});
afterEach(() => f.cleanup());

const delta = async (since: number) => (await f.app.request(`/api/v1/trust-bundle/revocations?since=${since}`)).text();
const apply = (text: string, bundle = held, now = f.clock.now()) => applyRevocationDelta(bundle, text, { root: f.rootPublicKey(), now });
const sign = ({ revokedPasses, ...doc }: { fromVersion: number; toVersion: number; issuedAt: number; revokedPasses: string[]; revokedKeys: string[] }) =>
  signRevocationDelta({ ...doc, revokedPassPrefixes: RevokedPassSet.fromPassIds(revokedPasses).encode() }, loadKeyDirectory(f.keysDir));

describe('applyRevocationDelta', () => {
  it('adds the revocations and takes the delta version, keeping keys, rules and expiry', async () => {
    const result = await apply(await delta(held.version));
    if (!result.ok) throw new Error(result.message);
    expect(result.bundle.version).toBe(held.version + 1);
    expect(result.bundle.revokedPasses.has(passId)).toBe(true);
    expect(result.bundle.expiresAt).toBe(held.expiresAt);
    expect(result.bundle.rules).toEqual(held.rules);
    expect([...result.bundle.keys.keys()]).toEqual([...held.keys.keys()]);
  });

  it('a full bundle of the version a delta brought is accepted when it lists the same revocations, refused when it does not', async () => {
    const applied = await apply(await delta(held.version));
    if (!applied.ok) throw new Error(applied.message);
    const full = await f.fetchBundleText();
    const same = await openBundle(full, { root: f.rootPublicKey(), now: f.clock.now(), backend, held: applied.bundle });
    expect(same.ok ? 'ok' : same.code).toBe('ok');
    // The same version number signed without the revocation, as an issuer that started over might.
    const forgotten = await apply(await sign({ fromVersion: held.version, toVersion: applied.bundle.version, issuedAt: Math.floor(f.clock.now().getTime() / 1000), revokedPasses: [], revokedKeys: [] }));
    if (!forgotten.ok) throw new Error(forgotten.message);
    const refused = await openBundle(full, { root: f.rootPublicKey(), now: f.clock.now(), backend, held: forgotten.bundle });
    expect(refused.ok ? 'ok' : refused.code).toBe('BUNDLE_ROLLBACK');
  });

  it('returns the same bundle when there is nothing new', async () => {
    const latest = await f.openServedBundle();
    const result = await apply(await delta(latest.version), latest);
    expect(result.ok && result.bundle).toBe(latest);
  });

  it('refuses deltas that do not chain to the pinned root or are not deltas', async () => {
    const text = await delta(held.version);
    const [h, p, s] = text.split('.') as [string, string, string];
    const flipped = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BA' : 'AA'}`;
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forgedPayload = `${h}.${Buffer.from(JSON.stringify({ ...payload, revokedPasses: [] })).toString('base64url')}.${s}`;
    for (const bad of [flipped, forgedPayload, await f.fetchBundleText(), 'not.a.jws', '', 'x'.repeat(100)]) {
      const result = await apply(bad);
      expect(result.ok ? 'ok' : result.code).toBe('BUNDLE_INVALID');
    }
    const otherRoot = rawPublicKey(generateKeyPairSync('ed25519').publicKey);
    const foreign = await applyRevocationDelta(held, text, { root: otherRoot, now: f.clock.now() });
    expect(foreign.ok ? 'ok' : foreign.code).toBe('BUNDLE_INVALID');
  });

  it('refuses rollback, gaps, expired bundles and malformed contents', async () => {
    const now = Math.floor(f.clock.now().getTime() / 1000);
    const latest = await f.openServedBundle();
    const rollback = await apply(await sign({ fromVersion: 0, toVersion: latest.version - 1, issuedAt: now, revokedPasses: [], revokedKeys: [] }), latest);
    expect(rollback.ok ? 'ok' : rollback.code).toBe('BUNDLE_ROLLBACK');
    const gap = await apply(await sign({ fromVersion: held.version + 1, toVersion: held.version + 2, issuedAt: now, revokedPasses: [], revokedKeys: [] }));
    expect(gap.ok ? 'ok' : gap.code).toBe('BUNDLE_INVALID');
    const late = await apply(await delta(held.version), held, new Date((held.expiresAt + 1) * 1000));
    expect(late.ok ? 'ok' : late.code).toBe('BUNDLE_EXPIRED');
    const badId = await apply(await signRevocationDelta({ fromVersion: held.version, toVersion: held.version + 1, issuedAt: now, revokedPassPrefixes: { '7e': 'AAAA' }, revokedKeys: [] }, loadKeyDirectory(f.keysDir)));
    expect(badId.ok ? 'ok' : badId.code).toBe('BUNDLE_INVALID');
    const reversed = await apply(await sign({ fromVersion: 5, toVersion: 4, issuedAt: now, revokedPasses: [], revokedKeys: [] }));
    expect(reversed.ok ? 'ok' : reversed.code).toBe('BUNDLE_INVALID');
    const untrusted = await applyRevocationDelta({ ...held } as TrustedBundle, await delta(held.version), { root: f.rootPublicKey(), now: f.clock.now() });
    expect(untrusted.ok ? 'ok' : untrusted.code).toBe('BUNDLE_INVALID');
  });

  it('a revoked key in a delta marks the key revoked', async () => {
    const kid = [...held.keys.keys()][0]!;
    const now = Math.floor(f.clock.now().getTime() / 1000);
    const result = await apply(await sign({ fromVersion: held.version, toVersion: held.version + 3, issuedAt: now, revokedPasses: [], revokedKeys: [kid] }));
    if (!result.ok) throw new Error(result.message);
    expect(result.bundle.revokedKeys.has(kid)).toBe(true);
    expect(result.bundle.keys.get(kid)?.status).toBe('revoked');
    // And it still opens fresh bundles on top (a full bundle of a higher version is accepted).
    const opened = await openBundle(await f.fetchBundleText(), { root: f.rootPublicKey(), now: f.clock.now(), backend, held });
    expect(opened.ok).toBe(true);
  });
});
