// The set-up every Chromium suite shares: the skip message where Chromium (or ffmpeg for a fake
// camera) is missing, one browser for the whole file (2-core CI), a fresh context and page per test,
// and the browser closed when the file is done.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, describe } from 'vitest';
import { CHROMIUM_MISSING, FFMPEG_MISSING, launchChromium, newAppContext, warnIfMissing, type AppContextOptions } from './browser.ts';

export interface ChromiumSuiteNeeds {
  /** The name the skip message starts with, e.g. "[holder browser tests] skipped: …". */
  readonly suite: string;
  /** The suite plays a fake camera video (ffmpeg makes it). */
  readonly ffmpeg?: boolean;
  /** Skip for a reason of the suite's own (its own message printed by the suite). */
  readonly skip?: boolean;
}

export interface ChromiumSuite {
  /** Launches the file's browser (once, in beforeAll, when its flags are known); closed after the file. */
  launch(extraFlags?: string[]): Promise<Browser>;
  /** The browser `launch` started. */
  readonly browser: Browser;
  /** A fresh context: profile, storage and service workers of its own (newAppContext). */
  newContext(options?: AppContextOptions): Promise<BrowserContext>;
  /** A fresh context and a page in it. */
  newPage(options?: AppContextOptions): Promise<{ context: BrowserContext; page: Page }>;
}

/** `describe` for a suite in real Chromium: skipped with the usual message where it cannot run. */
export function describeInChromium(title: string, needs: ChromiumSuiteNeeds, body: (chromium: ChromiumSuite) => void): void {
  warnIfMissing(needs.suite, needs.ffmpeg ?? false);
  const skip = CHROMIUM_MISSING || (needs.ffmpeg === true && FFMPEG_MISSING) || needs.skip === true;
  describe.skipIf(skip)(title, () => {
    let browser: Browser | undefined;
    const chromium: ChromiumSuite = {
      async launch(extraFlags = []) {
        browser = await launchChromium(extraFlags);
        return browser;
      },
      get browser() {
        if (!browser) throw new Error('the suite has not launched Chromium yet (call launch() in beforeAll)');
        return browser;
      },
      newContext: (options = {}) => newAppContext(chromium.browser, options),
      async newPage(options = {}) {
        const context = await chromium.newContext(options);
        return { context, page: await context.newPage() };
      },
    };
    body(chromium);
    // Registered after the suite's own hooks, so vitest (after hooks in stack order) closes the
    // browser first: its pages hold keep-alive connections to the servers the suite closes next.
    afterAll(async () => {
      await browser?.close();
    });
  });
}
