import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openBundle, verify, type BundleDocument } from '../../src/core/index.ts';
import { rotateIssuerKeys, DEFAULT_ROTATION_LEAD_SECONDS } from '../../src/cli/commands/keys-rotate.ts';
import { backend, createServerFixture, type ServerFixture } from './support/server-fixture.ts';

let f: ServerFixture;
beforeEach(async () => {
  f = await createServerFixture();
});
afterEach(() => f.cleanup());

const nowSeconds = () => Math.floor(f.clock.now().getTime() / 1000);
const docOf = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString()) as BundleDocument;
type Pass = { passId: string; kid: string; text: string };

describe('key rotation without downtime', () => {
  it('publishes the next key before it signs, switches signing at its start, and old passes keep verifying', async () => {
    const oldPass = (await (await f.partnerIssue({ personId: 'demo-0001' })).json()) as Pass;
    const rotation = rotateIssuerKeys(f.keysDir, { now: nowSeconds(), leadSeconds: DEFAULT_ROTATION_LEAD_SECONDS });
    expect(rotation.previousKid).toBe(oldPass.kid);

    // Right after rotation: the bundle lists the new key as "next", passes are still signed by the old one.
    const announced = await f.fetchBundleText();
    const announcedDoc = docOf(announced);
    expect(announcedDoc.keys.find((k) => k.kid === rotation.kid)).toMatchObject({ status: 'next', validFrom: rotation.activatesAt });
    expect(announcedDoc.keys.find((k) => k.kid === oldPass.kid)?.status).toBe('active');
    const beforeSwitch = (await (await f.partnerIssue({ personId: 'demo-0002' })).json()) as Pass;
    expect(beforeSwitch.kid).toBe(oldPass.kid);

    // After the lead time: the new key signs; the old one is retired but still verifies.
    f.clock.advance(DEFAULT_ROTATION_LEAD_SECONDS + 1);
    const newPass = (await (await f.partnerIssue({ personId: 'demo-0001' })).json()) as Pass;
    expect(newPass.kid).toBe(rotation.kid);
    // Every bundle published since the rotation listed the key before its first pass was signed.
    expect(announcedDoc.issuedAt).toBeLessThan(rotation.activatesAt);
    const current = await f.fetchBundleText();
    const doc = docOf(current);
    expect(doc.keys.find((k) => k.kid === oldPass.kid)?.status).toBe('retired');
    expect(doc.keys.find((k) => k.kid === rotation.kid)?.status).toBe('active');
    const opened = await openBundle(current, { root: f.rootPublicKey(), now: f.clock.now(), backend });
    if (!opened.ok) throw new Error(opened.message);
    for (const pass of [oldPass, beforeSwitch, newPass]) {
      const result = await verify(pass.text, opened.bundle, { now: f.clock.now() });
      expect(result.ok, pass.kid).toBe(true);
    }
  });

  it('a bundle fetched just before the switch already verifies the first passes of the new key', async () => {
    rotateIssuerKeys(f.keysDir, { now: nowSeconds(), leadSeconds: 3600 * 2 });
    f.clock.advance(3600 * 2 - 60);
    const held = await openBundle(await f.fetchBundleText(), { root: f.rootPublicKey(), now: f.clock.now(), backend });
    if (!held.ok) throw new Error(held.message);
    f.clock.advance(120);
    const pass = (await (await f.partnerIssue({ personId: 'demo-0001' })).json()) as Pass;
    expect(held.bundle.keys.get(pass.kid)?.status).toBe('next');
    expect((await verify(pass.text, held.bundle, { now: f.clock.now() })).ok).toBe(true);
  });

  it('refuses a second rotation while one is pending', () => {
    rotateIssuerKeys(f.keysDir, { now: nowSeconds(), leadSeconds: DEFAULT_ROTATION_LEAD_SECONDS });
    expect(() => rotateIssuerKeys(f.keysDir, { now: nowSeconds(), leadSeconds: DEFAULT_ROTATION_LEAD_SECONDS })).toThrow(/already waiting/);
  });
});
