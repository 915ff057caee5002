// Venue mode: off by default. A venue enrols once (one-time code → venue credential, kept in local
// storage); from then on each VALID scan is recorded as pass id, time and venue, sealed at once to
// the health authority's key from the trust bundle, stored as ciphertext and uploaded in the
// background. Recording never delays the verdict and never throws into the scan path.
import { sealEntry, type EntryLogPolicy } from '../../core/entry-log.ts';
import type { TrustedBundle, VerificationSuccess } from '../../core/index.ts';
import { apiUrl, h } from '../shared/dom.ts';
import { translator, type Language } from '../shared/i18n.ts';
import { EntryLogStore, MAX_RECORDS, WARN_RECORDS } from './entry-log-store.ts';
import { EntryUploader, type UploadState } from './entry-uploader.ts';
import { VENUE_MESSAGES } from './venue-messages.ts';

const VENUE_KEY = 'vaxpass.scanner.venue';
const DAY = 86_400;

interface Enrolment {
  readonly venueId: string;
  readonly name: string;
  readonly credential: string;
  readonly recording: boolean;
  /** The last retention period the bundle published: records still go when the bundle has expired. */
  readonly retentionDays?: number;
}

export interface VenueMode {
  /** Records a verified entry in the background (no-op when venue mode is off). */
  record(result: VerificationSuccess): void;
  render(): void;
}

/** Test hooks: counts and states only, never record contents. */
export const venueHooks = { pending: 0, state: 'idle' as UploadState, recorded: 0, refused: 0 };

export async function startVenueMode(deps: {
  bundle: () => TrustedBundle | null;
  language: () => Language;
  mount: HTMLElement;
  /** Unix seconds the scanner decides at (the later of its clock and its time mark): a clock set back keeps nothing longer. */
  now: () => number;
}): Promise<VenueMode> {
  const t = translator(VENUE_MESSAGES, deps.language);
  (globalThis as unknown as { vaxpassVenue: typeof venueHooks }).vaxpassVenue = venueHooks;
  let enrolment = readEnrolment();
  let store: EntryLogStore | null = null;
  let uploader: EntryUploader | null = null;
  let state: UploadState = 'idle';
  let message = '';
  let chain: Promise<unknown> = Promise.resolve();

  const policy = (): EntryLogPolicy | null => deps.bundle()?.document.entryLog ?? null;

  const panel = h('details', { id: 'venue', class: 'venue' });
  deps.mount.after(panel);

  async function openStore(): Promise<EntryLogStore> {
    store ??= await EntryLogStore.open();
    return store;
  }

  async function refreshCount(): Promise<void> {
    if (!store) return;
    venueHooks.pending = await store.count();
    render();
  }

  async function purge(): Promise<void> {
    const days = policy()?.retentionDays ?? enrolment?.retentionDays;
    if (days === undefined || !store) return;
    if (enrolment && enrolment.retentionDays !== days) save({ ...enrolment, retentionDays: days });
    await store.purgeBefore(Math.floor(deps.now() / DAY) - days);
    await refreshCount();
  }

  function save(e: Enrolment): void {
    enrolment = e;
    localStorage.setItem(VENUE_KEY, JSON.stringify(e));
  }

  function startUploader(e: Enrolment): void {
    uploader?.stop();
    uploader = new EntryUploader({
      store: store!,
      venueId: e.venueId,
      credential: e.credential,
      onState: (s) => {
        state = venueHooks.state = s;
        void refreshCount();
      },
    });
    uploader.soon(0);
  }

  async function enrol(code: string): Promise<void> {
    message = t('enrolling');
    render();
    let response: Response;
    try {
      response = await fetch(apiUrl('/api/v1/venues/enrolment'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ enrolmentCode: code }), cache: 'no-store' });
    } catch {
      message = t('enrolOffline');
      return render();
    }
    const body = (await response.json().catch(() => ({}))) as { venueId?: string; name?: string; credential?: string; detail?: string };
    if (response.status !== 201 || !body.venueId || !body.credential) {
      message = t('enrolFailed', { reason: body.detail ?? String(response.status) });
      return render();
    }
    save({ venueId: body.venueId, name: body.name ?? body.venueId, credential: body.credential, recording: true, ...(policy() ? { retentionDays: policy()!.retentionDays } : {}) });
    message = '';
    await openStore();
    startUploader(enrolment!);
    await refreshCount();
  }

  function setRecording(on: boolean): void {
    if (!enrolment) return;
    save({ ...enrolment, recording: on });
    render();
  }

  function render(): void {
    const e = enrolment;
    const children: (Node | string)[] = [h('summary', {}, t('venueMode'))];
    if (!e) {
      const input = h('input', { id: 'venue-code', autocomplete: 'off', spellcheck: 'false' });
      children.push(
        h('p', {}, t('venueOff')),
        h(
          'form',
          { id: 'venue-enrol', onsubmit: (event: Event) => (event.preventDefault(), void enrol(input.value.trim())) },
          h('label', { for: 'venue-code' }, t('enrolLabel')),
          h('div', { class: 'row' }, input, h('button', { type: 'submit', id: 'venue-enrol-button' }, t('enrol'))),
        ),
      );
    } else {
      const toggle = h('input', { type: 'checkbox', id: 'venue-recording', onchange: (event: Event) => setRecording((event.target as HTMLInputElement).checked) });
      toggle.checked = e.recording;
      children.push(h('p', { id: 'venue-status' }, t(e.recording ? 'venueOn' : 'venuePaused', { name: e.name })), h('label', {}, toggle, ' ', t('record')));
      if (!policy()) children.push(h('p', { class: 'venue-warning' }, t('noPolicy')));
    }
    const n = venueHooks.pending;
    const uploadLine = state === 're-enrol' ? t('reEnrol') : state === 'offline' ? t('offlineUpload') : state === 'waiting' ? t('waitingUpload') : state === 'uploading' ? t('uploading') : n === 0 ? t('allUploaded') : '';
    if (e) children.push(h('p', { id: 'venue-upload' }, n > 0 ? `${t('pending', { count: n })}. ${uploadLine}` : uploadLine));
    if (n >= MAX_RECORDS) children.push(h('p', { class: 'venue-warning', id: 'venue-full', role: 'alert' }, t('full')));
    else if (n >= WARN_RECORDS) children.push(h('p', { class: 'venue-warning', id: 'venue-near-full', role: 'alert' }, t('nearFull', { count: n, max: MAX_RECORDS })));
    if (message) children.push(h('p', { id: 'venue-message' }, message));
    // A warning opens the panel: staff must see it without looking for it.
    if (n >= WARN_RECORDS || state === 're-enrol') panel.open = true;
    panel.replaceChildren(...children);
  }

  function record(result: VerificationSuccess): void {
    const e = enrolment;
    const p = policy();
    if (!e || !e.recording || !p) return;
    // Serialised so the count and the bound are checked one record at a time; the scan has already been answered.
    chain = chain.then(async () => {
      try {
        const sealed = await sealEntry(p, { passId: result.passId, at: result.decidedAt, venueId: e.venueId });
        const kept = await (await openStore()).add({ sealed, day: Math.floor(result.decidedAt / DAY) });
        if (kept) venueHooks.recorded++;
        else venueHooks.refused++;
        await refreshCount();
        uploader?.soon();
      } catch {
        venueHooks.refused++;
      }
    });
  }

  if (enrolment) {
    await openStore();
    await purge();
    startUploader(enrolment);
  }
  setInterval(() => void purge(), 3600_000);
  render();
  return { record, render };
}

function readEnrolment(): Enrolment | null {
  try {
    const v = JSON.parse(localStorage.getItem(VENUE_KEY) ?? 'null') as Enrolment | null;
    return v && typeof v.venueId === 'string' && typeof v.credential === 'string' ? { ...v, recording: v.recording !== false } : null;
  } catch {
    return null;
  }
}
