// Venue mode in real Chromium against a real issuer (startServer, SQLite, dev keys and provider):
// the scanner enrols with a one-time code, goes offline, records three VALID scans, keeps them
// across a reload (answered by the service worker), holds no pass id, name or time in any browser
// storage, and uploads them when the network is back; the authority's query then names exactly
// those three people.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fromBase64Url, generateAuthorityKey, importAuthorityPrivateKey, openBundle, verify } from '../../src/core/index.ts';
import { DEMO_PEOPLE } from '../../src/demo/seed-demo-registry.ts';
import { queryEntryLog } from '../../src/entry-log/query-entry-log.ts';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend.ts';
import type { RunningServer } from '../../src/server/main.ts';
import { cspViolations, tempDir } from '../support/browser.ts';
import { describeInChromium } from '../support/chromium-suite.ts';
import { ensureAppsBuilt } from '../support/build-apps.ts';
import { signInThroughProvider } from '../support/sign-in-through-provider.ts';
import { startDevIssuer } from '../support/start-dev-issuer.ts';

const ADMIN_TOKEN = 'entry-log-admin-token-0123456789abcdef0123';

interface HolderPass {
  passId: string;
  text: string;
  holder: { name: string; birthDate: string };
}

type VenueHooks = { pending: number; state: string; recorded: number; refused: number };
const hooks = (page: Page) => page.evaluate(() => ({ ...(globalThis as unknown as { vaxpassVenue: VenueHooks }).vaxpassVenue }));

async function waitFor(page: Page, predicate: (h: VenueHooks) => boolean, timeoutMs = 30_000): Promise<VenueHooks> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const h = await hooks(page);
    if (predicate(h)) return h;
    if (Date.now() > deadline) throw new Error(`venue hooks never matched: ${JSON.stringify(h)}`);
    await page.waitForTimeout(200);
  }
}

/** Everything the page's origin keeps: localStorage, sessionStorage, every IndexedDB database and every cache entry. */
async function browserStorage(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const out: unknown[] = [{ ...localStorage }, { ...sessionStorage }];
    for (const info of await indexedDB.databases()) {
      const db = await new Promise<IDBDatabase>((ok, fail) => {
        const r = indexedDB.open(info.name!);
        r.onsuccess = () => ok(r.result);
        r.onerror = () => fail(r.error);
      });
      for (const name of db.objectStoreNames) {
        const all = await new Promise<unknown[]>((ok) => {
          const r = db.transaction(name).objectStore(name).getAll();
          r.onsuccess = () => ok(r.result);
        });
        out.push({ db: info.name, store: name, all });
      }
      db.close();
    }
    for (const key of await caches.keys()) {
      const cache = await caches.open(key);
      for (const request of await cache.keys()) out.push({ url: request.url, body: await (await cache.match(request))!.text() });
    }
    return JSON.stringify(out);
  });
}

describeInChromium('scanner venue mode (real issuer, real Chromium)', { suite: 'entry-log browser tests' }, (chromium) => {
  let dir: ReturnType<typeof tempDir>;
  let server: RunningServer;
  let authority: Awaited<ReturnType<typeof generateAuthorityKey>>;
  const passes: { personId: string; pass: HolderPass }[] = [];

  beforeAll(async () => {
    await ensureAppsBuilt();
    dir = tempDir('vaxpass-entry-log-');
    authority = await generateAuthorityKey();
    const policyFile = join(dir.path, 'entry-log-policy.json');
    writeFileSync(policyFile, JSON.stringify({ retentionDays: 28, authorityKeys: [authority.publicKey] }));
    server = await startDevIssuer(dir.path, { port: '0', devIdpPort: '0' }, { VAXPASS_ADMIN_TOKEN: ADMIN_TOKEN, VAXPASS_ENTRY_LOG_POLICY: policyFile });
    const backend = createNodeCryptoBackend();
    const root = fromBase64Url(((await (await fetch(`${server.url}/api/v1/trust-root`)).json()) as { publicKey: string }).publicKey)!;
    const opened = await openBundle(await (await fetch(`${server.url}/api/v1/trust-bundle`)).text(), { root, now: new Date(), backend });
    if (!opened.ok) throw new Error(`server bundle does not open: ${opened.code}`);
    for (const candidate of DEMO_PEOPLE) {
      const cookie = await signInThroughProvider(server.url, candidate.personId);
      const { passes: held } = (await (await fetch(`${server.url}/api/v1/holder/passes`, { headers: { Cookie: cookie } })).json()) as { passes: HolderPass[] };
      const valid = [];
      for (const p of held) if ((await verify(p.text, opened.bundle, { now: new Date() })).ok) valid.push(p);
      if (valid[0]) passes.push({ personId: candidate.personId, pass: valid[0] });
      if (passes.length === 3) break;
    }
    if (passes.length < 3) throw new Error('fewer than three demo people have a pass that is valid today');
    await chromium.launch();
  }, 180_000);

  afterAll(async () => {
    await server?.close();
    dir?.remove();
  });

  it('enrols, records offline as ciphertext only, keeps records across a reload, uploads on reconnect; the authority query names exactly the three', async () => {
    const created = await fetch(`${server.url}/api/v1/admin/venues`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ id: 'hall-1', name: 'Hall One' }) });
    expect(created.status).toBe(201);
    const { enrolmentCode } = (await created.json()) as { enrolmentCode: string };

    const { context, page } = await chromium.newPage();
    await page.goto(`${server.url}/scanner/?camera=off&hold=60000`);
    await page.waitForSelector('body[data-ready="true"]');
    // Off by default: nothing records before enrolment.
    await expect(page.textContent('#venue')).resolves.toMatch(/Off\./);
    await page.click('#venue summary');
    await page.fill('#venue-code', enrolmentCode);
    await page.click('#venue-enrol-button');
    await page.waitForSelector('#venue-status');
    await expect(page.textContent('#venue-status')).resolves.toMatch(/Recording entries for Hall One/);

    // Offline: the service worker serves the app, scanning goes on, records stay on the device.
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await context.setOffline(true);
    const started = Math.floor(Date.now() / 1000) - 1;
    for (const { pass } of passes) {
      await page.fill('#manual-code', pass.text);
      await page.click('#manual-check');
      // The verdict stays until dismissed (hold=60000), so a loaded machine cannot miss it.
      await page.waitForSelector('#result[data-verdict="valid"]', { timeout: 60_000 });
      await page.click('#result');
      await page.waitForSelector('#result', { state: 'hidden' });
    }
    await waitFor(page, (h) => h.recorded === 3 && h.pending === 3);
    const reload = await page.reload();
    expect(reload?.fromServiceWorker()).toBe(true);
    await page.waitForSelector('body[data-ready="true"]');
    await waitFor(page, (h) => h.pending === 3);
    await expect(page.textContent('#venue-upload')).resolves.toMatch(/3 records waiting to upload/);
    const ended = Math.floor(Date.now() / 1000) + 1;

    const stored = await browserStorage(page);
    expect(stored).toContain('"sealed"'); // the records are there, as ciphertext
    for (const { pass } of passes) {
      for (const secret of [pass.passId, pass.passId.slice(0, 10), pass.holder.name, pass.text.slice(0, 40)]) expect(stored).not.toContain(secret);
    }
    // The scanner's time mark (the latest clock reading it has seen, docs/pass-format.md §8) is the one
    // time kept on purpose: a single number, overwritten on every reading, tied to no entry.
    const withoutTimeMark = stored.replace(/"vaxpass\.scanner\.timeMark":"\d+(\.\d+)?"/, '');
    expect(withoutTimeMark).not.toBe(stored);
    for (const n of withoutTimeMark.match(/(?<!\d)\d{10}(?!\d)/g) ?? []) expect(Number(n) >= started && Number(n) <= ended, `a unix time ${n} of the scans is stored`).toBe(false);
    expect(stored).not.toMatch(new RegExp(new Date(started * 1000).toISOString().slice(0, 15)));
    expect((await server.db.orm.select().from(server.db.t.entryBatches)).length).toBe(0);

    // Back online: one batch goes up, the device forgets what the issuer stored.
    await context.setOffline(false);
    await page.evaluate(() => dispatchEvent(new Event('online')));
    await waitFor(page, (h) => h.pending === 0 && h.state === 'idle');
    const batches = await server.db.orm.select().from(server.db.t.entryBatches);
    expect(batches.map((b) => b.recordCount).reduce((a, b) => a + b, 0)).toBe(3);
    expect(await cspViolations(page)).toEqual([]);

    const privateKeys = new Map([[authority.publicKey.kid, await importAuthorityPrivateKey(authority.privateJwk)]]);
    const answer = await queryEntryLog(server.db, { venueId: 'hall-1', from: started, to: ended, privateKeys, operator: 'test', now: ended });
    expect(answer.people.map((p) => p.personId)).toEqual(passes.map((p) => p.personId).sort());
    const before = await queryEntryLog(server.db, { venueId: 'hall-1', from: started - 3600, to: started, privateKeys, operator: 'test', now: ended });
    expect(before.people).toEqual([]);
    await context.close();
  }, 180_000);

  it('deletes records on the device once the policy retention has passed, even when the bundle has expired meanwhile', async () => {
    const created = await fetch(`${server.url}/api/v1/admin/venues`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ id: 'hall-2', name: 'Hall Two' }) });
    const { enrolmentCode } = (await created.json()) as { enrolmentCode: string };
    const { context, page } = await chromium.newPage();
    await page.goto(`${server.url}/scanner/?camera=off&hold=60000`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.click('#venue summary');
    await page.fill('#venue-code', enrolmentCode);
    await page.click('#venue-enrol-button');
    await page.waitForSelector('#venue-status');
    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await context.setOffline(true);
    await page.fill('#manual-code', passes[0]!.pass.text);
    await page.click('#manual-check');
    await page.waitForSelector('#result[data-verdict="valid"]', { timeout: 60_000 });
    await waitFor(page, (h) => h.pending === 1);
    const DAY_MS = 86_400_000;
    // 27 days on (the trust bundle long expired): still kept; 29 days on: gone, never uploaded.
    await page.clock.setFixedTime(Date.now() + 27 * DAY_MS);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.waitForTimeout(500);
    expect((await hooks(page)).pending).toBe(1);
    await page.clock.setFixedTime(Date.now() + 29 * DAY_MS);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await waitFor(page, (h) => h.pending === 0);
    await context.close();
  }, 120_000);

  it('warns visibly when the device store nears its bound of 100,000 records', async () => {
    const created = await fetch(`${server.url}/api/v1/admin/venues`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ id: 'hall-3', name: 'Hall Three' }) });
    const { enrolmentCode } = (await created.json()) as { enrolmentCode: string };
    const { context, page } = await chromium.newPage();
    await page.goto(`${server.url}/scanner/?camera=off&hold=60000`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.click('#venue summary');
    await page.fill('#venue-code', enrolmentCode);
    await page.click('#venue-enrol-button');
    await page.waitForSelector('#venue-status');
    await context.setOffline(true);
    // 90,000 records written straight into the scanner's store (opaque placeholders: only their number matters here).
    await page.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((ok, fail) => {
        const r = indexedDB.open('vaxpass-entry-log');
        r.onsuccess = () => ok(r.result);
        r.onerror = () => fail(r.error);
      });
      const tx = db.transaction('records', 'readwrite');
      const day = Math.floor(Date.now() / 86_400_000);
      for (let i = 0; i < 90_000; i++) tx.objectStore('records').add({ sealed: { kid: 'placeholder', enc: '', ct: '' }, day });
      await new Promise((ok) => (tx.oncomplete = ok));
      db.close();
    });
    await page.reload();
    await page.waitForSelector('#venue-near-full', { timeout: 60_000 });
    await expect(page.textContent('#venue-near-full')).resolves.toMatch(/almost full \(90000 of 100000\)/);
    expect(await page.getAttribute('#venue', 'open')).not.toBeNull();
    await context.close();
  }, 180_000);
});
