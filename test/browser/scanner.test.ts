// The venue scanner in real Chromium: a fake camera plays pass QR codes (valid, tampered, revoked,
// expired, and a rotated, noisy, small one) and the app must show the right full-screen verdict;
// typed codes, bundle problems (amber), rollback and stale warnings; and offline operation with
// the server stopped. One browser launch for the whole file (2-core CI).
import { copyFileSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { artifactPath, cspViolations, fakeCameraFlags, launchChromium, newAppContext, reloadOfflineWithServerStopped, tempDir } from '../support/browser.ts';
import { describeInChromium } from '../support/chromium-suite.ts';
import { ensureAppsBuilt } from '../support/build-apps.ts';
import { blankFrame, qrFrame, writeCameraVideo } from '../support/fake-camera.ts';
import { startAppTestServer, type AppTestServer } from '../support/app-test-server.ts';
import { openRecordingScanner, waitForVerdicts } from '../support/verdict-recorder.ts';
import { boosterContent, createTrustFixture, recentBoosterContent, tamperSignature, type FixturePass, type TrustFixture } from '../support/trust-fixture.ts';

const DAY = 86_400;
const UPDATE_SCREENSHOTS = process.env.VAXPASS_UPDATE_SCREENSHOTS === '1';

const openScanner = (context: BrowserContext, server: { url: string }, query: string) => openRecordingScanner(context, `${server.url}/scanner/${query}`);

async function typeCode(page: Page, text: string): Promise<void> {
  await page.fill('#manual-code', text);
  await page.click('#manual-check');
  await page.waitForSelector('#result:not([hidden])');
}

describeInChromium('scanner app in Chromium', { suite: 'scanner browser tests', ffmpeg: true }, (chromium) => {
  let fixture: TrustFixture;
  let server: AppTestServer;
  let dir: ReturnType<typeof tempDir>;
  const passes = {} as Record<'valid' | 'small' | 'revoked' | 'expired' | 'korean', FixturePass>;
  let tampered: string;
  const offSiteRequests: string[] = [];

  beforeAll(async () => {
    await ensureAppsBuilt();
    fixture = await createTrustFixture();
    const now = fixture.now;
    passes.valid = await fixture.sign(boosterContent());
    passes.small = await fixture.sign(recentBoosterContent('Kim Min-jun', '1990-11-30', now));
    passes.revoked = await fixture.sign(recentBoosterContent('Lee Seo-yeon', '2001-02-28', now));
    passes.expired = await fixture.sign(recentBoosterContent('Park Ji-hoon', '1977-09-09', now), { iat: now - 40 * DAY, exp: now - DAY });
    passes.korean = await fixture.sign(recentBoosterContent('홍길동', '1968-05-02', now));
    tampered = tamperSignature((await fixture.sign(recentBoosterContent('Choi Yu-na', '1995-04-17', now))).text);
    server = await startAppTestServer({
      bundle: await fixture.bundle({ version: 2, revokedPasses: [passes.revoked.passId] }),
      rootPublicKey: Buffer.from(fixture.rootPublicKey).toString('base64url'),
      people: [],
    });
    dir = tempDir('vaxpass-camera-');
    // One looping video with every case: each code for 1.2 s, a blank table for 0.8 s between.
    const blank = blankFrame();
    const frames = [
      qrFrame(passes.valid.text),
      blank,
      qrFrame(tampered),
      blank,
      qrFrame(passes.revoked.text),
      blank,
      qrFrame(passes.expired.text),
      blank,
      qrFrame(passes.small.text, { size: 200, rotate: 23, noise: 18, background: 150 }),
      blank,
    ];
    const video = writeCameraVideo(dir.path, 'cases', frames, frames.map((_, i) => (i % 2 === 0 ? 1.2 : 0.8)), 10);
    await chromium.launch(fakeCameraFlags(video));
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    dir?.remove();
  });

  it('verifies codes from the camera: valid, tampered, revoked, expired, and a rotated noisy small code', async () => {
    const context = await chromium.newContext();
    context.on('request', (request) => {
      if (!request.url().startsWith(server.url)) offSiteRequests.push(request.url());
    });
    const page = await openScanner(context, server, '?hold=500');
    const seen = await waitForVerdicts(
      page,
      (s) =>
        s.some((v) => v.verdict === 'valid' && v.name === 'Maria Gonzalez Lopez') &&
        s.some((v) => v.verdict === 'valid' && v.name === 'Kim Min-jun') &&
        s.some((v) => v.code === 'BAD_SIGNATURE') &&
        s.some((v) => v.code === 'PASS_REVOKED') &&
        s.some((v) => v.code === 'EXPIRED'),
      45_000,
    );
    await page.screenshot({ path: artifactPath('scanner-camera.png') });
    const hooks = await page.evaluate(async () => {
      const h = (window as unknown as { vaxpassScanner: { decoder: string; backend: string; scans: { decoder: string; totalMs: number }[] } }).vaxpassScanner;
      const cached = await Promise.all((await caches.keys()).map(async (name) => (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname)));
      return {
        decoder: h.decoder,
        backend: h.backend,
        scans: h.scans.length,
        storage: Object.keys(localStorage),
        session: sessionStorage.length,
        databases: (await indexedDB.databases()).length,
        cached: cached.flat(),
      };
    });
    expect(seen.find((v) => v.name === 'Maria Gonzalez Lopez')?.verdict).toBe('valid');
    expect(seen.find((v) => v.code === 'BAD_SIGNATURE')).toMatchObject({ verdict: 'invalid', name: '', reason: expect.stringMatching(/signature/i) });
    expect(seen.find((v) => v.code === 'PASS_REVOKED')).toMatchObject({ verdict: 'invalid', name: '', reason: 'Pass has been revoked' });
    expect(seen.find((v) => v.code === 'EXPIRED')).toMatchObject({ verdict: 'invalid', reason: 'Pass has expired' });
    expect(seen.some((v) => v.verdict === 'valid' && v.name === 'Kim Min-jun')).toBe(true);
    // Nothing but the live verdicts: no other outcome was ever shown.
    expect(new Set(seen.map((v) => v.code ?? v.name))).toEqual(new Set(['Maria Gonzalez Lopez', 'Kim Min-jun', 'BAD_SIGNATURE', 'PASS_REVOKED', 'EXPIRED']));
    expect(hooks).toMatchObject({ decoder: 'zxing-wasm', backend: 'webcrypto' });
    // Stores nothing it scanned: only the trust bundle (and the pinned root with it), the time mark (a number) and the language choice.
    expect(hooks.storage.sort()).toEqual(['vaxpass.scanner.timeMark', 'vaxpass.scanner.trust']);
    expect(hooks).toMatchObject({ session: 0, databases: 0 });
    // The service worker's cache holds the app's own files, never an API answer.
    expect(hooks.cached.every((path) => path.startsWith('/scanner/'))).toBe(true);
    // zxing's wasm and everything else came from this origin (no CDN).
    expect(offSiteRequests).toEqual([]);
    // The page ran under the production Content-Security-Policy and Permissions-Policy (camera for the scanner only) without a violation.
    expect(await cspViolations(page)).toEqual([]);
    expect(await page.evaluate(() => fetch(location.href).then((r) => r.headers.get('permissions-policy')))).toMatch(/^camera=\(self\), geolocation=\(\)/);
    await context.close();
  }, 90_000);

  it('falls back to the pure-JS decoder (jsQR) and still reads the camera', async () => {
    const context = await chromium.newContext();
    const page = await openScanner(context, server, '?decoder=jsqr&hold=500');
    const seen = await waitForVerdicts(page, (s) => s.some((v) => v.name === 'Maria Gonzalez Lopez'), 30_000);
    expect(seen.find((v) => v.name === 'Maria Gonzalez Lopez')?.verdict).toBe('valid');
    await expect(page.evaluate(() => (window as unknown as { vaxpassScanner: { decoder: string } }).vaxpassScanner.decoder)).resolves.toBe('jsqr');
    await context.close();
  }, 60_000);

  it('checks a typed code, translates reasons into Korean, and clears the verdict', async () => {
    const context = await chromium.newContext();
    const page = await openScanner(context, server, '?camera=off&hold=60000');
    await typeCode(page, passes.valid.text);
    await expect(page.textContent('#result .verdict')).resolves.toBe('VALID');
    await expect(page.textContent('#result .name')).resolves.toBe('Maria Gonzalez Lopez');
    await expect(page.textContent('#result .birth')).resolves.toBe('Born 1985-03-14');
    await expect(page.textContent('#result .check-id')).resolves.toMatch(/photo ID/);
    await expect(page.locator('#result .symbol polyline').count()).resolves.toBe(1);
    await expect(page.inputValue('#manual-code')).resolves.toBe('');
    await page.screenshot({ path: artifactPath('scanner-valid.png') });
    await page.click('#result');
    await expect(page.isHidden('#result')).resolves.toBe(true);

    await typeCode(page, tampered);
    await expect(page.getAttribute('#result', 'data-verdict')).resolves.toBe('invalid');
    await expect(page.locator('#result .symbol polyline').count()).resolves.toBe(0);
    await page.screenshot({ path: artifactPath('scanner-invalid.png') });
    // Escape dismisses too (keyboard); focus stays in the form for the next code.
    await page.keyboard.press('Escape');
    await expect(page.isHidden('#result')).resolves.toBe(true);
    await expect(page.evaluate(() => document.activeElement?.closest('#manual') !== null)).resolves.toBe(true);
    await page.click('#language');
    await typeCode(page, passes.expired.text);
    await expect(page.textContent('#result .verdict')).resolves.toBe('유효하지 않음');
    await expect(page.textContent('#result .reason')).resolves.toBe('만료된 증명서입니다');
    await page.click('#result');
    // Some other code is no pass at all (neutral screen); a pass's prefix with a damaged body is MALFORMED.
    await typeCode(page, 'hello');
    await expect(page.getAttribute('#result', 'data-code')).resolves.toBe('NOT_A_PASS');
    await page.click('#result');
    await typeCode(page, 'VP1:HELLO');
    await expect(page.getAttribute('#result', 'data-code')).resolves.toBe('MALFORMED');
    await page.click('#result');
    await typeCode(page, passes.korean.text);
    await expect(page.textContent('#result .name')).resolves.toBe('홍길동');
    await expect(page.textContent('#result .verdict')).resolves.toBe('유효');
    await page.screenshot({ path: artifactPath('scanner-valid-ko.png') });
    await context.close();

    // The verdict clears itself, leaving nothing of the holder on screen.
    const quick = await chromium.newContext();
    const short = await openScanner(quick, server, '?camera=off&hold=800');
    await typeCode(short, passes.valid.text);
    await short.waitForSelector('#result', { state: 'hidden', timeout: 3000 });
    await expect(short.textContent('#result')).resolves.not.toMatch(/Maria/);
    await quick.close();
    if (UPDATE_SCREENSHOTS) {
      mkdirSync('docs/screenshots', { recursive: true });
      copyFileSync(artifactPath('scanner-valid.png'), 'docs/screenshots/scanner-valid.png');
      copyFileSync(artifactPath('scanner-invalid.png'), 'docs/screenshots/scanner-invalid.png');
      copyFileSync(artifactPath('scanner-valid-ko.png'), 'docs/screenshots/scanner-valid-ko.png');
    }
  }, 60_000);

  it('shows AMBER without a usable bundle, refuses rollback and warns about a stale bundle and a clock behind it', async () => {
    const saved = server.state.bundle;
    try {
      // No bundle at all: cannot verify.
      server.state.bundle = null;
      let context = await chromium.newContext();
      let page = await openScanner(context, server, '?camera=off&hold=60000');
      await expect(page.getAttribute('#bundle-info', 'data-problem')).resolves.toBe('true');
      await typeCode(page, passes.valid.text);
      await expect(page.getAttribute('#result', 'data-verdict')).resolves.toBe('cannot-verify');
      await page.screenshot({ path: artifactPath('scanner-amber.png') });
      await context.close();

      // An expired bundle is refused by openBundle: cannot verify, with the reason.
      server.state.bundle = await fixture.bundle({ version: 3, issuedAt: fixture.now - 9 * DAY, expiresAt: fixture.now - DAY });
      context = await chromium.newContext();
      page = await openScanner(context, server, '?camera=off&hold=60000');
      await typeCode(page, passes.valid.text);
      await expect(page.getAttribute('#result', 'data-code')).resolves.toBe('BUNDLE_EXPIRED');
      await context.close();

      // Held v5 (30 h old: stale); the server then offers v4: rollback refused, v5 kept and still used.
      server.state.bundle = await fixture.bundle({ version: 5, issuedAt: fixture.now - 30 * 3600 });
      context = await chromium.newContext();
      page = await openScanner(context, server, '?camera=off&hold=60000');
      await expect(page.textContent('#bundle-info')).resolves.toMatch(/^Trust list v5, 30 h old$/);
      await expect(page.textContent('#warnings')).resolves.toMatch(/more than 24 h old/);
      await page.screenshot({ path: artifactPath('scanner-stale-warning.png') });
      if (UPDATE_SCREENSHOTS) copyFileSync(artifactPath('scanner-stale-warning.png'), 'docs/screenshots/scanner-status.png');
      server.state.bundle = await fixture.bundle({ version: 4, revokedPasses: [passes.valid.passId] });
      await page.reload();
      await page.waitForSelector('body[data-ready="true"]');
      await expect(page.textContent('#warnings')).resolves.toMatch(/older trust list; kept v5/);
      await typeCode(page, passes.valid.text);
      await expect(page.getAttribute('#result', 'data-verdict')).resolves.toBe('valid');
      await context.close();

      // A bundle issued an hour "in the future" of this device: the clock is behind.
      server.state.bundle = await fixture.bundle({ version: 6, issuedAt: fixture.now + 3600 });
      context = await chromium.newContext();
      page = await openScanner(context, server, '?camera=off&hold=60000');
      await expect(page.textContent('#warnings')).resolves.toMatch(/Device clock is behind the latest time/);
      await context.close();
    } finally {
      server.state.bundle = saved;
    }
  }, 60_000);

  it('draws the name in its own bounded single-line box, unlike the verdict, cut with an ellipsis', async () => {
    // 80 characters, the longest name a pass may carry.
    const longName = 'Maria Guadalupe Fernandez de la Cruz Gonzalez Lopez Martinez Rodriguez Sanchez Y';
    expect([...longName]).toHaveLength(80);
    const long = await fixture.sign(recentBoosterContent(longName, '1985-03-14', fixture.now));
    const context = await chromium.newContext();
    const page = await openScanner(context, server, '?camera=off&hold=60000');
    await typeCode(page, long.text);
    await expect(page.getAttribute('#result', 'data-verdict')).resolves.toBe('valid');
    const box = await page.evaluate(() => {
      const name = document.querySelector<HTMLElement>('#result .name')!;
      const verdict = document.querySelector<HTMLElement>('#result .verdict')!;
      const style = getComputedStyle(name);
      const rect = name.getBoundingClientRect();
      return {
        whiteSpace: style.whiteSpace,
        textOverflow: style.textOverflow,
        overflow: style.overflow,
        border: style.borderTopStyle,
        lighter: Number(style.fontWeight) < Number(getComputedStyle(verdict).fontWeight),
        smaller: parseFloat(style.fontSize) < parseFloat(getComputedStyle(verdict).fontSize),
        truncated: name.scrollWidth > name.clientWidth,
        oneLine: rect.height < parseFloat(style.fontSize) * 2,
        inside: rect.left >= 0 && rect.right <= window.innerWidth,
      };
    });
    expect(box).toEqual({ whiteSpace: 'nowrap', textOverflow: 'ellipsis', overflow: 'hidden', border: 'dashed', lighter: true, smaller: true, truncated: true, oneLine: true, inside: true });
    await context.close();
  }, 60_000);

  it('a device clock set back cannot revive a pass that expired after the bundle was issued (time mark, persisted)', async () => {
    const saved = server.state.bundle;
    const now = fixture.now;
    // Expired an hour ago, after the bundle (issued two hours ago): the bundle floor alone would let a clock set to 90 min ago accept it.
    const lapsed = await fixture.sign(recentBoosterContent('Jung Ha-eun', '1999-09-09', now), { iat: now - 3 * 3600, exp: now - 3600 });
    const setBack = new Date((now - 90 * 60) * 1000);
    try {
      server.state.bundle = await fixture.bundle({ version: 9, issuedAt: now - 2 * 3600 });
      let context = await chromium.newContext();
      let page = await openScanner(context, server, '?camera=off&hold=60000');
      await typeCode(page, lapsed.text);
      await expect(page.getAttribute('#result', 'data-code')).resolves.toBe('EXPIRED');
      // The clock is set back and the issuer cannot be reached: the persisted mark decides.
      server.state.bundle = null;
      await page.clock.setFixedTime(setBack);
      await page.reload();
      await page.waitForSelector('body[data-ready="true"]');
      await expect(page.evaluate(() => Date.now())).resolves.toBe(setBack.getTime());
      await typeCode(page, lapsed.text);
      await expect(page.getAttribute('#result', 'data-code')).resolves.toBe('EXPIRED');
      await expect(page.textContent('#warnings li:first-child')).resolves.toMatch(/Device clock is behind the latest time/);
      await expect(page.getAttribute('body', 'data-clock-behind')).resolves.toBe('');
      await context.close();

      // A fresh scanner whose clock was set back before it ever ran: the server's Date on the first sync is the mark.
      server.state.bundle = await fixture.bundle({ version: 9, issuedAt: now - 2 * 3600 });
      context = await chromium.newContext();
      await context.clock.setFixedTime(setBack);
      page = await openScanner(context, server, '?camera=off&hold=60000');
      await typeCode(page, lapsed.text);
      await expect(page.getAttribute('#result', 'data-code')).resolves.toBe('EXPIRED');
      await expect(page.textContent('#warnings')).resolves.toMatch(/Device clock is behind the latest time/);
      await context.close();
    } finally {
      server.state.bundle = saved;
    }
  }, 60_000);

  it('catches up with a signed revocation delta instead of the full bundle, and keeps it across restarts', async () => {
    const savedBundle = server.state.bundle;
    try {
      server.state.bundle = await fixture.bundle({ version: 7 });
      const context = await chromium.newContext();
      const page = await openScanner(context, server, '?camera=off&hold=60000');
      await expect(page.textContent('#bundle-info')).resolves.toMatch(/^Trust list v7,/);
      await typeCode(page, passes.korean.text);
      await expect(page.getAttribute('#result', 'data-verdict')).resolves.toBe('valid');
      await page.click('#result');
      const fullDownloads = server.state.hits.get('/api/v1/trust-bundle') ?? 0;
      server.state.revocationDelta = await fixture.delta(7, 8, [passes.korean.passId]);
      await page.reload();
      await page.waitForSelector('body[data-ready="true"]');
      await expect(page.textContent('#bundle-info')).resolves.toMatch(/^Trust list v8,/);
      expect(server.state.hits.get('/api/v1/trust-bundle') ?? 0).toBe(fullDownloads);
      await typeCode(page, passes.korean.text);
      await expect(page.getAttribute('#result', 'data-code')).resolves.toBe('PASS_REVOKED');
      // Restart with the server unable to answer: the stored delta is applied again.
      server.state.revocationDelta = null;
      server.state.bundle = null;
      await page.reload();
      await page.waitForSelector('body[data-ready="true"]');
      await typeCode(page, passes.korean.text);
      await expect(page.getAttribute('#result', 'data-code')).resolves.toBe('PASS_REVOKED');
      await context.close();
    } finally {
      server.state.bundle = savedBundle;
      server.state.revocationDelta = null;
    }
  }, 60_000);

  it('says so when the camera permission is refused (typed codes still work) and when the page is not on HTTPS', async () => {
    // A browser with a camera but no auto-granted permission: headless Chromium refuses it.
    const refusing = await launchChromium(['--use-fake-device-for-media-stream', '--host-resolver-rules=MAP venue.test 127.0.0.1']);
    try {
      const context = await newAppContext(refusing);
      const page = await openScanner(context, server, '?hold=60000');
      await page.waitForSelector('#camera[data-state="denied"]');
      await expect(page.textContent('#camera-status')).resolves.toMatch(/permission denied/);
      await expect(page.isVisible('#frame-guide')).resolves.toBe(false);
      await typeCode(page, passes.valid.text);
      await expect(page.getAttribute('#result', 'data-verdict')).resolves.toBe('valid');
      // Plain http on a non-local name: no camera, no WebCrypto. The scanner says why at the top.
      const insecure = await openScanner(context, { ...server, url: server.url.replace('127.0.0.1', 'venue.test') }, '');
      await insecure.waitForSelector('#camera[data-state="insecure"]');
      await expect(insecure.textContent('#warnings li:first-child')).resolves.toMatch(/not on HTTPS/);
    } finally {
      await refusing.close();
    }
  }, 30_000);

  it('keeps scanning and verifying offline with the server stopped (service worker)', async () => {
    const context = await chromium.newContext();
    const page = await openScanner(context, server, '?hold=500');
    await reloadOfflineWithServerStopped(page, context, server);
    await page.waitForSelector('body[data-ready="true"]');
    const seen = await waitForVerdicts(page, (s) => s.some((v) => v.verdict === 'valid' && v.name === 'Maria Gonzalez Lopez') && s.some((v) => v.code === 'PASS_REVOKED'), 30_000);
    expect(seen.some((v) => v.verdict === 'valid' && v.name === 'Maria Gonzalez Lopez')).toBe(true);
    expect(seen.some((v) => v.code === 'PASS_REVOKED')).toBe(true);
    await expect(page.textContent('#warnings')).resolves.toMatch(/Offline/);
    await page.screenshot({ path: artifactPath('scanner-offline.png') });
    await context.close();
  }, 60_000);
});
