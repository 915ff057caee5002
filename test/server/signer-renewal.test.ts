// The bundle-signer certificate lasts 90 days. Renewed when /readyz warns, the issuer publishes a
// bundle every scanner accepts on every day of 150; not renewed, readiness turns false when it
// lapses. A certificate not valid yet, or certifying another key, is not ready either.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readKeyring, renewBundleSigner, writeKeyring } from '../../src/keys/key-directory.ts';
import { unixNow } from '../../src/server/clock.ts';
import { createServerFixture, type ServerFixture } from './support/server-fixture.ts';

let f: ServerFixture;
afterEach(() => f.cleanup());

const readyz = async () => {
  const res = await f.app.request('/readyz');
  return { status: res.status, body: (await res.json()) as { warnings?: string[]; detail?: string } };
};

describe('bundle-signer renewal', () => {
  it('renewing when /readyz warns keeps a publishable, scanner-accepted bundle on every day past 90 days', async () => {
    f = await createServerFixture();
    let renewals = 0;
    let firstWarningDay: number | null = null;
    for (let day = 0; day < 150; day++) {
      const ready = await readyz();
      expect(ready.status, `day ${day}`).toBe(200);
      if (ready.body.warnings) {
        firstWarningDay ??= day;
        expect(ready.body.warnings[0]).toMatch(/renew-signer/);
        expect(await (await f.app.request('/metrics')).text()).toContain('vaxpass_bundle_signer_renewal_due 1');
        await renewBundleSigner(f.keysDir, { now: unixNow(f.clock) });
        renewals++;
        expect((await readyz()).body.warnings).toBeUndefined();
      }
      // What a scanner does: fetch the bundle and open it against the pinned root.
      const bundle = await f.openServedBundle();
      expect(bundle.version, `day ${day}`).toBeGreaterThan(0);
      f.clock.advance(86_400);
    }
    // The fixture's certificate was made a day before the start (expires on day 89): the first
    // warning comes on day 60, under 30 days before; each renewal then lasts 90 days.
    expect(firstWarningDay).toBe(60);
    expect(renewals).toBe(2);
  });

  it('without renewal, readiness turns false when the certificate lapses, naming the command', async () => {
    f = await createServerFixture();
    f.clock.advance(90 * 86_400);
    const ready = await readyz();
    expect(ready.status).toBe(503);
    expect(ready.body.detail).toMatch(/expired; run `vaxpass keys renew-signer`/);
  });

  it('a certificate not valid yet, or for another key, makes readiness false', async () => {
    f = await createServerFixture();
    const now = unixNow(f.clock);
    await renewBundleSigner(f.keysDir, { now: now + 3600 });
    expect((await readyz()).body.detail).toMatch(/not valid before/);
    // A valid certificate for one key next to another key's private key (a half-copied directory).
    await renewBundleSigner(f.keysDir, { now });
    copyFileSync(join(f.keysDir, 'bundle-signer.cert.jws'), join(f.keysDir, 'cert.saved'));
    await renewBundleSigner(f.keysDir, { now });
    copyFileSync(join(f.keysDir, 'cert.saved'), join(f.keysDir, 'bundle-signer.cert.jws'));
    writeKeyring(f.keysDir, readKeyring(f.keysDir)); // the running server reloads when keyring.json changes
    const ready = await readyz();
    expect(ready.status).toBe(503);
    expect(ready.body.detail).toMatch(/certifies another key/);
  });
});
