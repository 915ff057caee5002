// The scanner's screens beyond green/red, in real Chromium: a code that is no health pass gets a
// neutral "not a health pass" screen (never red), a newer pass version an amber "update the
// scanner", every verdict names the pass format (and the country when the pass says it), and the
// parts of a multi-part SMART Health Card are collected ("part 1 of 3") and reach verify together.
// From the fake camera and typed; one browser launch for the file (2-core CI).
import { copyFileSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { artifactPath, fakeCameraFlags, tempDir } from '../support/browser.ts';
import { describeInChromium } from '../support/chromium-suite.ts';
import { ensureAppsBuilt } from '../support/build-apps.ts';
import { blankFrame, qrFrame, writeCameraVideo } from '../support/fake-camera.ts';
import { startAppTestServer, type AppTestServer } from '../support/app-test-server.ts';
import { openRecordingScanner, waitForVerdicts } from '../support/verdict-recorder.ts';
import { boosterContent, createTrustFixture, type TrustFixture } from '../support/trust-fixture.ts';

const UPDATE_SCREENSHOTS = process.env.VAXPASS_UPDATE_SCREENSHOTS === '1';

const MENU = 'https://menu.example/cafe?table=7';
/** Synthetic chunks of a 3-part card: only the collecting is the scanner's; verify judges the set. */
const shcPart = (i: number, n = 3) => `shc:/${i}/${n}/${String(i).repeat(6)}56762909524320603460292437404460312229595326`;

const openScanner = (context: BrowserContext, server: AppTestServer, query: string) => openRecordingScanner(context, `${server.url}/scanner/${query}`);

async function typeCode(page: Page, text: string): Promise<void> {
  await page.fill('#manual-code', text);
  await page.click('#manual-check');
}

async function typeAndWaitForVerdict(page: Page, text: string): Promise<void> {
  await typeCode(page, text);
  await page.waitForSelector('#result:not([hidden])');
}

/** The texts of the overlay's non-empty lines, by class. */
async function shownLines(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll<HTMLElement>('#result p')].filter((p) => p.textContent !== '').map((p) => [p.className, p.textContent!])));
}

describeInChromium('scanner screens in Chromium', { suite: 'scanner screen browser tests', ffmpeg: true }, (chromium) => {
  let fixture: TrustFixture;
  let server: AppTestServer;
  let dir: ReturnType<typeof tempDir>;
  let valid: string;

  beforeAll(async () => {
    await ensureAppsBuilt();
    fixture = await createTrustFixture();
    valid = (await fixture.sign(boosterContent())).text;
    server = await startAppTestServer({ bundle: await fixture.bundle({ version: 2 }), rootPublicKey: Buffer.from(fixture.rootPublicKey).toString('base64url'), people: [] });
    dir = tempDir('vaxpass-screens-');
    const blank = blankFrame();
    const frames = [qrFrame(MENU), blank, qrFrame(valid.replace(/^VP1:/, 'VP2:')), blank, qrFrame(shcPart(1)), blank, qrFrame(shcPart(2)), blank, qrFrame(shcPart(3)), blank];
    const video = writeCameraVideo(dir.path, 'screens', frames, frames.map((_, i) => (i % 2 === 0 ? 1.2 : 0.6)), 10);
    await chromium.launch(fakeCameraFlags(video));
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    dir?.remove();
  });

  it('from the camera: a menu code is not a pass, a newer version cannot be verified, and three SHC parts are verified together', async () => {
    const context = await chromium.newContext();
    const page = await openScanner(context, server, '?hold=500');
    const seen = await waitForVerdicts(page, (s) => s.some((v) => v.code === 'NOT_A_PASS') && s.some((v) => v.code === 'UNSUPPORTED_VERSION') && s.some((v) => v.texts === 3), 45_000);
    expect(seen.find((v) => v.code === 'NOT_A_PASS')).toMatchObject({ verdict: 'not-a-pass', texts: 1 });
    expect(seen.find((v) => v.code === 'UNSUPPORTED_VERSION')).toMatchObject({ verdict: 'cannot-verify', texts: 1 });
    // The card's parts were never verified one by one: every SHC verdict came from the whole set.
    const card = seen.filter((v) => v.code !== 'NOT_A_PASS' && v.code !== 'UNSUPPORTED_VERSION');
    expect(card.length).toBeGreaterThan(0);
    expect(card.every((v) => v.texts === 3 && v.verdict !== 'valid')).toBe(true);
    await context.close();
  }, 90_000);

  it('shows a neutral "not a health pass" screen that asks for the pass, never red', async () => {
    const context = await chromium.newContext();
    const page = await openScanner(context, server, '?camera=off&hold=60000');
    await typeAndWaitForVerdict(page, MENU);
    await expect(page.getAttribute('#result', 'data-verdict')).resolves.toBe('not-a-pass');
    expect(await shownLines(page)).toEqual({
      verdict: 'NOT A HEALTH PASS',
      reason: 'This code is not a health pass',
      next: expect.stringMatching(/^Ask the visitor to open their vaccination or test pass/),
      dismiss: 'Tap to dismiss',
    });
    const colours = await page.evaluate(() => getComputedStyle(document.getElementById('result')!).backgroundColor);
    const [r, g, b] = colours.match(/\d+/g)!.map(Number);
    // Neutral: no channel dominates (the refusal red is rgb(183, 28, 28)).
    expect(Math.max(r!, g!, b!) - Math.min(r!, g!, b!)).toBeLessThan(60);
    await expect(page.locator('#result .symbol path').count()).resolves.toBe(1);
    await page.screenshot({ path: artifactPath('scanner-not-a-pass.png') });
    await page.click('#result');
    await page.click('#language');
    await typeAndWaitForVerdict(page, MENU);
    await expect(page.textContent('#result .verdict')).resolves.toBe('건강 증명서 아님');
    await context.close();
  }, 60_000);

  it('shows amber "update the scanner" for a newer pass version', async () => {
    const context = await chromium.newContext();
    const page = await openScanner(context, server, '?camera=off&hold=60000');
    await typeAndWaitForVerdict(page, valid.replace(/^VP1:/, 'VP2:'));
    await expect(page.getAttribute('#result', 'data-verdict')).resolves.toBe('cannot-verify');
    await expect(page.getAttribute('#result', 'data-code')).resolves.toBe('UNSUPPORTED_VERSION');
    const lines = await shownLines(page);
    expect(lines).toMatchObject({ verdict: 'CANNOT VERIFY', format: 'vaxpass', reason: expect.stringMatching(/^Update the scanner/), next: expect.stringMatching(/^The visitor did nothing wrong/) });
    expect(lines.name).toBeUndefined();
    await page.screenshot({ path: artifactPath('scanner-update.png') });
    await context.close();
  }, 60_000);

  it('shows the format (and country) with the verdict, and nothing but name and birth date of the holder', async () => {
    const context = await chromium.newContext();
    const page = await openScanner(context, server, '?camera=off&hold=60000');
    await typeAndWaitForVerdict(page, valid);
    expect(await shownLines(page)).toEqual({
      verdict: 'VALID',
      format: 'vaxpass',
      name: 'Maria Gonzalez Lopez',
      birth: 'Born 1985-03-14',
      'check-id': expect.stringMatching(/photo ID/),
      dismiss: 'Tap to dismiss',
    });
    await page.click('#result');
    // A foreign pass's result as the core returns it (the layout is the scanner's; the foreign
    // formats verify in the core): the format's public name and the country in the reader's language.
    const euResult = { ok: true, format: 'eu-dcc', country: 'AT', holder: { name: 'Gabriele Musterfrau', birthDate: '1998-02-26' }, passType: 'vaccination', validUntil: fixture.now + 86_400, rule: 'vaccination.booster', kid: 'k', issuer: 'AT', passId: 'p', bundleVersion: 2, decidedAt: fixture.now };
    await page.evaluate((result) => (window as unknown as { vaxpassScanner: { showResult: (r: unknown) => void } }).vaxpassScanner.showResult(result), euResult);
    await expect(page.textContent('#result .format')).resolves.toBe('EU Digital COVID Certificate · Austria');
    await page.screenshot({ path: artifactPath('scanner-valid-eu.png') });
    await page.click('#result');
    await page.click('#language');
    await page.evaluate((result) => (window as unknown as { vaxpassScanner: { showResult: (r: unknown) => void } }).vaxpassScanner.showResult(result), { ok: false, code: 'EXPIRED', message: 'x', format: 'nzcp', country: 'NZ' });
    expect(await shownLines(page)).toMatchObject({ verdict: '유효하지 않음', format: '뉴질랜드 COVID 패스 · 뉴질랜드', reason: '만료된 증명서입니다' });
    await context.close();
  }, 60_000);

  it('collects the parts of a SMART Health Card typed one by one: part i of n, reset on another card or after a pause', async () => {
    const context = await chromium.newContext();
    const page = await openScanner(context, server, '?camera=off&hold=60000');
    await typeCode(page, shcPart(1));
    await expect(page.waitForSelector('#parts:not([hidden])').then((e) => e.textContent())).resolves.toMatch(/part 1 of 3 scanned; 1 of 3 parts so far/);
    await expect(page.isHidden('#result')).resolves.toBe(true);
    await page.screenshot({ path: artifactPath('scanner-parts.png') });
    await page.click('#language');
    await expect(page.textContent('#parts')).resolves.toMatch(/3개 중 1번째 코드를 읽었습니다/);
    await page.click('#language');
    await typeCode(page, shcPart(3));
    await expect(page.textContent('#parts')).resolves.toMatch(/part 3 of 3 scanned; 2 of 3 parts so far/);
    await typeAndWaitForVerdict(page, shcPart(2));
    await expect(page.isHidden('#parts')).resolves.toBe(true);
    await expect(page.evaluate(() => (window as unknown as { vaxpassScanner: { lastVerifiedTexts: number } }).vaxpassScanner.lastVerifiedTexts)).resolves.toBe(3);
    await expect(page.getAttribute('#result', 'data-verdict')).resolves.not.toBe('valid');
    await page.close();

    // Parts wait 1.5 s here. A part of another card (another count) starts over at once.
    const quick = await openScanner(context, server, '?camera=off&hold=60000&parts=1500');
    await typeCode(quick, shcPart(1));
    await typeCode(quick, shcPart(2, 2));
    await expect(quick.textContent('#parts')).resolves.toMatch(/part 2 of 2 scanned; 1 of 2 parts so far/);
    // The visitor walks away: after the pause the parts are forgotten and the line goes.
    await quick.waitForSelector('#parts', { state: 'hidden', timeout: 10_000 });
    await typeCode(quick, shcPart(1, 2));
    await expect(quick.textContent('#parts')).resolves.toMatch(/part 1 of 2 scanned; 1 of 2 parts so far/);
    await context.close();
  }, 60_000);

  it('writes the documentation screenshots when asked', () => {
    if (!UPDATE_SCREENSHOTS) return;
    mkdirSync('docs/screenshots', { recursive: true });
    for (const name of ['scanner-not-a-pass.png', 'scanner-update.png', 'scanner-parts.png', 'scanner-valid-eu.png']) copyFileSync(artifactPath(name), `docs/screenshots/${name}`);
  });
});
