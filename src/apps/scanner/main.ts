// Venue scanner: camera → QR text → core verify against the held trust bundle → a full-screen
// green / red / amber verdict (or a neutral "not a health pass") with only the pass format, the
// issuing country, the holder's name and birth date. Nothing scanned is kept: the text lives in
// local variables until the verdict is drawn (the parts of a multi-part SMART Health Card, in
// memory, until the card is complete or abandoned), then the overlay is cleared. Venue mode
// (venue-mode.ts) keeps a record sealed for the health authority, never the plaintext.
import * as core from '../../core/index.ts';
import type { FailureCode, VerificationResult, Verdict } from '../../core/index.ts';
import { recognizeFormat, verdictOf, verify, type PassFormat } from '../../core/index.ts';
import { h } from '../shared/dom.ts';
import { FAILURE_REASONS } from '../shared/failure-reasons.ts';
import { defaultLanguage, formatAge, translator, type Language } from '../shared/i18n.ts';
import { formatLine } from '../shared/pass-format-label.ts';
import { registerServiceWorker } from '../shared/register-service-worker.ts';
import { bundleWarnings } from './bundle-health.ts';
import { SCANNER_MESSAGES } from './messages.ts';
import { createFrameDecoder, type FrameDecoder } from './worker-qr-decoder.ts';
import { PART_TIMEOUT_MS, ShcChunkCollector, type CollectStep } from './shc-chunk-collector.ts';
import { TimeMark } from '../shared/time-mark.ts';
import { paintRootChange } from '../shared/trust-root-change.ts';
import { chooseBackend, TrustStore, type TrustSnapshot } from '../shared/trust-store.ts';
import { startVenueMode, type VenueMode } from './venue-mode.ts';

const LANGUAGE_KEY = 'vaxpass.scanner.language';
const SYNC_INTERVAL_MS = 5 * 60_000;
const params = new URLSearchParams(location.search);
/** How long a verdict stays on screen (ms); tests and benchmarks shorten it with ?hold=. */
const HOLD_MS = Math.max(200, Number(params.get('hold') ?? 4000) || 4000);
/** Longest side of the frame handed to the decoder: enough for a version 9–10 QR at arm's length. */
const DECODE_SIZE = 960;
/** How long the parts of a multi-part card wait for the rest (ms); tests shorten it with ?parts=. */
const PARTS_TIMEOUT_MS = Math.max(200, Number(params.get('parts') ?? PART_TIMEOUT_MS) || PART_TIMEOUT_MS);

let language: Language = defaultLanguage(localStorage.getItem(LANGUAGE_KEY), navigator.languages ?? [navigator.language]);
const t = translator(SCANNER_MESSAGES, () => language);
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

interface ScanTiming {
  readonly decoder: string;
  /** performance.now() when the frame that held the QR was grabbed. */
  readonly frameAt: number;
  readonly decodeMs: number;
  readonly verifyMs: number;
  /** Frame grabbed → verdict painted. */
  readonly totalMs: number;
}

/** Test and benchmark hooks: timings only, never pass contents. */
const hooks = {
  ready: false,
  decoder: '' as string,
  /** 'worker' when frames are decoded off the page's thread. */
  decoderThread: '' as string,
  backend: '' as string,
  scans: [] as ScanTiming[],
  /** How many QR texts the last verification was given (a multi-part card gives several); a count, never the texts. */
  lastVerifiedTexts: 0,
  core,
  /** Decodes one image with the active decoder (benchmarks compare decoders on the same frame). */
  decodeImage: null as ((image: ImageData) => Promise<string | null>) | null,
  /** Draws a given result as a scan would (tests check the layout of every format and country). */
  showResult: null as ((result: VerificationResult) => void) | null,
};
(globalThis as unknown as { vaxpassScanner: typeof hooks }).vaxpassScanner = hooks;

const backend = await chooseBackend({ forceNoble: params.get('backend') === 'noble' });
hooks.backend = backend.name;
const timeMark = new TimeMark('vaxpass.scanner.timeMark');
const store = new TrustStore('vaxpass.scanner.trust', backend, () => renderStatus(), timeMark);
let venue: VenueMode | null = null;

// ---- status bar

/** Development: forget the root pinned from the server and start over with the one it publishes now. */
function forgetRoot(): void {
  store.forgetDevRoot();
  location.reload();
}

function renderStatus(): void {
  const snapshot: TrustSnapshot = store.current;
  paintRootChange($('root-change'), snapshot.rootChange, language, forgetRoot);
  const now = Date.now() / 1000;
  // A status redraw is a clock reading too (every 30 s): it raises the mark while the clock is right.
  timeMark.observe(now);
  const info = $('bundle-info');
  if (snapshot.bundle) {
    delete info.dataset.problem;
    info.textContent = t('bundleInfo', { version: snapshot.bundle.version, age: formatAge(now - snapshot.bundle.issuedAt, language) });
  } else {
    // No usable bundle: every scan will be amber, so this line looks like the amber verdict.
    info.dataset.problem = 'true';
    info.textContent = snapshot.problem ? FAILURE_REASONS[language][snapshot.problem.code].what : t('bundleNone');
  }
  const items: string[] = [];
  const b = snapshot.bundle;
  let clockBehind = false;
  for (const w of bundleWarnings(b ? { issuedAt: b.issuedAt, expiresAt: b.expiresAt, clockSkewSeconds: b.rules.clockSkewSeconds } : null, now, snapshot.serverOffsetSeconds, timeMark.seconds)) {
    if (w.kind === 'stale') items.push(t('bundleStale'));
    if (w.kind === 'expired') items.push(t('bundleExpired'));
    if (w.kind === 'clock-behind') clockBehind = true;
    if (w.kind === 'clock-skew') items.push(t('clockSkew', { age: formatAge(Math.abs(w.offsetSeconds), language) }));
  }
  if (snapshot.rollbackRefused && b) items.push(t('rollback', { version: b.version }));
  if (snapshot.lastSync === 'offline' && b) items.push(t('offline'));
  // A changed root has its own notice: "Sync failed" alone would hide why.
  if (snapshot.lastSync === 'failed' && b && !snapshot.rootChange) items.push(t('syncFailed'));
  if (snapshot.devRoot) items.push(t('devRoot'));
  // Plain http (not localhost): no crypto.subtle, so no bundle opens and nothing verifies. Say why.
  if (!window.isSecureContext) items.unshift(t('insecurePage'));
  // A clock set back is the one warning that changes verdicts (scans use the later time): first, and styled as urgent.
  if (clockBehind) items.unshift(t('clockBehind'));
  document.body.toggleAttribute('data-clock-behind', clockBehind);
  // The list is a live region: redraw it only when a warning changes, or readers repeat it every 30 s.
  const warnings = $('warnings');
  if (warnings.dataset.shown !== items.join('\n')) {
    warnings.dataset.shown = items.join('\n');
    warnings.replaceChildren(...items.map((text) => h('li', {}, text)));
  }
}

function renderLanguage(): void {
  document.documentElement.lang = language;
  document.title = t('title');
  $('title').textContent = t('title');
  $('language').textContent = t('language');
  // The switch is labelled in the other language; screen readers should pronounce it in that language.
  $('language').lang = language === 'ko' ? 'en' : 'ko';
  $('manual-label').textContent = t('manualLabel');
  ($('manual-code') as HTMLInputElement).placeholder = t('manualPlaceholder');
  $('manual-check').textContent = t('check');
  $('sync-now').textContent = t('syncNow');
  $('retry-camera').textContent = t('retryCamera');
  renderSyncOutcome();
  renderParts();
  renderStatus();
}

$('language').addEventListener('click', () => {
  language = language === 'ko' ? 'en' : 'ko';
  localStorage.setItem(LANGUAGE_KEY, language);
  renderLanguage();
  renderCameraStatus();
  venue?.render();
});

// ---- verdict overlay

const overlay = $('result');
let clearTimer: ReturnType<typeof setTimeout> | undefined;

function clearResult(): void {
  clearTimeout(clearTimer);
  overlay.hidden = true;
  delete overlay.dataset.verdict;
  delete overlay.dataset.code;
  for (const p of overlay.querySelectorAll('p')) p.textContent = '';
  overlay.querySelector('.symbol')!.replaceChildren();
}

/**
 * A shape per verdict (tick, cross, exclamation mark), so the verdict reads without colour: staff
 * with red-green colour blindness, and Korean, where 유효 begins both 유효 and 유효하지 않음.
 */
function verdictSymbol(verdict: Verdict): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  const draw = (tag: string, attributes: Record<string, string>) => {
    const shape = document.createElementNS(ns, tag);
    for (const [name, value] of Object.entries(attributes)) shape.setAttribute(name, value);
    svg.append(shape);
  };
  if (verdict === 'valid') draw('polyline', { points: '4 12.5 9.5 18 20 6' });
  else if (verdict === 'invalid') draw('path', { d: 'M6 6 18 18M18 6 6 18' });
  else if (verdict === 'not-a-pass') {
    // A question mark: no verdict on the person, a question for them ("can you open your pass?").
    draw('path', { d: 'M8.5 8.5a3.5 3.5 0 1 1 5.2 3.1c-1.1.6-1.7 1.3-1.7 2.6v.6' });
    draw('circle', { cx: '12', cy: '19.5', r: '1.7', class: 'dot' });
  } else {
    draw('path', { d: 'M12 4v10' });
    draw('circle', { cx: '12', cy: '19.5', r: '1.7', class: 'dot' });
  }
  return svg;
}

const VERDICT_HEADLINES = { valid: 'valid', invalid: 'invalid', 'cannot-verify': 'cannotVerify', 'not-a-pass': 'notAPass' } as const;

/** `scanned`: the format read from the text's prefix, for failures the core answers before naming it. */
function showResult(result: VerificationResult, scanned: PassFormat | null = null): void {
  const verdict = verdictOf(result);
  overlay.dataset.verdict = verdict;
  const q = (selector: string) => overlay.querySelector(selector)!;
  q('.symbol').replaceChildren(verdictSymbol(verdict));
  q('.verdict').textContent = t(VERDICT_HEADLINES[verdict]);
  // Which kind of pass and from where, also on a refusal: "your EU certificate was refused" is
  // something staff and visitor can act on. Empty for codes that are no pass (the line hides).
  q('.format').textContent = formatLine(result.format === undefined && scanned !== null ? { ...result, format: scanned } : result, language);
  if (result.ok) {
    delete overlay.dataset.code;
    q('.name').textContent = result.holder.name;
    q('.birth').textContent = t('born', { date: result.holder.birthDate });
    q('.reason').textContent = '';
    q('.next').textContent = '';
    q('.check-id').textContent = t('checkId');
  } else {
    overlay.dataset.code = result.code;
    const reason = FAILURE_REASONS[language][result.code];
    q('.name').textContent = '';
    q('.birth').textContent = '';
    q('.reason').textContent = reason.what;
    q('.next').textContent = reason.next;
    q('.check-id').textContent = '';
  }
  q('.dismiss').textContent = t('tapToDismiss');
  overlay.hidden = false;
  clearTimeout(clearTimer);
  clearTimer = setTimeout(clearResult, HOLD_MS);
}

hooks.showResult = showResult;
overlay.addEventListener('click', clearResult);
// Keyboard users dismiss with Escape; focus stays in the code field so a hand-held reader can type the next code.
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && !overlay.hidden) clearResult();
});

async function check(text: string | readonly string[]): Promise<VerificationResult> {
  hooks.lastVerifiedTexts = typeof text === 'string' ? 1 : text.length;
  const bundle = store.current.bundle;
  if (!bundle) {
    const code: FailureCode = store.current.problem?.code ?? 'BUNDLE_INVALID';
    return core.fail(code, store.current.problem?.message ?? 'no trust bundle yet');
  }
  return verify(text, bundle, { now: timeMark.decisionTime(new Date()) });
}

// ---- multi-part SMART Health Cards

const chunks = new ShcChunkCollector(PARTS_TIMEOUT_MS);
let partsShown: Extract<CollectStep, { kind: 'partial' }> | null = null;
let partsTimer: ReturnType<typeof setTimeout> | undefined;

function renderParts(): void {
  const line = $('parts');
  line.hidden = partsShown === null;
  line.textContent = partsShown ? t('partScanned', { index: partsShown.index, total: partsShown.total, received: partsShown.received }) : '';
}

function showParts(step: Extract<CollectStep, { kind: 'partial' }> | null): void {
  partsShown = step;
  renderParts();
  clearTimeout(partsTimer);
  // The visitor walked away half-way: forget the parts, so the next card starts clean.
  if (step) {
    partsTimer = setTimeout(() => {
      chunks.reset();
      showParts(null);
    }, PARTS_TIMEOUT_MS + 50);
  }
}

async function handleScan(text: string, frameAt: number, decodedAt: number, decoder: string): Promise<void> {
  const step = chunks.offer(text, performance.now());
  if (step.kind === 'partial') {
    showParts(step);
    return;
  }
  showParts(null);
  const texts = step.kind === 'single' ? step.text : step.parts;
  const result = await check(texts);
  const verifiedAt = performance.now();
  showResult(result, recognizeFormat(typeof texts === 'string' ? texts : texts[0]!));
  // Venue mode records the entry in the background, after the verdict is on screen.
  if (result.ok) venue?.record(result);
  // Wait for the frame that shows the verdict, so the timing covers what the staff actually sees.
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  hooks.scans.push({ decoder, frameAt, decodeMs: decodedAt - frameAt, verifyMs: verifiedAt - decodedAt, totalMs: performance.now() - frameAt });
  if (hooks.scans.length > 1000) hooks.scans.shift();
}

$('manual').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('manual-code') as HTMLInputElement;
  const text = input.value.trim();
  input.value = '';
  if (text) {
    const start = performance.now();
    void handleScan(text, start, start, 'manual');
  }
});

// ---- "Sync now"

/** The answer to the last "Sync now", kept as a message key so a language switch redraws it. */
let syncOutcome: { key: 'syncing' | 'syncDone' | 'syncFailed' | 'syncNoBundle' | 'offline'; version?: number } | null = null;

function renderSyncOutcome(): void {
  const line = $('sync-result');
  line.dataset.outcome = syncOutcome?.key ?? '';
  line.textContent = syncOutcome ? t(syncOutcome.key, { version: syncOutcome.version ?? '' }) : '';
}

/** Staff ask for a sync (a revocation just announced, a network back): run it now and say how it went. */
async function syncOnRequest(): Promise<void> {
  const button = $('sync-now') as HTMLButtonElement;
  button.disabled = true;
  syncOutcome = { key: 'syncing' };
  renderSyncOutcome();
  try {
    await store.sync(() => new Date());
  } finally {
    button.disabled = false;
  }
  const snapshot = store.current;
  const version = snapshot.bundle?.version;
  if (snapshot.lastSync === 'ok' && version !== undefined) syncOutcome = { key: 'syncDone', version };
  else if (version === undefined) syncOutcome = { key: 'syncNoBundle' };
  else syncOutcome = { key: snapshot.lastSync === 'offline' ? 'offline' : 'syncFailed' };
  renderSyncOutcome();
}

// ---- camera

type CameraState = 'starting' | 'ready' | 'unavailable' | 'denied' | 'missing' | 'insecure';
let cameraState: CameraState = 'starting';
/** False on a desk without a camera (?camera=off): no camera to retry. */
const cameraWanted = params.get('camera') !== 'off';
const CAMERA_MESSAGES = { starting: 'cameraStarting', ready: 'cameraReady', unavailable: 'cameraUnavailable', denied: 'cameraDenied', missing: 'cameraMissing', insecure: 'cameraInsecure' } as const;

/** Failures a retry can cure (a permission granted meanwhile, a camera plugged in); not a page without HTTPS. */
const RETRYABLE: ReadonlySet<CameraState> = new Set(['unavailable', 'denied', 'missing']);

function renderCameraStatus(): void {
  $('camera').dataset.state = cameraState;
  $('camera-status').textContent = t(CAMERA_MESSAGES[cameraState]);
  $('retry-camera').hidden = !(RETRYABLE.has(cameraState) && cameraWanted);
}

/** Staff can fix a refused permission, but not a missing camera: say which it is. */
function cameraProblem(error: unknown): CameraState {
  // Browsers offer no camera at all to pages on plain http (other than localhost).
  if (!window.isSecureContext) return 'insecure';
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'missing';
  return 'unavailable';
}

async function startCamera(decoder: FrameDecoder): Promise<void> {
  const video = $('video') as HTMLVideoElement;
  stopCamera();
  cameraState = 'starting';
  renderCameraStatus();
  try {
    video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment', width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false });
    await video.play();
  } catch (error) {
    cameraState = cameraProblem(error);
    renderCameraStatus();
    return;
  }
  cameraState = 'ready';
  renderCameraStatus();
  const stream = video.srcObject;
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  /** A frame being decoded or its scan being handled: later frames are dropped until it is done. */
  let inFlight = false;
  const next = (): void => {
    // A restarted camera has its own loop: this one ends with its stream.
    if (video.srcObject !== stream) return;
    if ('requestVideoFrameCallback' in video) video.requestVideoFrameCallback(tick);
    else setTimeout(tick, 40);
  };
  const grab = async (): Promise<void> => {
    const frameAt = performance.now();
    const scale = Math.min(1, DECODE_SIZE / Math.max(video.videoWidth, video.videoHeight));
    canvas.width = Math.round(video.videoWidth * scale);
    canvas.height = Math.round(video.videoHeight * scale);
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    const text = await decoder.decode(context.getImageData(0, 0, canvas.width, canvas.height));
    if (text !== null && overlay.hidden) await handleScan(text, frameAt, performance.now(), decoder.name);
  };
  /** A frame arrived while one was in flight: grab the newest as soon as the decoder is free. */
  let skipped = false;
  const start = (): void => {
    if (video.readyState < 2 || !overlay.hidden || video.videoWidth === 0) return;
    inFlight = true;
    void grab().finally(() => {
      inFlight = false;
      if (skipped && video.srcObject === stream) {
        skipped = false;
        start();
      }
    });
  };
  const tick = (): void => {
    // Ask for the next frame first: the video keeps its pace whatever the decoder does.
    next();
    if (inFlight || decoder.busy) skipped = true;
    else start();
  };
  next();
}

function stopCamera(): void {
  const video = $('video') as HTMLVideoElement;
  if (video.srcObject instanceof MediaStream) for (const track of video.srcObject.getTracks()) track.stop();
  video.srcObject = null;
}

// ---- start

renderLanguage();
renderCameraStatus();
await store.loadSaved(new Date());
venue = await startVenueMode({ bundle: () => store.current.bundle, language: () => language, mount: $('manual'), now: () => timeMark.decisionTime(new Date()).getTime() / 1000 });
const syncNow = () => store.sync(() => new Date());
$('sync-now').addEventListener('click', () => void syncOnRequest());
const firstSync = syncNow();
setInterval(() => void syncNow(), SYNC_INTERVAL_MS);
window.addEventListener('online', () => void syncNow());
setInterval(renderStatus, 30_000);
void registerServiceWorker();
const decoder = await createFrameDecoder(params.get('decoder') === 'jsqr' ? 'jsqr' : 'zxing-wasm', { onPage: params.get('decodeOn') === 'page' });
hooks.decoder = decoder.name;
hooks.decoderThread = decoder.thread;
hooks.decodeImage = async (image) => {
  // Benchmarks reuse one image, and a decode transfers (detaches) its bytes: hand over a copy,
  // once the camera's frame in flight is done.
  while (decoder.busy) await new Promise((r) => setTimeout(r, 2));
  return decoder.decode(new ImageData(new Uint8ClampedArray(image.data), image.width, image.height));
};
await firstSync;
hooks.ready = true;
document.body.dataset.ready = 'true';
$('retry-camera').addEventListener('click', () => void startCamera(decoder));
// ?camera=off: a desk without a camera, e.g. a hand-held barcode reader that types into the code field.
if (!cameraWanted) {
  cameraState = 'unavailable';
  renderCameraStatus();
} else {
  void startCamera(decoder);
}
