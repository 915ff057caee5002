// Real foreign passes from the camera, in real Chromium: one public vector of each format
// (EU DCC, SMART Health Card, NZ COVID Pass) and the 3-code SMART Health Card, from the shared
// interop set (../shared/interop, read in place). Their trust goes into trust files in the shapes
// the ecosystems publish, the dev issuer publishes it in its bundle (VAXPASS_EU_DCC_TRUST,
// VAXPASS_SHC_DIRECTORY, VAXPASS_NZCP_TRUST), and the scanner decides with its own clock, today
// (the bundle's issue time is its floor). The expected verdict is the core's at the same time,
// against the same served bundle: the screen must show that verdict, code and format line.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fromBase64Url, openBundle, verdictOf, verify } from '../../src/core/index.ts';
import type { VerificationResult } from '../../src/core/index.ts';
import { formatLine } from '../../src/apps/shared/pass-format-label.ts';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend.ts';
import type { RunningServer } from '../../src/server/main.ts';
import { fakeCameraFlags, tempDir } from '../support/browser.ts';
import { describeInChromium } from '../support/chromium-suite.ts';
import { ensureAppsBuilt } from '../support/build-apps.ts';
import { blankFrame, qrFrame, writeCameraVideo } from '../support/fake-camera.ts';
import { INTEROP_SKIP_MESSAGE, interopAvailable, loadInterop, trustFilesOf, type InteropRecord } from '../support/interop-vectors.ts';
import { startDevIssuer } from '../support/start-dev-issuer.ts';
import { openRecordingScanner, waitForVerdicts, type SeenVerdict } from '../support/verdict-recorder.ts';

if (!interopAvailable) console.warn(`[scanner foreign passes browser tests] ${INTEROP_SKIP_MESSAGE}`);

/** One vector per format, and the card printed as three QR codes. */
const PICKS = [
  { id: 'eu-dcc/DE/1', label: 'EU DCC (DE)' },
  { id: 'shc/example-00', label: 'SMART Health Card' },
  { id: 'shc/example-02', label: 'SMART Health Card in 3 codes' },
  { id: 'nzcp/valid', label: 'NZ COVID Pass' },
] as const;

/** Large enough for a version 25 code (a part of the 3-code card) at about 5 px per module. */
const FRAME = { width: 960, height: 720, size: 680 };

describeInChromium('foreign passes from the scanner camera in Chromium', { suite: 'scanner foreign passes browser tests', ffmpeg: true, skip: !interopAvailable }, (chromium) => {
  let dir: ReturnType<typeof tempDir>;
  let server: RunningServer;
  let records: InteropRecord[];

  beforeAll(async () => {
    await ensureAppsBuilt();
    dir = tempDir('vaxpass-foreign-camera-');
    const all = [...loadInterop('eu-dcc'), ...loadInterop('shc'), ...loadInterop('nzcp')];
    records = PICKS.map((pick) => all.find((r) => r.id === pick.id)!);
    // One trust file per format, as an operator downloads them (both SHC examples share one issuer).
    const write = (name: string, json: unknown) => {
      const path = join(dir.path, name);
      writeFileSync(path, JSON.stringify(json));
      return path;
    };
    const [eu, shc, , nz] = records.map((r) => trustFilesOf(r));
    server = await startDevIssuer(dir.path, { port: '0', devIdpPort: '0' }, {
      VAXPASS_EU_DCC_TRUST: write('eu-dcc-trust-list.json', eu!.euDcc[0]!.json),
      VAXPASS_SHC_DIRECTORY: write('shc-directory.json', shc!.shc[0]!.json),
      VAXPASS_NZCP_TRUST: write('nzcp-trust.json', nz!.nzcp[0]!.json),
    });
    const blank = blankFrame(FRAME.width, FRAME.height);
    const texts = records.flatMap((r) => (typeof r.qrText === 'string' ? [r.qrText] : r.qrText));
    const frames = texts.flatMap((text) => [qrFrame(text, FRAME), blank]);
    const video = writeCameraVideo(dir.path, 'foreign', frames, frames.map((_, i) => (i % 2 === 0 ? 1.2 : 0.4)), 5);
    await chromium.launch(fakeCameraFlags(video));
  }, 180_000);

  afterAll(async () => {
    await server?.close();
    dir?.remove();
  });

  it('shows each format and the verdict the core gives today, from the camera', async () => {
    const context = await chromium.newContext();
    const page = await openRecordingScanner(context, `${server.url}/scanner/?hold=400`, { readyTimeoutMs: 30_000 });

    // What the core says now against the bundle the scanner holds (the same served bundle).
    const root = fromBase64Url(((await (await fetch(`${server.url}/api/v1/trust-root`)).json()) as { publicKey: string }).publicKey)!;
    const opened = await openBundle(await (await fetch(`${server.url}/api/v1/trust-bundle`)).text(), { root, now: new Date(), backend: createNodeCryptoBackend() });
    if (!opened.ok) throw new Error(`served bundle does not open: ${opened.code}`);
    expect(opened.bundle.foreign).toBeTruthy();
    const expected: VerificationResult[] = [];
    for (const record of records) expected.push(await verify(record.qrText, opened.bundle, { now: new Date() }));
    // None of them may fail for want of trust: that would mean the trust files did not arrive.
    for (const result of expected) expect(result.ok || !['UNKNOWN_KEY', 'MALFORMED', 'NOT_A_PASS'].includes(result.code)).toBe(true);

    const want = records.map((record, i) => ({
      label: PICKS[i]!.label,
      texts: typeof record.qrText === 'string' ? 1 : record.qrText.length,
      verdict: verdictOf(expected[i]!),
      code: expected[i]!.ok ? null : (expected[i] as { code: string }).code,
      format: formatLine(expected[i]!, 'en'),
    }));
    const found = (seen: SeenVerdict[], w: (typeof want)[number]) => seen.find((s) => s.format === w.format && s.texts === w.texts);
    const seen = await waitForVerdicts(page, (s) => want.every((w) => found(s, w)), 90_000);
    for (const w of want) {
      const shown = found(seen, w);
      expect(shown, `${w.label}: never shown (seen ${JSON.stringify(seen)})`).toBeDefined();
      expect({ label: w.label, verdict: shown!.verdict, code: shown!.code, format: shown!.format, texts: shown!.texts }).toEqual({ label: w.label, verdict: w.verdict, code: w.code, format: w.format, texts: w.texts });
    }
    // The parts of the 3-code card were never verified one by one.
    expect(seen.filter((s) => s.format.startsWith('SMART Health Card') && s.texts !== 1 && s.texts !== 3)).toEqual([]);
    console.info(`[foreign camera] ${want.map((w) => `${w.label}: ${w.verdict}${w.code ? ` ${w.code}` : ''} (${w.format})`).join('; ')}`);
    await context.close();
  }, 150_000);
});
