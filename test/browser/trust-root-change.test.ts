// A newcomer resets the demo (new keys, new data) while a holder app still pins the old root: the
// app must say that the issuer's trust root changed, and in development let the person forget the
// old root, rather than show "Sync failed" and call new passes invalid. Real issuer, real Chromium.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../../src/server/main.ts';
import { portsOf, startDevIssuer } from '../support/start-dev-issuer.ts';
import { tempDir } from '../support/browser.ts';
import { describeInChromium } from '../support/chromium-suite.ts';
import { ensureAppsBuilt } from '../support/build-apps.ts';

describeInChromium('holder app after the demo keys were recreated (real server, real Chromium)', { suite: 'trust root change browser test' }, (chromium) => {
  let dir: ReturnType<typeof tempDir>;
  let server: RunningServer | null = null;

  const startIssuer = (ports: { port: string; devIdpPort: string }) => startDevIssuer(dir.path, ports);

  beforeAll(async () => {
    await ensureAppsBuilt();
    dir = tempDir('vaxpass-root-change-');
    server = await startIssuer({ port: '0', devIdpPort: '0' });
    await chromium.launch();
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    dir?.remove();
  });

  const storedRoot = () => JSON.parse(localStorage.getItem('vaxpass.holder.trust') ?? '{}').root as string | undefined;
  const rootOf = async (s: RunningServer) => ((await (await fetch(`${s.url}/api/v1/trust-root`)).json()) as { publicKey: string }).publicKey;

  it('says the trust root changed, and forgetting the old root pins the new one', async () => {
    const { context, page } = await chromium.newPage();
    await page.goto(`${server!.url}/holder/`);
    const oldRoot = await rootOf(server!);
    await page.waitForFunction(() => JSON.parse(localStorage.getItem('vaxpass.holder.trust') ?? '{}').bundle);
    await expect(page.evaluate(storedRoot)).resolves.toBe(oldRoot);

    // The reset: every key and record recreated, on the same ports.
    const ports = portsOf(server!);
    await server!.close();
    server = null;
    rmSync(join(dir.path, 'keys'), { recursive: true, force: true });
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(dir.path, `vaxpass.sqlite${suffix}`), { force: true });
    server = await startIssuer(ports);
    const newRoot = await rootOf(server);
    expect(newRoot).not.toBe(oldRoot);

    await page.reload();
    await page.waitForSelector('#root-change:not([hidden])', { timeout: 20_000 });
    await expect(page.textContent('#root-change')).resolves.toMatch(/trust root changed \(keys were recreated\)/);
    await expect(page.evaluate(storedRoot)).resolves.toBe(oldRoot);

    await page.click('#forget-root');
    await page.waitForFunction((root) => JSON.parse(localStorage.getItem('vaxpass.holder.trust') ?? '{}').root === root && JSON.parse(localStorage.getItem('vaxpass.holder.trust') ?? '{}').bundle, newRoot, { timeout: 20_000 });
    await expect(page.locator('#root-change').isHidden()).resolves.toBe(true);
    await context.close();
  }, 60_000);
});
