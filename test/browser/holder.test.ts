// The holder app in real Chromium against the stand-in issuer API: sign in through the dev
// identity provider, keep passes on the device, show a scannable full-screen QR, print layouts,
// background refresh that honours Retry-After and never hides the pass, offline start, Korean,
// and the venue check on each card (the scanner's verify against the cached trust bundle).
import { copyFileSync, mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { artifactPath, cspViolations, reloadOfflineWithServerStopped } from '../support/browser.ts';
import { describeInChromium } from '../support/chromium-suite.ts';
import { ensureAppsBuilt } from '../support/build-apps.ts';
import { holderPassJson, startAppTestServer, type AppTestServer } from '../support/app-test-server.ts';
import { readQrPng } from '../../src/qr/read-qr-image.ts';
import { boosterContent, createTrustFixture, singleDoseContent, type FixturePass } from '../support/trust-fixture.ts';

const UPDATE_SCREENSHOTS = process.env.VAXPASS_UPDATE_SCREENSHOTS === '1';

function decodeQr(png: Buffer): string | null {
  const result = readQrPng(new Uint8Array(png));
  return result.ok ? result.text : null;
}

type RefreshLog = { status: number | null; delayMs: number }[];
const refreshLog = (page: Page) => page.evaluate(() => (window as unknown as { vaxpassHolder: { refreshLog: RefreshLog } }).vaxpassHolder.refreshLog);
const refreshNow = (page: Page) => page.evaluate(() => (window as unknown as { vaxpassHolder: { refresh(): Promise<void> } }).vaxpassHolder.refresh());
const syncTrust = (page: Page) => page.evaluate(() => (window as unknown as { vaxpassHolder: { syncTrust(): Promise<void> } }).vaxpassHolder.syncTrust());

describeInChromium('holder app in Chromium', { suite: 'holder browser tests' }, (chromium) => {
  let server: AppTestServer;
  let pass: FixturePass;
  let pastRules: FixturePass;

  beforeAll(async () => {
    await ensureAppsBuilt();
    const fixture = await createTrustFixture();
    pass = await fixture.sign(boosterContent());
    // Janssen 300 days ago: the pass itself runs another year, but the 180-day window has closed.
    pastRules = await fixture.sign(singleDoseContent('Kim Min-jun', '1990-11-30', 300, fixture.now));
    server = await startAppTestServer({
      bundle: await fixture.bundle(),
      rootPublicKey: Buffer.from(fixture.rootPublicKey).toString('base64url'),
      people: [
        { personId: 'person-maria', name: 'Maria Gonzalez Lopez', passes: [holderPassJson(pass)] },
        { personId: 'person-kim', name: 'Kim Min-jun', passes: [holderPassJson(pastRules)] },
      ],
    });
    await chromium.launch();
  }, 120_000);

  afterAll(async () => {
    await server?.close();
  });

  it('signs in, keeps the pass, shows a scannable full-screen QR and print layouts; survives failed refreshes and works offline', async () => {
    const { context, page } = await chromium.newPage();
    await page.goto(`${server.url}/holder/`);
    await page.click('#sign-in');
    await page.click('button[data-person="person-maria"]');
    await page.waitForSelector('article.pass');
    await expect(page.textContent('.pass .holder-name')).resolves.toBe('Maria Gonzalez Lopez');
    await expect(page.textContent('.pass .holder-birth')).resolves.toBe('1985-03-14');
    // The scanner's decision, not the pass's own expiry, says whether venues accept it.
    await page.waitForSelector('.pass .venue-status[data-kind="accepted"]');
    await expect(page.textContent('.pass .venue-status')).resolves.toMatch(/^✓Accepted at venues until \d{4}-\d{2}-\d{2}$/);
    await expect(page.textContent('.pass dt.secondary')).resolves.toBe('Pass expires');
    await page.screenshot({ path: artifactPath('holder.png') });

    // Full-screen QR: high contrast, brightness hint, decodes to the pass text.
    await page.click('.pass .show-qr');
    await page.waitForSelector('#qr-screen:not([hidden]) svg');
    await expect(page.textContent('#qr-screen .hint')).resolves.toMatch(/brightness/);
    const shot = await page.screenshot({ path: artifactPath('holder-qr.png') });
    expect(decodeQr(shot)).toBe(pass.text);
    // Keyboard users land on Close; a phone held sideways still shows the whole code.
    await expect(page.evaluate(() => document.activeElement?.className)).resolves.toBe('close');
    await page.setViewportSize({ width: 640, height: 360 });
    const code = (await page.locator('#qr-screen .code').boundingBox())!;
    expect(code.y).toBeGreaterThanOrEqual(0);
    expect(code.y + code.height).toBeLessThanOrEqual(360);
    expect(decodeQr(await page.screenshot())).toBe(pass.text);
    await page.setViewportSize({ width: 412, height: 860 });
    await page.keyboard.press('Escape');
    await expect(page.isHidden('#qr-screen')).resolves.toBe(true);
    await page.waitForFunction(() => document.activeElement?.classList.contains('show-qr'), undefined, { timeout: 2000 });

    // Printable pages (print CSS): card and A4, QR at level Q, name, birth date, issuer.
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: 794, height: 1123 });
    for (const layout of ['card', 'a4'] as const) {
      await page.evaluate(([id, l]) => (window as unknown as { vaxpassHolder: { renderPrintSheet(id: string, l: string): Promise<void> } }).vaxpassHolder.renderPrintSheet(id!, l!), [pass.passId, layout]);
      const printed = await page.screenshot({ path: artifactPath(`holder-print-${layout}.png`) });
      expect(decodeQr(printed)).toBe(pass.text);
      await expect(page.textContent('#print-sheet')).resolves.toMatch(/Maria Gonzalez Lopez.*1985-03-14.*Issuer: KDCA/);
    }
    await page.emulateMedia({ media: 'screen' });
    await page.setViewportSize({ width: 412, height: 860 });

    // 429 with Retry-After: the app waits at least that long, and the pass stays on screen.
    server.state.passesFailure = { status: 429, retryAfter: '120' };
    await refreshNow(page);
    let log = await refreshLog(page);
    expect(log.at(-1)).toMatchObject({ status: 429 });
    expect(log.at(-1)!.delayMs).toBeGreaterThanOrEqual(120_000);
    await expect(page.textContent('#status')).resolves.toMatch(/Could not refresh; showing your saved passes/);
    await expect(page.textContent('.pass .holder-name')).resolves.toBe('Maria Gonzalez Lopez');
    // 503 without Retry-After: exponential backoff with jitter, at most base·2^attempt (5 s · 2).
    server.state.passesFailure = { status: 503 };
    await refreshNow(page);
    log = await refreshLog(page);
    expect(log.at(-1)).toMatchObject({ status: 503 });
    expect(log.at(-1)!.delayMs).toBeLessThanOrEqual(10_000);
    await page.screenshot({ path: artifactPath('holder-refresh-failed.png') });
    // An expired session (401) keeps the pass and offers to sign in again, without retry storms.
    server.state.passesFailure = { status: 401 };
    await refreshNow(page);
    expect((await refreshLog(page)).at(-1)).toEqual({ status: 401, delayMs: -1 });
    await expect(page.textContent('#status')).resolves.toMatch(/Signed out\. Your passes stay on this phone/);
    await expect(page.textContent('.pass .holder-name')).resolves.toBe('Maria Gonzalez Lopez');
    // Recovery: a 304 keeps the pass and resets the backoff.
    server.state.passesFailure = null;
    await refreshNow(page);
    log = await refreshLog(page);
    expect(log.at(-1)!.status).toBe(304);
    expect(await page.evaluate(() => Object.keys(localStorage).sort())).toEqual(['vaxpass.holder.passes', 'vaxpass.holder.timeMark', 'vaxpass.holder.trust']);
    // No token anywhere the page's scripts can read: the session is an HttpOnly cookie.
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect((await context.cookies()).find((c) => c.name === 'vaxpass_session')).toMatchObject({ httpOnly: true, sameSite: 'Strict' });

    // Offline with the server gone: the service worker serves the app, storage the pass.
    await reloadOfflineWithServerStopped(page, context, server);
    await page.waitForSelector('article.pass');
    await expect(page.textContent('.pass .holder-name')).resolves.toBe('Maria Gonzalez Lopez');
    await page.waitForSelector('#status[data-kind="failed"]');
    await expect(page.textContent('#status')).resolves.toMatch(/Offline: showing your saved passes/);
    // The saved trust bundle still decides offline.
    await page.waitForSelector('.pass .venue-status[data-kind="accepted"]');
    await page.click('.pass .show-qr');
    expect(decodeQr(await page.screenshot())).toBe(pass.text);
    // Under the production Content-Security-Policy: nothing was blocked; no camera for the holder app.
    expect(await cspViolations(page)).toEqual([]);
    expect(await page.evaluate(() => fetch(location.href).then((r) => r.headers.get('permissions-policy')))).toMatch(/^camera=\(\), geolocation=\(\)/);
    await context.close();
    if (UPDATE_SCREENSHOTS) {
      mkdirSync('docs/screenshots', { recursive: true });
      copyFileSync(artifactPath('holder.png'), 'docs/screenshots/holder.png');
      copyFileSync(artifactPath('holder-qr.png'), 'docs/screenshots/holder-qr.png');
    }
  }, 90_000);

  it('starts in Korean for a Korean browser and switches language', async () => {
    const restarted = await startAppTestServer({ ...server.state, people: server.state.people });
    try {
      const { context, page } = await chromium.newPage({ locale: 'ko-KR' });
      await page.goto(`${restarted.url}/holder/`);
      await page.waitForSelector('#sign-in');
      await expect(page.textContent('#view h2')).resolves.toBe('로그인');
      await page.click('#language');
      await expect(page.textContent('#view h2')).resolves.toBe('Sign in');
      await expect(page.textContent('#language')).resolves.toBe('한국어');
      await context.close();

      // A server with no identity provider configured says so, instead of "check the connection".
      const noIdp = await chromium.newContext();
      await noIdp.route('**/api/v1/holder/session', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '{"signedIn":false,"signInAvailable":false}' }));
      const plain = await noIdp.newPage();
      await plain.goto(`${restarted.url}/holder/`);
      await plain.waitForSelector('#view .error');
      await expect(plain.textContent('#view .error')).resolves.toMatch(/no sign-in/);
      await noIdp.close();

      // No trust list yet: the pass still shows, and the app says it cannot tell (not "refused").
      const noBundle = await chromium.newContext();
      await noBundle.route('**/api/v1/trust-bundle', (route) => route.fulfill({ status: 503, contentType: 'application/problem+json', body: '{"status":503}' }));
      const kim = await noBundle.newPage();
      await kim.goto(`${restarted.url}/holder/`);
      await kim.click('#sign-in');
      await kim.click('button[data-person="person-kim"]');
      await kim.waitForSelector('.pass .venue-status[data-kind="unavailable"]');
      await expect(kim.textContent('.pass .holder-name')).resolves.toBe('Kim Min-jun');
      await expect(kim.textContent('.pass .venue-status')).resolves.toMatch(/Venue check unavailable \(trust list not loaded\)/);
      // Once the bundle syncs, the line says what every scanner will say: the rules are not met.
      await noBundle.unroute('**/api/v1/trust-bundle');
      await syncTrust(kim);
      await kim.waitForSelector('.pass .venue-status[data-kind="refused"][data-code="RULES_NOT_MET"]');
      await expect(kim.textContent('.pass .venue-status')).resolves.toBe('✕Not accepted at venues: Pass does not meet the current rules');
      await kim.screenshot({ path: artifactPath('holder-refused.png') });
      if (UPDATE_SCREENSHOTS) copyFileSync(artifactPath('holder-refused.png'), 'docs/screenshots/holder-refused.png');
      await kim.click('#language');
      await expect(kim.textContent('.pass .venue-status')).resolves.toBe('✕시설에서 인정되지 않습니다: 현재 기준을 충족하지 않는 증명서입니다');
      await noBundle.close();
    } finally {
      await restarted.close();
    }
  }, 30_000);
});
