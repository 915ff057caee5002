// The scanner on a phone held sideways (740×360) in real Chromium: the instruction never covers
// the guide frame, a verdict shows "check photo ID" without scrolling, "Sync now" syncs and says
// how it went, and "Retry camera" starts the camera again after it failed. Frames are decoded in
// the decoder worker. One browser launch for the file (2-core CI).
import { copyFileSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { artifactPath, cspViolations, fakeCameraFlags, tempDir } from '../support/browser.ts';
import { describeInChromium } from '../support/chromium-suite.ts';
import { ensureAppsBuilt } from '../support/build-apps.ts';
import { blankFrame, qrFrame, writeCameraVideo } from '../support/fake-camera.ts';
import { startAppTestServer, type AppTestServer } from '../support/app-test-server.ts';
import { boosterContent, createTrustFixture, type TrustFixture } from '../support/trust-fixture.ts';

const UPDATE_SCREENSHOTS = process.env.VAXPASS_UPDATE_SCREENSHOTS === '1';
const LANDSCAPE = { width: 740, height: 360 };

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const inside = (box: Box, view: { width: number; height: number }) => box.x >= 0 && box.y >= 0 && box.x + box.width <= view.width && box.y + box.height <= view.height;

async function boxOf(page: Page, selector: string): Promise<Box> {
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not rendered`);
  return box;
}

describeInChromium('scanner held sideways in Chromium', { suite: 'scanner landscape browser tests', ffmpeg: true }, (chromium) => {
  let fixture: TrustFixture;
  let server: AppTestServer;
  let dir: ReturnType<typeof tempDir>;

  beforeAll(async () => {
    await ensureAppsBuilt();
    fixture = await createTrustFixture();
    const valid = (await fixture.sign(boosterContent())).text;
    server = await startAppTestServer({ bundle: await fixture.bundle({ version: 2 }), rootPublicKey: Buffer.from(fixture.rootPublicKey).toString('base64url'), people: [] });
    dir = tempDir('vaxpass-landscape-');
    const video = writeCameraVideo(dir.path, 'landscape', [blankFrame(), qrFrame(valid)], [1, 1.5], 10);
    await chromium.launch(fakeCameraFlags(video));
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    dir?.remove();
  });

  it('keeps the instruction off the guide frame and "check photo ID" on screen, decoding in the worker', async () => {
    for (const locale of ['en-US', 'ko-KR']) {
      const { context, page } = await chromium.newPage({ viewport: LANDSCAPE, locale });
      await page.goto(`${server.url}/scanner/?hold=60000`);
      await page.waitForSelector('#camera[data-state="ready"]', { timeout: 30_000 });
      await expect(page.evaluate(() => (window as unknown as { vaxpassScanner: { decoderThread: string } }).vaxpassScanner.decoderThread)).resolves.toBe('worker');
      const guide = await boxOf(page, '#frame-guide');
      const instruction = await boxOf(page, '#camera-status');
      expect(overlaps(guide, instruction), `instruction ${JSON.stringify(instruction)} covers the guide frame ${JSON.stringify(guide)}`).toBe(false);
      expect(inside(guide, LANDSCAPE) && inside(instruction, LANDSCAPE)).toBe(true);
      // Both buttons' row and the code field are reachable in the right-hand column.
      expect(inside(await boxOf(page, '#sync-now'), LANDSCAPE)).toBe(true);
      if (locale === 'en-US') await page.screenshot({ path: artifactPath('scanner-landscape.png') });

      // The pass appears in the camera: VALID, and the last line asks for the photo ID, unscrolled.
      await page.waitForSelector('#result[data-verdict="valid"]:not([hidden])', { timeout: 45_000 });
      const checkId = await boxOf(page, '#result .check-id');
      expect(inside(checkId, LANDSCAPE), `check photo ID at ${JSON.stringify(checkId)}`).toBe(true);
      expect(await page.evaluate(() => document.getElementById('result')!.scrollTop)).toBe(0);
      for (const line of ['.verdict', '.name', '.birth', '.symbol svg']) expect(inside(await boxOf(page, `#result ${line}`), LANDSCAPE), line).toBe(true);
      if (locale === 'en-US') await page.screenshot({ path: artifactPath('scanner-landscape-valid.png') });
      expect(await cspViolations(page)).toEqual([]);
      await context.close();
    }
  }, 120_000);

  it('"Sync now" syncs at once and says how it went, in English and Korean', async () => {
    const { context, page } = await chromium.newPage({ viewport: LANDSCAPE });
    await page.goto(`${server.url}/scanner/?camera=off`);
    await page.waitForSelector('body[data-ready="true"]');
    await expect(page.textContent('#bundle-info')).resolves.toMatch(/^Trust list v2,/);
    await expect(page.textContent('#sync-now')).resolves.toBe('Sync now');
    // A camera switched off on purpose offers no retry.
    await expect(page.isHidden('#retry-camera')).resolves.toBe(true);

    server.state.bundle = await fixture.bundle({ version: 3 });
    const before = server.state.hits.get('/api/v1/trust-bundle') ?? 0;
    await page.click('#sync-now');
    await page.waitForSelector('#sync-result[data-outcome="syncDone"]');
    await expect(page.textContent('#sync-result')).resolves.toBe('Synced: trust list v3');
    await expect(page.textContent('#bundle-info')).resolves.toMatch(/^Trust list v3,/);
    expect(server.state.hits.get('/api/v1/trust-bundle')).toBe(before + 1);

    // The issuer has no bundle to give: the held one stays and the line says the sync failed.
    const saved = server.state.bundle;
    server.state.bundle = null;
    await page.click('#sync-now');
    await page.waitForSelector('#sync-result[data-outcome="syncFailed"]');
    await expect(page.textContent('#sync-result')).resolves.toBe('Sync failed; using the saved trust list');
    await expect(page.textContent('#bundle-info')).resolves.toMatch(/^Trust list v3,/);
    await page.click('#language');
    await expect(page.textContent('#sync-now')).resolves.toBe('지금 동기화');
    await expect(page.textContent('#sync-result')).resolves.toBe('동기화 실패: 저장된 신뢰 목록을 사용합니다');
    server.state.bundle = saved;
    await context.close();
  }, 60_000);

  it('"Retry camera" starts the camera again after it failed, and the next pass scans', async () => {
    const { context, page } = await chromium.newPage({ viewport: LANDSCAPE });
    // The first request for the camera is refused (staff had tapped "Block"), later ones go through.
    await page.addInitScript(() => {
      const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      let calls = 0;
      navigator.mediaDevices.getUserMedia = (constraints) => (++calls === 1 ? Promise.reject(new DOMException('refused', 'NotAllowedError')) : original(constraints));
    });
    await page.goto(`${server.url}/scanner/?hold=60000`);
    await page.waitForSelector('#camera[data-state="denied"]', { timeout: 30_000 });
    await expect(page.textContent('#camera-status')).resolves.toMatch(/^Camera permission denied/);
    await expect(page.textContent('#retry-camera')).resolves.toBe('Retry camera');
    await page.click('#language');
    await expect(page.textContent('#retry-camera')).resolves.toBe('카메라 다시 시도');
    await page.click('#language');
    await page.click('#retry-camera');
    await page.waitForSelector('#camera[data-state="ready"]', { timeout: 30_000 });
    await expect(page.isHidden('#retry-camera')).resolves.toBe(true);
    await page.waitForSelector('#result[data-verdict="valid"]:not([hidden])', { timeout: 45_000 });
    await context.close();
  }, 90_000);

  it('writes the documentation screenshots when asked', () => {
    if (!UPDATE_SCREENSHOTS) return;
    mkdirSync('docs/screenshots', { recursive: true });
    for (const name of ['scanner-landscape.png', 'scanner-landscape-valid.png']) copyFileSync(artifactPath(name), `docs/screenshots/${name}`);
  });
});
