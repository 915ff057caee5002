// Holder app: sign in once (at the identity provider, through the issuer; the browser keeps only
// an HttpOnly session cookie), fetch passes, keep them on the phone, show them as a QR code on
// screen or on paper, and say whether venues accept each pass today (the scanner's own check,
// against the same cached trust bundle). Passes render from local storage first; the network
// only ever adds.
import QRCode from 'qrcode';
import { apiUrl, h } from '../shared/dom.ts';
import { FAILURE_REASONS } from '../shared/failure-reasons.ts';
import { defaultLanguage, formatAge, translator, type Language } from '../shared/i18n.ts';
import { registerServiceWorker } from '../shared/register-service-worker.ts';
import { TimeMark } from '../shared/time-mark.ts';
import { paintRootChange } from '../shared/trust-root-change.ts';
import { chooseBackend, TrustStore } from '../shared/trust-store.ts';
import { HOLDER_MESSAGES } from './messages.ts';
import { dateOf, issuerOf } from './pass-details.ts';
import { PassRefresher, savedPasses, type HeldPass, type RefreshState } from './pass-store.ts';
import { venueStanding, type VenueStanding } from './venue-check.ts';

const LANGUAGE_KEY = 'vaxpass.holder.language';
/** Holders far outnumber scanners: a conditional GET (or a small revocation delta) once an hour is plenty. */
const TRUST_SYNC_INTERVAL_MS = 3600_000;
/** Rule windows open and close at civil midnight and test results at any minute: check that often. */
const STANDING_INTERVAL_MS = 60_000;
let language: Language = defaultLanguage(localStorage.getItem(LANGUAGE_KEY), navigator.languages ?? [navigator.language]);
const t = translator(HOLDER_MESSAGES, () => language);
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
let refreshState: RefreshState = { kind: 'idle' };
/** What the issuer said about this browser's session; null until it answered (or while offline). */
let session: { signedIn: boolean; signInAvailable?: boolean; csrfToken?: string } | null = null;
/** Set from ?signIn=failed|expired after the provider sent the browser back. */
let signInProblem = false;

/** Screen codes use level M (smaller modules scan best off a phone); paper uses Q to survive wear. */
function qrSvg(text: string, level: 'M' | 'Q'): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: level, margin: 4, color: { dark: '#000000', light: '#ffffff' } });
}

function svgElement(markup: string): Element {
  // Markup comes from the qrcode library for an alphanumeric pass text: no user HTML reaches it.
  const doc = new DOMParser().parseFromString(markup, 'image/svg+xml');
  return document.importNode(doc.documentElement, true);
}

const typeLabel = (pass: HeldPass) => t(`type_${pass.type}` as 'type_vaccination');
/** A test result expires within days, so its hour matters; other passes show the date. */
const expiryOf = (pass: HeldPass) => dateOf(pass.expiresAt, { withTime: pass.type === 'test' });

// ---- views

function renderSignIn(): void {
  shownList = '';
  const view = $('view');
  if (session && session.signInAvailable === false) {
    view.replaceChildren(h('h2', {}, t('signInTitle')), h('p', { class: 'error' }, t('signInUnavailable')));
    return;
  }
  view.replaceChildren(
    h('h2', {}, t('signInTitle')),
    h('p', {}, t('signInHint')),
    ...(signInProblem ? [h('p', { class: 'error' }, t('signInFailed'))] : []),
    h('button', { type: 'button', id: 'sign-in', onclick: signIn }, t('signInTitle')),
  );
}

/** A full navigation: the issuer sends the browser to the provider and back (code + PKCE). */
function signIn(): void {
  location.assign(apiUrl('/api/v1/holder/session/login'));
}

const isSignedOut = () => session?.signedIn === false;

async function loadSession(): Promise<void> {
  try {
    const response = await fetch(apiUrl('/api/v1/holder/session'), { cache: 'no-store', credentials: 'include' });
    if (response.ok) session = (await response.json()) as typeof session;
  } catch {
    // offline: the session is unknown; the passes on the device are shown all the same
  }
}

async function signOut(): Promise<void> {
  refresher.stop();
  try {
    await fetch(apiUrl('/api/v1/holder/session/logout'), { method: 'POST', credentials: 'include', headers: { 'X-CSRF-Token': session?.csrfToken ?? '' } });
  } catch {
    // offline: the cookie stays until the next sign-out or its expiry; the passes stay either way
  }
  session = { signedIn: false, signInAvailable: true };
  refreshState = { kind: 'idle' };
  render();
}

/** What the list on screen shows; redrawing an unchanged list would drop a keyboard user's focus. */
let shownList = '';

async function renderPasses(passes: readonly HeldPass[]): Promise<void> {
  const view = $('view');
  const list = `${language}|${passes.length === 0 ? refreshState.kind : ''}|${JSON.stringify(passes)}`;
  if (list === shownList) return;
  shownList = list;
  if (passes.length === 0) {
    view.replaceChildren(h('p', {}, refreshState.kind === 'refreshing' ? t('loading') : t('noPasses')));
    return;
  }
  const cards = await Promise.all(
    passes.map(async (pass) => {
      const thumb = h('div', { class: 'thumb', 'aria-hidden': 'true' });
      thumb.append(svgElement(await qrSvg(pass.text, 'M')));
      return h(
        'article',
        { class: 'pass', 'data-pass': pass.passId },
        thumb,
        h('span', { class: 'type' }, typeLabel(pass)),
        h('h2', { class: 'holder-name' }, pass.holder.name),
        h('p', { class: 'venue-status', 'data-pass': pass.passId }),
        h(
          'dl',
          {},
          h('dt', {}, t('born')),
          h('dd', { class: 'holder-birth' }, pass.holder.birthDate),
          h('dt', { class: 'secondary' }, t('passExpires')),
          h('dd', { class: 'secondary pass-expires' }, expiryOf(pass)),
        ),
        h(
          'div',
          { class: 'buttons' },
          h('button', { type: 'button', class: 'primary show-qr', onclick: () => void showQr(pass) }, t('showQr')),
          h('button', { type: 'button', class: 'print-card', onclick: () => void printPass(pass, 'card') }, t('printCard')),
          h('button', { type: 'button', class: 'print-a4', onclick: () => void printPass(pass, 'a4') }, t('printA4')),
        ),
      );
    }),
  );
  // A newer list may have been drawn while this one's codes were being made.
  if (shownList !== list) return;
  view.replaceChildren(...cards);
  paintStandings();
  void evaluateStandings();
}

// ---- venue check: the scanner's verify, on the phone, against the cached trust bundle

let trustStore: TrustStore | null = null;
const holderTimeMark = new TimeMark('vaxpass.holder.timeMark');
let standings = new Map<string, VenueStanding>();
let evaluation = 0;

async function evaluateStandings(): Promise<void> {
  // Until the saved bundle is opened (a few ms) say nothing, rather than flash "unavailable".
  if (!trustStore) return;
  const run = ++evaluation;
  const bundle = trustStore.current.bundle;
  // As a scanner decides: at the later of the phone's clock and the latest time it has seen.
  const now = holderTimeMark.decisionTime(new Date());
  const next = new Map<string, VenueStanding>();
  for (const pass of savedPasses()?.passes ?? []) next.set(pass.passId, await venueStanding(pass.text, bundle, now));
  if (run !== evaluation) return;
  standings = next;
  paintStandings();
}

/** Updates each card's line in place: redrawing the cards would drop a keyboard user's focus. */
function paintStandings(): void {
  for (const line of document.querySelectorAll<HTMLElement>('.venue-status')) {
    const standing = standings.get(line.dataset.pass ?? '');
    if (!standing) continue;
    const text =
      standing.kind === 'accepted'
        ? t('venueAccepted', { date: standing.until })
        : standing.kind === 'refused'
          ? t('venueRefused', { reason: FAILURE_REASONS[language][standing.code].what })
          : standing.kind === 'app-outdated'
            ? t('venueAppOutdated')
            : standing.kind === 'not-a-pass'
              ? t('venueNotAPass')
              : t('venueUnavailable');
    const key = `${standing.kind}|${text}`;
    if (line.dataset.shown === key) continue;
    line.dataset.shown = key;
    line.dataset.kind = standing.kind;
    if (standing.kind === 'refused') line.dataset.code = standing.code;
    else delete line.dataset.code;
    // A shape as well as a colour: the line must read without telling red from green.
    const symbol = standing.kind === 'accepted' ? '✓' : standing.kind === 'refused' ? '✕' : 'ⓘ';
    line.replaceChildren(h('span', { class: 'symbol', 'aria-hidden': 'true' }, symbol), h('span', { class: 'text' }, text));
  }
}

let qrOpener: HTMLElement | null = null;

async function showQr(pass: HeldPass): Promise<void> {
  qrOpener = document.activeElement instanceof HTMLElement && document.activeElement !== document.body ? document.activeElement : null;
  const screen = $('qr-screen');
  const code = h('div', { class: 'code' });
  code.append(svgElement(await qrSvg(pass.text, 'M')));
  const close = h('button', { type: 'button', class: 'close', onclick: closeQr }, t('close'));
  screen.replaceChildren(
    code,
    h(
      'div',
      { class: 'info' },
      h('p', { class: 'name', id: 'qr-name' }, pass.holder.name),
      h('p', { class: 'birth' }, pass.holder.birthDate),
      h('p', { class: 'hint' }, h('span', { 'aria-hidden': 'true' }, '☀ '), t('brightness')),
      close,
    ),
  );
  screen.setAttribute('aria-labelledby', 'qr-name');
  screen.hidden = false;
  setBackgroundInert(true);
  // Keyboard and screen-reader users land in the dialog, and go back to where they were on close.
  close.focus({ preventScroll: true });
  // Keep the screen on while the code is shown (where supported); a dimming screen fails scans.
  wakeLock = await navigator.wakeLock?.request('screen').catch(() => null);
  await screen.requestFullscreen?.().catch(() => undefined);
}

let wakeLock: WakeLockSentinel | null | undefined;
function closeQr(): void {
  const screen = $('qr-screen');
  if (screen.hidden) return;
  screen.hidden = true;
  setBackgroundInert(false);
  void wakeLock?.release().catch(() => undefined);
  // A background refresh may have redrawn the list meanwhile: fall back to the first pass's button.
  const opener = qrOpener?.isConnected ? qrOpener : document.querySelector<HTMLElement>('.show-qr');
  qrOpener = null;
  // Leaving full screen moves focus to the page, so give it back to the opener only afterwards.
  const exited = document.fullscreenElement ? document.exitFullscreen().catch(() => undefined) : Promise.resolve();
  void exited.then(() => opener?.focus());
}

/** The page under the full-screen code: out of the tab order and the accessibility tree while it shows. */
function setBackgroundInert(inert: boolean): void {
  for (const element of [document.querySelector('header'), $('status'), $('view')]) if (element) element.inert = inert;
}

export async function renderPrintSheet(pass: HeldPass, layout: 'card' | 'a4'): Promise<void> {
  const sheet = $('print-sheet');
  sheet.dataset.layout = layout;
  const code = h('div', { class: 'code' });
  code.append(svgElement(await qrSvg(pass.text, 'Q')));
  const details = h(
    'div',
    { class: 'details' },
    h('p', { class: [...pass.holder.name].length > 30 ? 'name long' : 'name' }, pass.holder.name),
    h('p', { class: 'birth' }, `${t('born')}: `, h('span', { class: 'date' }, pass.holder.birthDate)),
    h('p', { class: 'type' }, `${typeLabel(pass)} · ${t('passExpires')} `, h('span', { class: 'date' }, expiryOf(pass))),
    h('p', { class: 'issuer' }, `${t('issuer')}: ${issuerOf(pass.text) ?? '—'}`),
  );
  const note = h('p', { class: 'note' }, t('printNote'));
  sheet.replaceChildren(...(layout === 'card' ? [h('div', { class: 'card' }, code, details), note] : [code, details, note]));
}

async function printPass(pass: HeldPass, layout: 'card' | 'a4'): Promise<void> {
  await renderPrintSheet(pass, layout);
  window.print();
}

/** Development: forget the root pinned from the server and start over with the one it publishes now. */
function forgetRoot(): void {
  trustStore?.forgetDevRoot();
  location.reload();
}

function renderStatus(): void {
  paintRootChange($('root-change'), trustStore?.current.rootChange ?? null, language, forgetRoot);
  const status = $('status');
  status.dataset.kind = refreshState.kind;
  const saved = savedPasses();
  if (refreshState.kind === 'refreshing') status.textContent = t('refreshing');
  // Signed out with passes on the device: the passes stay; a button offers to sign in to refresh them.
  else if (saved && (refreshState.kind === 'signed-out' || session?.signedIn === false)) {
    if (!status.querySelector('#sign-in-again')) status.replaceChildren(h('button', { type: 'button', id: 'sign-in-again', onclick: signIn }, t('signInAgain')));
  } else if (refreshState.kind === 'failed') status.textContent = refreshState.status === null && !navigator.onLine ? t('offline') : t('refreshFailed', { age: formatAge(Math.max(0, refreshState.retryAt - Date.now()) / 1000, language) });
  else status.textContent = saved ? t('updated', { age: formatAge((Date.now() - saved.checkedAt) / 1000, language) }) : '';
}

function render(): void {
  document.documentElement.lang = language;
  $('language').textContent = t('language');
  // The switch is labelled in the other language; screen readers should pronounce it in that language.
  $('language').lang = language === 'ko' ? 'en' : 'ko';
  const signOutButton = $('sign-out');
  signOutButton.hidden = session?.signedIn !== true;
  signOutButton.textContent = t('signOut');
  renderStatus();
  // Passes on the device are always shown, whatever the session, the network or the server say.
  const saved = savedPasses();
  if (saved) return void renderPasses(saved.passes);
  shownList = '';
  if (session?.signedIn === true) $('view').replaceChildren(h('p', {}, t('loading')));
  else renderSignIn();
}

const refresher = new PassRefresher((state) => {
  refreshState = state;
  if (state.kind === 'signed-out' && session) session = { ...session, signedIn: false };
  render();
});
(globalThis as unknown as { vaxpassHolder: unknown }).vaxpassHolder = { refreshLog: refresher.log, refresh: () => refresher.refresh(), renderPrintSheet: (passId: string, layout: 'card' | 'a4') => {
  const pass = savedPasses()?.passes.find((p) => p.passId === passId);
  return pass ? renderPrintSheet(pass, layout) : Promise.resolve();
}, syncTrust: () => syncTrust() };

function syncTrust(): Promise<void> {
  return trustStore ? trustStore.sync(() => new Date()) : Promise.resolve();
}

$('language').addEventListener('click', () => {
  language = language === 'ko' ? 'en' : 'ko';
  localStorage.setItem(LANGUAGE_KEY, language);
  render();
});
$('sign-out').addEventListener('click', () => void signOut());
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') closeQr();
});
window.addEventListener('online', () => {
  if (!isSignedOut()) void refresher.refresh();
  void syncTrust();
});
// Timers sleep with the page in the background: a phone taken out of a pocket after midnight re-checks at once.
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) void evaluateStandings();
});

const returned = new URLSearchParams(location.search).get('signIn');
if (returned !== null) {
  signInProblem = returned === 'failed' || returned === 'expired';
  history.replaceState(null, '', location.pathname);
}
render();
void registerServiceWorker();
await loadSession();
render();
// Unknown (offline) counts as maybe signed in: the refresh then fails softly and retries.
if (!isSignedOut()) void refresher.refresh();
// "Updated 5 min ago" and "Next try in 12 s" age while the app is open.
setInterval(renderStatus, 1000);
document.body.dataset.ready = 'true';

// The trust bundle is kept like the scanner's: the saved one first (offline), then a sync. Passes
// are already on screen; a missing or failed bundle only makes the venue line say it cannot tell.
const store = new TrustStore('vaxpass.holder.trust', await chooseBackend(), () => { renderStatus(); void evaluateStandings(); }, holderTimeMark);
await store.loadSaved(new Date());
trustStore = store;
void evaluateStandings();
void syncTrust();
setInterval(() => void syncTrust(), TRUST_SYNC_INTERVAL_MS);
setInterval(() => void evaluateStandings(), STANDING_INTERVAL_MS);
