// Records every verdict the scanner's overlay shows, from the test side (the app itself keeps
// nothing): a camera scan can show and hide a verdict between two polls of the test, so a
// MutationObserver in the page keeps each one.
import type { BrowserContext, Page } from 'playwright-core';

export interface SeenVerdict {
  verdict: string;
  code: string | null;
  /** The holder's name line (empty on a failure). */
  name: string;
  reason: string;
  /** The pass format line, e.g. "EU DCC · Germany". */
  format: string;
  /** How many scanned texts went into this verdict (3 for a whole 3-part SMART Health Card). */
  texts: number;
}

/** Runs inside the page (addInitScript), so it refers to nothing outside itself. */
const RECORD_VERDICTS = () => {
  const seen: SeenVerdict[] = [];
  (window as unknown as { __seen: SeenVerdict[] }).__seen = seen;
  document.addEventListener('DOMContentLoaded', () => {
    const overlay = document.getElementById('result')!;
    new MutationObserver(() => {
      if (overlay.hidden || !overlay.dataset.verdict) return;
      const text = (s: string) => overlay.querySelector(s)?.textContent ?? '';
      const texts = (window as unknown as { vaxpassScanner: { lastVerifiedTexts: number } }).vaxpassScanner.lastVerifiedTexts;
      seen.push({ verdict: overlay.dataset.verdict, code: overlay.dataset.code ?? null, name: text('.name'), reason: text('.reason'), format: text('.format'), texts });
    }).observe(overlay, { attributes: true, attributeFilter: ['hidden'] });
  });
};

/** Opens the scanner at `url` (with its query) in a new page that records its verdicts, once the app is ready. */
export async function openRecordingScanner(context: BrowserContext, url: string, options: { readyTimeoutMs?: number } = {}): Promise<Page> {
  const page = await context.newPage();
  await page.addInitScript(RECORD_VERDICTS);
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', options.readyTimeoutMs === undefined ? {} : { timeout: options.readyTimeoutMs });
  return page;
}

export async function seenVerdicts(page: Page): Promise<SeenVerdict[]> {
  return page.evaluate(() => (window as unknown as { __seen: SeenVerdict[] }).__seen);
}

/** Polls the recorded verdicts until `predicate` holds or `timeoutMs` passes; returns what was seen either way. */
export async function waitForVerdicts(page: Page, predicate: (seen: SeenVerdict[]) => boolean, timeoutMs: number): Promise<SeenVerdict[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = await seenVerdicts(page);
    if (predicate(seen) || Date.now() > deadline) return seen;
    await page.waitForTimeout(250);
  }
}
