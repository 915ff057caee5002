// Launches Debian's Chromium through playwright-core with a fresh profile. Where Chromium is not
// installed the browser suites skip (see CHROMIUM_MISSING) with a message saying how to get it.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type LaunchOptions, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.VAXPASS_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_MISSING = !existsSync(CHROMIUM_PATH);
export const FFMPEG_PATH = '/usr/bin/ffmpeg';
export const FFMPEG_MISSING = !existsSync(FFMPEG_PATH);

export function warnIfMissing(suite: string, needsFfmpeg = false): void {
  if (CHROMIUM_MISSING) console.warn(`[${suite}] skipped: ${CHROMIUM_PATH} not found (apt-get install -y chromium ffmpeg)`);
  else if (needsFfmpeg && FFMPEG_MISSING) console.warn(`[${suite}] skipped: ${FFMPEG_PATH} not found (apt-get install -y ffmpeg)`);
}

/** Flags for a headless, quiet Chromium in a container: no sandbox, GPU, QUIC or background traffic. */
export const BASE_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** Extra flags that feed a video file to getUserMedia as the camera, and grant the permission. */
export function fakeCameraFlags(videoFile: string): string[] {
  return ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${videoFile}`];
}

export async function launchChromium(extraFlags: string[] = [], options: LaunchOptions = {}): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...BASE_FLAGS, ...extraFlags], ...options });
}

export interface AppContextOptions {
  locale?: string;
  viewport?: { width: number; height: number };
}

/** A fresh context (its own profile, storage and service workers) with English UI and a phone-ish viewport. */
export async function newAppContext(browser: Browser, options: AppContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ locale: options.locale ?? 'en-US', viewport: options.viewport ?? { width: 412, height: 860 }, serviceWorkers: 'allow' });
  // Every page records what its Content-Security-Policy blocked (cspViolations reads it).
  await context.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'}`));
  });
  return context;
}

/** What the page's Content-Security-Policy blocked so far (empty when the app passes its policy). */
export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []);
}

export const ARTIFACTS_DIR = resolve(fileURLToPath(new URL('../../test-artifacts', import.meta.url)));

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return join(ARTIFACTS_DIR, name);
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * Takes a page offline the hard way: waits until its service worker controls it, cuts the network
 * and stops the server, then reloads. Returns once the reload was answered by the service worker.
 */
export async function reloadOfflineWithServerStopped(page: Page, context: BrowserContext, server: { close(): Promise<unknown> }): Promise<void> {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await context.setOffline(true);
  await server.close();
  const response = await page.reload();
  if (!response?.fromServiceWorker()) throw new Error('the offline reload was not answered by the service worker');
}
