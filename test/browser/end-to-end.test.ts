// The whole path on a real issuer (startServer: SQLite, dev keys, demo registry, dev identity
// provider, real HTTP on an ephemeral port) and real Chromium: a holder signs in and gets a pass,
// the scanner's fake camera shows that pass and the scanner says VALID; the admin revokes it, the
// scanner syncs the next bundle and says revoked.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend.ts';
import { openBundle, verify, fromBase64Url } from '../../src/core/index.ts';
import { readQrPng } from '../../src/qr/read-qr-image.ts';
import type { RunningServer } from '../../src/server/main.ts';
import { portsOf, startDevIssuer } from '../support/start-dev-issuer.ts';
import { DEMO_PEOPLE } from '../../src/demo/seed-demo-registry.ts';
import { signInThroughProvider } from '../support/sign-in-through-provider.ts';
import { artifactPath, cspViolations, fakeCameraFlags, tempDir } from '../support/browser.ts';
import { describeInChromium } from '../support/chromium-suite.ts';
import { ensureAppsBuilt } from '../support/build-apps.ts';
import { blankFrame, qrFrame, writeCameraVideo } from '../support/fake-camera.ts';

const ADMIN_TOKEN = 'e2e-admin-token-0123456789abcdef0123456789';

interface HolderPass {
  passId: string;
  text: string;
  holder: { name: string; birthDate: string };
}

/**
 * The overlay's lines, read in the same page task as the verdict (or code) that matched: with
 * ?hold=500 the camera's verdict is cleared and shown again every half second, so reads made one
 * after another can fall into a cleared overlay on a loaded machine.
 */
async function shownVerdict(page: Page, want: { verdict?: string; code?: string }): Promise<{ name: string; birth: string; reason: string }> {
  const handle = await page.waitForFunction(
    ({ verdict, code }) => {
      const overlay = document.getElementById('result')!;
      if (overlay.hidden || (verdict !== undefined && overlay.dataset.verdict !== verdict) || (code !== undefined && overlay.dataset.code !== code)) return null;
      const line = (selector: string) => overlay.querySelector(selector)?.textContent ?? '';
      return { name: line('.name'), birth: line('.birth'), reason: line('.reason') };
    },
    want,
    { timeout: 20_000 },
  );
  return (await handle.jsonValue()) as { name: string; birth: string; reason: string };
}

describeInChromium('holder → issuer → scanner end to end (real server, real Chromium)', { suite: 'end-to-end browser tests', ffmpeg: true }, (chromium) => {
  let dir: ReturnType<typeof tempDir>;
  let server: RunningServer;
  let person: { personId: string; name: string };
  let pass: HolderPass;

  const startIssuer = (ports: { port: string; devIdpPort: string }) => startDevIssuer(dir.path, ports, { VAXPASS_ADMIN_TOKEN: ADMIN_TOKEN });

  beforeAll(async () => {
    await ensureAppsBuilt();
    dir = tempDir('vaxpass-e2e-');
    server = await startIssuer({ port: '0', devIdpPort: '0' });
    // Find a demo person whose pass the rules accept today, the way the holder app would get it.
    const backend = createNodeCryptoBackend();
    const root = fromBase64Url(((await (await fetch(`${server.url}/api/v1/trust-root`)).json()) as { publicKey: string }).publicKey)!;
    const opened = await openBundle(await (await fetch(`${server.url}/api/v1/trust-bundle`)).text(), { root, now: new Date(), backend });
    if (!opened.ok) throw new Error(`server bundle does not open: ${opened.code}`);
    for (const candidate of DEMO_PEOPLE) {
      const cookie = await signInThroughProvider(server.url, candidate.personId);
      const { passes } = (await (await fetch(`${server.url}/api/v1/holder/passes`, { headers: { Cookie: cookie } })).json()) as { passes: HolderPass[] };
      for (const p of passes) {
        if ((await verify(p.text, opened.bundle, { now: new Date() })).ok) {
          person = candidate;
          pass = p;
          break;
        }
      }
      if (pass) break;
    }
    if (!pass) throw new Error('no demo person has a pass that is valid today');
    const video = writeCameraVideo(dir.path, 'e2e', [qrFrame(pass.text), blankFrame()], [1.5, 0.5], 10);
    await chromium.launch(fakeCameraFlags(video));
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    dir?.remove();
  });

  it('a holder signs in through the real provider (code + PKCE), gets a scannable pass, signs out and keeps it offline', async () => {
    const { context, page } = await chromium.newPage();
    await page.goto(`${server.url}/holder/`);
    await page.click('#sign-in');
    // The dev provider's own page (its issuer, its port): loudly DEV ONLY, one click per person.
    await page.waitForSelector('.banner');
    await expect(page.textContent('.banner')).resolves.toMatch(/DEV ONLY/);
    await page.click(`button[value="${person.personId}"]`);
    await page.waitForSelector(`article.pass[data-pass="${pass.passId}"]`);
    await expect(page.textContent(`article.pass[data-pass="${pass.passId}"] .holder-name`)).resolves.toBe(pass.holder.name);
    await page.click(`article.pass[data-pass="${pass.passId}"] .show-qr`);
    await page.waitForSelector('#qr-screen:not([hidden]) svg');
    const decoded = readQrPng(new Uint8Array(await page.screenshot({ path: artifactPath('e2e-holder-qr.png') })));
    expect(decoded).toEqual({ ok: true, text: pass.text });
    expect(await cspViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    // Only an HttpOnly, SameSite cookie holds the session; no token in any storage scripts can read.
    const session = (await context.cookies(server.url)).find((c) => c.name === 'vaxpass_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: false });
    expect(await page.evaluate(() => document.cookie)).not.toContain('vaxpass_session');
    // (The trust bundle is a JWS too, but a public, signed file; it is not a credential.)
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, 'vaxpass.holder.trust': '' }) + JSON.stringify({ ...sessionStorage }));
    expect(stored).not.toMatch(/eyJ[A-Za-z0-9_-]+\.eyJ/);
    expect(stored).not.toContain(session!.value);
    const databases = await page.evaluate(async () => (await indexedDB.databases()).length);
    expect(databases).toBe(0);

    // Sign-out ends the session on the server; the pass stays, on screen and offline.
    await page.click('#sign-out');
    await page.waitForSelector('#sign-in-again');
    await expect(page.textContent(`article.pass[data-pass="${pass.passId}"] .holder-name`)).resolves.toBe(pass.holder.name);
    expect(((await fetch(`${server.url}/api/v1/holder/passes`, { headers: { Cookie: `vaxpass_session=${session!.value}` } })).status)).toBe(401);
    await context.setOffline(true);
    await page.reload();
    await page.waitForSelector(`article.pass[data-pass="${pass.passId}"]`);
    await context.close();
  }, 60_000);

  it('the scanner verifies that pass from the camera, then shows it revoked after the admin revokes it and the bundle syncs', async () => {
    const { context, page } = await chromium.newPage();
    await page.goto(`${server.url}/scanner/?hold=500`);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await shownVerdict(page, { verdict: 'valid' })).toMatchObject({ name: pass.holder.name, birth: `Born ${pass.holder.birthDate}` });
    await page.screenshot({ path: artifactPath('e2e-scanner-valid.png') });
    const before = await page.textContent('#bundle-info');

    const revoked = await fetch(`${server.url}/api/v1/admin/revocations/passes`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ passId: pass.passId }),
    });
    expect(revoked.status).toBe(201);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.textContent('#bundle-info')).not.toBe(before);
    // The held bundle is fresh, so the scanner caught up with the signed revocation delta only.
    expect(requests).toContain('/api/v1/trust-bundle/revocations');
    expect(requests).not.toContain('/api/v1/trust-bundle');
    expect(await shownVerdict(page, { code: 'PASS_REVOKED' })).toMatchObject({ reason: 'Pass has been revoked' });
    await page.screenshot({ path: artifactPath('e2e-scanner-revoked.png') });
    expect(await cspViolations(page)).toEqual([]);
    await context.close();
  }, 60_000);
  // Runs last: it restarts the issuer (same data directory, keys and ports) under the other tests' feet.
  it('an issuer restart keeps the holder signed in (sessions live in the database), and the pass stays on screen either way', async () => {
    const { context, page } = await chromium.newPage();
    await page.goto(`${server.url}/holder/`);
    await page.click('#sign-in');
    await page.waitForSelector('.banner');
    await page.click(`button[value="${person.personId}"]`);
    // (The earlier test revoked the first pass, so this sign-in may bring a newly issued one.)
    await page.waitForSelector('article.pass');
    const card = `article.pass[data-pass="${await page.getAttribute('article.pass', 'data-pass')}"]`;

    const ports = portsOf(server!);
    await server.close();
    server = await startIssuer(ports);
    expect(server.url).toBe(`http://127.0.0.1:${ports.port}`);

    const status = await page.evaluate(async () => {
      const holder = (globalThis as unknown as { vaxpassHolder: { refresh(): Promise<void>; refreshLog: { status: number | null }[] } }).vaxpassHolder;
      await holder.refresh();
      return holder.refreshLog.at(-1)!.status;
    });
    // Kept: the session row survived the restart. Were it not, the app would have to ask to sign in
    // (#sign-in-again) — never a misleading error, never a screen without the pass.
    expect([200, 304]).toContain(status);
    await expect(page.locator('#sign-in-again').count()).resolves.toBe(0);
    await expect(page.textContent(`${card} .holder-name`)).resolves.toBe(person.name);
    await page.reload();
    await page.waitForSelector(card);
    await expect(page.textContent(`${card} .holder-name`)).resolves.toBe(person.name);
    await context.close();
  }, 60_000);
});
