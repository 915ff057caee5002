// The /docs page in real Chromium on a 360 px phone, served by the real issuer: nothing sideways,
// markdown rendered, nothing fetched beyond the page itself, nothing blocked by its policy.
import type { Request } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/main.ts';
import { startDevIssuer } from '../support/start-dev-issuer.ts';
import { artifactPath, cspViolations, tempDir } from '../support/browser.ts';
import { describeInChromium } from '../support/chromium-suite.ts';

describeInChromium('/docs in Chromium at 360×640 (real issuer)', { suite: 'docs page browser test' }, (chromium) => {
  let dir: ReturnType<typeof tempDir>;
  let server: RunningServer;

  beforeAll(async () => {
    dir = tempDir('vaxpass-docs-page-');
    server = await startDevIssuer(dir.path, { port: '0', devIdpPort: '0' });
    await chromium.launch();
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    dir?.remove();
  });

  it('fits 360 px, renders the markdown and fetches nothing but itself', async () => {
    const { context, page } = await chromium.newPage({ viewport: { width: 360, height: 640 } });
    const requests: Request[] = [];
    page.on('request', (r) => requests.push(r));
    await page.goto(`${server.url}/docs`, { waitUntil: 'networkidle' });

    const scrollWidth = () => page.evaluate(() => document.documentElement.scrollWidth);
    await expect(scrollWidth()).resolves.toBeLessThanOrEqual(360);
    // Opened, the JSON details scroll inside their own box rather than widening the page.
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
    await expect(scrollWidth()).resolves.toBeLessThanOrEqual(360);
    await page.screenshot({ path: artifactPath('docs-360.png') });

    // Descriptions are rendered: code spans are <code> elements, no backtick is left in the prose.
    const partnerOp = page.locator('[id="post-/api/v1/partner/passes"]');
    await expect(partnerOp.locator('p code').first().textContent()).resolves.toBe('idToken');
    const prose = await page.evaluate(() => [...document.querySelectorAll('body > p, .op > p, .tag + div p')].map((e) => e.textContent).join('\n'));
    expect(prose).toContain('idToken');
    expect(prose).not.toContain('`');

    // Every operation of the inlined document is on the page, read without a fetch.
    const missing = await page.evaluate(() => {
      const doc = JSON.parse(document.getElementById('openapi-document')!.textContent!) as { paths: Record<string, Record<string, unknown>> };
      return Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m}-${path}`)).filter((id) => !document.getElementById(id));
    });
    expect(missing).toEqual([]);

    // The page itself, and at most a same-origin favicon the browser asks for on its own.
    const urls = requests.map((r) => r.url());
    expect(urls[0]).toBe(`${server.url}/docs`);
    expect(urls.filter((u) => u !== `${server.url}/docs` && u !== `${server.url}/favicon.ico`)).toEqual([]);
    await expect(cspViolations(page)).resolves.toEqual([]);
    await context.close();
  });
});
