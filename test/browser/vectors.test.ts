// Replays every test vector inside Chromium through the core exactly as bundled into the
// scanner app (its test hook exposes the core module), with the WebCrypto and the noble
// Ed25519 backends, and checks each expected outcome with the same rules as the Node replays.
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInChromium } from '../support/chromium-suite.ts';
import { ensureAppsBuilt } from '../support/build-apps.ts';
import { startAppTestServer, type AppTestServer } from '../support/app-test-server.ts';
import { mismatch, type ReplayResult, type VectorFile } from '../support/replay-vector.ts';

const VECTORS = new URL('../vectors/vaxpass-v1.json', import.meta.url);
const VECTORS_MISSING = !existsSync(VECTORS);
if (VECTORS_MISSING) console.warn('[browser vector replay] skipped: test/vectors/vaxpass-v1.json is missing (npm run vectors)');

type Core = typeof import('../../src/core/index.ts');

describeInChromium('test vectors replayed in Chromium', { suite: 'browser vector replay', skip: VECTORS_MISSING }, (chromium) => {
  let server: AppTestServer;
  let file: VectorFile;

  beforeAll(async () => {
    await ensureAppsBuilt();
    file = JSON.parse(readFileSync(VECTORS, 'utf8')) as VectorFile;
    server = await startAppTestServer({ bundle: null, rootPublicKey: file.root.publicKey, people: [] });
    await chromium.launch();
  }, 120_000);

  afterAll(async () => {
    await server?.close();
  });

  it.each(['webcrypto', 'noble'] as const)('every vector gives its expected outcome with the %s backend', async (backendName) => {
    const { context, page } = await chromium.newPage();
    await page.goto(`${server.url}/scanner/?camera=off`);
    await page.waitForSelector('body[data-ready="true"]');
    const results = await page.evaluate(
      async ({ file, backendName }) => {
        const core = (window as unknown as { vaxpassScanner: { core: Core } }).vaxpassScanner.core;
        if (backendName === 'webcrypto' && !(await core.webCryptoHasEd25519())) throw new Error('this Chromium has no WebCrypto Ed25519');
        const backend = backendName === 'webcrypto' ? core.createWebCryptoBackend() : core.createNobleBackend();
        const root = core.fromBase64Url(file.root.publicKey)!;
        const out: { name: string; result: unknown }[] = [];
        for (const vector of file.vectors) {
          const now = new Date(vector.now);
          let held = null;
          if (vector.heldBundle !== null) {
            const opened = await core.openBundle(file.bundles[vector.heldBundle]!, { root, now, backend });
            if (!opened.ok) throw new Error(`${vector.name}: held bundle does not open`);
            held = opened.bundle;
          }
          const opened = await core.openBundle(file.bundles[vector.bundle]!, { root, now, backend, held });
          const result = opened.ok ? await core.verify(vector.text, opened.bundle, { now }) : opened;
          out.push({ name: vector.name, result });
        }
        return out;
      },
      { file, backendName },
    );
    expect(results).toHaveLength(file.vectors.length);
    const problems = file.vectors
      .map((vector, i) => [vector.name, mismatch(results[i]!.result as ReplayResult, vector.expected)] as const)
      .filter(([, problem]) => problem !== null);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});
