// How much the QR decoder holds up the scanner page's main thread, in real Chromium: the camera
// (a canvas stream, 960×720 grey noise with no code in it, so every decode fails: the worst
// case) runs for a few seconds while the page measures the gaps between animation frames and the
// long tasks (> 50 ms) the Long Tasks API reports. Decoding in the worker (the default) against
// decoding on the page (?decodeOn=page, the old way), for zxing-wasm and jsQR, in interleaved
// rounds in the same browser; figures are min / median / max over the rounds.
// Usage: npx tsx bench/scanner-main-thread.ts [--rounds 3] [--seconds 4]
import { loadavg } from 'node:os';
import type { Browser } from 'playwright-core';
import { startAppTestServer } from '../test/support/app-test-server.ts';
import { CHROMIUM_MISSING, launchChromium, newAppContext } from '../test/support/browser.ts';
import { ensureAppsBuilt } from '../test/support/build-apps.ts';
import { createTrustFixture } from '../test/support/trust-fixture.ts';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROUNDS = arg('--rounds', 3);
const SECONDS = arg('--seconds', 4);

/** In-page: the camera is a canvas stream of grey noise with no code, redrawn so frames keep coming. */
const NOISE_CAMERA = () => {
  const canvas = document.createElement('canvas');
  canvas.width = 960;
  canvas.height = 720;
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(960, 720);
  let seed = 7;
  for (let i = 0; i < image.data.length; i += 4) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    image.data[i] = image.data[i + 1] = image.data[i + 2] = 96 + (seed % 64);
    image.data[i + 3] = 255;
  }
  ctx.putImageData(image, 0, 0);
  const stream = canvas.captureStream(30);
  let x = 0;
  setInterval(() => ctx.fillRect((x = (x + 1) % 960), 0, 1, 1), 33);
  navigator.mediaDevices.getUserMedia = async () => stream;
};

interface Sample {
  p95GapMs: number;
  maxGapMs: number;
  longTaskMsPerSecond: number;
}

async function measure(browser: Browser, url: string, seconds: number): Promise<Sample> {
  const context = await newAppContext(browser);
  await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  await context.addInitScript(NOISE_CAMERA);
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector('#camera[data-state="ready"]', { timeout: 60_000 });
  // Let the decoder load (wasm compile, first frames) before measuring.
  await page.waitForTimeout(1000);
  const sample = await page.evaluate(async (seconds) => {
    const gaps: number[] = [];
    let longTasks = 0;
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) longTasks += entry.duration;
    });
    observer.observe({ type: 'longtask', buffered: false });
    const start = performance.now();
    await new Promise<void>((done) => {
      let last = performance.now();
      const frame = (t: number) => {
        gaps.push(t - last);
        last = t;
        if (t - start < seconds * 1000) requestAnimationFrame(frame);
        else done();
      };
      requestAnimationFrame(frame);
    });
    observer.disconnect();
    gaps.sort((a, b) => a - b);
    return { p95GapMs: gaps[Math.floor(gaps.length * 0.95)]!, maxGapMs: gaps[gaps.length - 1]!, longTaskMsPerSecond: longTasks / seconds };
  }, seconds);
  await context.close();
  return sample;
}

const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[0]!.toFixed(0)} / ${s[Math.floor(s.length / 2)]!.toFixed(0)} / ${s[s.length - 1]!.toFixed(0)}`;
};

async function main(): Promise<void> {
  if (CHROMIUM_MISSING) {
    console.error('scanner-main-thread: /usr/bin/chromium not found (apt-get install -y chromium)');
    process.exit(2);
  }
  await ensureAppsBuilt();
  const fixture = await createTrustFixture();
  const server = await startAppTestServer({ bundle: await fixture.bundle(), rootPublicKey: Buffer.from(fixture.rootPublicKey).toString('base64url'), people: [] });
  const browser = await launchChromium();
  const variants = [
    { name: 'jsqr, worker', query: 'decoder=jsqr' },
    { name: 'jsqr, page', query: 'decoder=jsqr&decodeOn=page' },
    { name: 'zxing-wasm, worker', query: '' },
    { name: 'zxing-wasm, page', query: 'decodeOn=page' },
  ];
  const samples = new Map<string, Sample[]>(variants.map((v) => [v.name, []]));
  try {
    console.log(`load average at start: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    for (let round = 1; round <= ROUNDS; round++) {
      for (const v of variants) {
        const sample = await measure(browser, `${server.url}/scanner/?${v.query}`, SECONDS);
        samples.get(v.name)!.push(sample);
        console.error(`round ${round} ${v.name}: ${JSON.stringify(sample)}`);
      }
    }
    console.log(`${SECONDS} s of a code-less camera per run, ${ROUNDS} interleaved rounds; min / median / max`);
    console.log('| decoder, thread | p95 frame gap ms | longest frame gap ms | long tasks ms per s |');
    console.log('| --- | --- | --- | --- |');
    for (const v of variants) {
      const s = samples.get(v.name)!;
      console.log(`| ${v.name} | ${summary(s.map((x) => x.p95GapMs))} | ${summary(s.map((x) => x.maxGapMs))} | ${summary(s.map((x) => x.longTaskMsPerSecond))} |`);
    }
    const median = (name: string, key: keyof Sample) => {
      const s = samples.get(name)!.map((x) => x[key]).sort((a, b) => a - b);
      return s[Math.floor(s.length / 2)]!;
    };
    for (const decoder of ['jsqr', 'zxing-wasm']) {
      console.log(`ratio ${decoder} page / worker, median longest frame gap: ${(median(`${decoder}, page`, 'maxGapMs') / median(`${decoder}, worker`, 'maxGapMs')).toFixed(1)}×`);
    }
    console.log(`load average at end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

await main();
