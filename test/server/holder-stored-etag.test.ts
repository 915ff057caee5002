// A holder refresh answered 304 from the person's stored ETag (src/db/queries/holder-answers.ts,
// src/server/session/holder-not-modified.ts), on SQLite and PostgreSQL: the 304 needs no more than
// the session and the stored answer, and every write that can change a person's answer voids it,
// so a stale ETag never gets a 304. The per-instance refresh cache is off here (its lifetime 0):
// every 304 below comes from the database or the full path.
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openPostgres } from '../../src/db/postgres/open-postgres.ts';
import type { VaxpassDatabase } from '../../src/db/store.ts';
import { testConfig } from '../../src/server/config.ts';
import { createApp } from '../../src/server/create-app.ts';
import { watchedKeyDirectory } from '../../src/server/issuer-keys.ts';
import { createLogger } from '../../src/server/logger.ts';
import { TEST_POSTGRES_URL, testDialect } from '../support/create-test-database.ts';
import { countStatements } from '../support/statement-counter.ts';
import { holderAnswerStamp, invalidateHolderAnswer, raiseHolderAnswerGeneration, storedHolderAnswerForSession, storedHolderAnswersForSessions, storeHolderAnswer } from '../../src/db/queries/holder-answers.ts';
import { deleteHolderSession, insertHolderSession, sessionIdHash } from '../../src/db/queries/holder-sessions.ts';
import { registryWriter } from '../../src/db/queries/registry-import.ts';
import { strongEtag } from '../../src/server/http-cache.ts';
import { isCurrentHolderAnswerEtag } from '../../src/server/session/holder-answer-etag.ts';
import { ADMIN_TOKEN, createServerFixture, problemOf, type ServerFixture } from './support/server-fixture.ts';

// Writes another instance could make while a full path runs, after the stamp and the answer's
// reads: before the issuance (the pass id is drawn just before signing), and after the answer is
// built, before its ETag is stored (the answer's last step waits for durability).
const hooks = vi.hoisted(() => ({ beforeIssuing: [] as (() => Promise<unknown>)[] }));
vi.mock('../../src/server/issuance/pass-id.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/server/issuance/pass-id.ts')>();
  return { ...real, unusedPassId: async (db: Parameters<typeof real.unusedPassId>[0]) => (await hooks.beforeIssuing.shift()?.(), real.unusedPassId(db)) };
});

type Passes = { passes: { passId: string; type: string; kid: string; issuedAt: string; expiresAt: string }[] };

let f: ServerFixture;
beforeEach(async () => {
  f = await createServerFixture({ holderRefreshCacheSeconds: 0 });
});
afterEach(() => f.cleanup());

const now = () => Math.floor(f.clock.now().getTime() / 1000);

/** A signed-in session for the person, as the sign-in callback writes it; returns the cookie value. */
async function signedIn(personId: string, sessionSeconds = 86_400 * 30): Promise<string> {
  const cookie = randomBytes(32).toString('base64url');
  await f.db.transaction((tx) => insertHolderSession(tx, { idHash: sessionIdHash(cookie), personId, csrfToken: 'csrf', pkceVerifier: null, state: null, nonce: null, createdAt: now(), expiresAt: now() + sessionSeconds }));
  return cookie;
}

const refresh = (cookie: string, etag?: string) =>
  f.app.request('/api/v1/holder/passes', { headers: { Cookie: `vaxpass_session=${cookie}`, ...(etag ? { 'If-None-Match': etag } : {}) } });

async function firstRefresh(personId: string, sessionSeconds?: number) {
  const cookie = await signedIn(personId, sessionSeconds);
  const res = await refresh(cookie);
  expect(res.status).toBe(200);
  const body = (await res.json()) as Passes;
  return { cookie, etag: res.headers.get('etag')!, body };
}

const storedFor = (cookie: string) => storedHolderAnswerForSession(f.db, cookie, now());

/** A registry change made behind the issuer's back (no invalidation): only the full path would see it. */
const addTestBehindTheIssuersBack = (personId: string) =>
  f.db.transaction((tx) => tx.orm.insert(tx.t.testResults).values({ id: `t-${randomBytes(4).toString('hex')}`, personId, kind: 'PCR', sampledAt: now() - 3600, result: 'negative', createdAt: now() }));

/** The same database as another instance sees it: on PostgreSQL a second store (its own pool), on SQLite the one store. */
async function secondStore(): Promise<{ db: VaxpassDatabase; close(): Promise<void> }> {
  if (testDialect !== 'postgres') return { db: f.db, close: async () => {} };
  const db = await openPostgres(TEST_POSTGRES_URL, { schema: f.database.env.VAXPASS_PG_SCHEMA!, poolSize: 2, migrate: false });
  return { db, close: () => db.close() };
}

/** Runs `write` once, when the next full path has built its answer and before it stores the ETag. */
function beforeStoring(write: () => Promise<unknown>): void {
  const durable = f.db.durable.bind(f.db);
  f.db.durable = async () => {
    f.db.durable = durable;
    await write();
    return durable();
  };
}

describe('the first fetch stores its own ETag (its own issuance does not void it)', () => {
  it.each([
    ['one pass', 'demo-0001', 1],
    ['two passes, two issuances', 'demo-0001', 2],
  ])('%s: the refresh after the first fetch is a 304 from the stored ETag, with one statement, also on another app over the same database', async (_, personId, issued) => {
    if (issued === 2) {
      await f.db.transaction(async (tx) => {
        await registryWriter(tx, now()).write({ kind: 'test', personId, testKind: 'RAT', sampledAt: now() - 600, result: 'negative' });
      });
    }
    const cookie = await signedIn(personId);
    const first = await refresh(cookie);
    expect(first.status).toBe(200);
    expect(((await first.json()) as Passes).passes).toHaveLength(issued);
    const etag = first.headers.get('etag')!;
    expect(await storedFor(cookie)).toEqual({ personId, etag, sessionExpiresAt: expect.any(Number) });
    const counted = await countStatements(async () => expect((await refresh(cookie, etag)).status).toBe(304));
    // The batched read of the session and the stored answer, nothing else: no full path.
    expect(counted.sql, counted.sql.join('\n')).toHaveLength(1);
    const other = await secondStore();
    try {
      const app = createApp({ db: other.db, signer: watchedKeyDirectory(f.keysDir, 0), clock: f.clock, config: testConfig({ holderRefreshCacheSeconds: 1 }), logger: createLogger('silent', () => {}) });
      const res = await app.request('/api/v1/holder/passes', { headers: { Cookie: `vaxpass_session=${cookie}`, 'If-None-Match': etag } });
      expect(res.status).toBe(304);
      expect(res.headers.get('etag')).toBe(etag);
    } finally {
      await other.close();
    }
  });

  it('a pass issued again by the full path (the old one revoked) stores the new answer’s ETag too', async () => {
    const { cookie, body } = await firstRefresh('demo-0001');
    expect((await f.admin('/revocations/passes', { passId: body.passes[0]!.passId, reason: 'lost phone' })).status).toBe(201);
    const again = await refresh(cookie);
    expect(again.status).toBe(200);
    const etag = again.headers.get('etag')!;
    expect((await storedFor(cookie))?.etag).toBe(etag);
    expect((await refresh(cookie, etag)).status).toBe(304);
  });

  it.each([
    ['a person with no stored answer yet', false],
    ['a person whose answer was stored and voided', true],
  ])('%s: a write between the stamp and the issuance (another instance) still keeps the answer from being stored', async (_, hadRow) => {
    const cookie = await signedIn('demo-0001');
    if (hadRow) await f.db.transaction((tx) => invalidateHolderAnswer(tx, 'demo-0001'));
    const other = await secondStore();
    try {
      // A registry change with its invalidation, after the full path read the facts it builds from.
      hooks.beforeIssuing.push(async () => {
        await addTestBehindTheIssuersBack('demo-0001');
        await other.db.transaction((tx) => invalidateHolderAnswer(tx, 'demo-0001'));
      });
      const first = await refresh(cookie);
      expect(hooks.beforeIssuing).toHaveLength(0);
      expect(first.status).toBe(200);
      expect(((await first.json()) as Passes).passes.map((p) => p.type)).toEqual(['vaccination']);
      expect(await storedFor(cookie)).toBeNull();
      const after = await refresh(cookie, first.headers.get('etag')!);
      expect(after.status).toBe(200);
      expect(((await after.json()) as Passes).passes.map((p) => p.type).sort()).toEqual(['test', 'vaccination']);
    } finally {
      await other.close();
    }
  });

  it('a global change between the stamp and the issuance, or a write between the issuance and the store, keeps it from being served', async () => {
    const one = await signedIn('demo-0001');
    hooks.beforeIssuing.push(() => f.db.transaction((tx) => raiseHolderAnswerGeneration(tx)));
    const first = await refresh(one);
    expect(first.status).toBe(200);
    expect(await storedFor(one)).toBeNull();

    const two = await signedIn('demo-0002');
    const other = await secondStore();
    try {
      beforeStoring(() => other.db.transaction((tx) => invalidateHolderAnswer(tx, 'demo-0002')));
      const fetched = await refresh(two);
      expect(fetched.status).toBe(200);
      expect(await storedFor(two)).toBeNull();
      expect((await holderAnswerStamp(f.db, 'demo-0002')).etag).toBeNull();
    } finally {
      await other.close();
    }
  });
});

describe('holder 304 from the stored ETag', () => {
  it('answers the stored ETag (strong or weak form) with 304 from the session and the stored answer alone', async () => {
    const { cookie, etag } = await firstRefresh('demo-0001');
    expect(await storedFor(cookie)).toEqual({ personId: 'demo-0001', etag, sessionExpiresAt: expect.any(Number) });
    await addTestBehindTheIssuersBack('demo-0001');
    // Were the answer rebuilt, the new test result would change it: these 304s read nothing else.
    for (const tag of [etag, `W/${etag}`, `"x", ${etag}`]) {
      const res = await refresh(cookie, tag);
      expect(res.status).toBe(304);
      expect(res.headers.get('etag')).toBe(etag);
      expect(res.headers.get('cache-control')).toBe('private, no-cache');
    }
    // Anything else takes the full path, which does see the change.
    const full = await refresh(cookie, '"another"');
    expect(full.status).toBe(200);
    expect(((await full.json()) as Passes).passes.map((p) => p.type).sort()).toEqual(['test', 'vaccination']);
  });

  it('never confirms another person’s ETag, nor anything without a live session', async () => {
    const one = await firstRefresh('demo-0001');
    const two = await firstRefresh('demo-0002');
    expect((await refresh(two.cookie, one.etag)).status).toBe(200);
    const anonymous = await f.app.request('/api/v1/holder/passes', { headers: { 'If-None-Match': one.etag } });
    expect(anonymous.status).toBe(401);
    await f.db.transaction((tx) => deleteHolderSession(tx, one.cookie));
    expect((await refresh(one.cookie, one.etag)).status).toBe(401);
    f.clock.advance(86_400 * 30 + 1);
    expect(await storedFor(two.cookie)).toBeNull();
    expect((await refresh(two.cookie, two.etag)).status).toBe(401);
  });

  it('a revocation of one of the person’s passes voids their stored ETag only; the next refresh gets a new pass', async () => {
    const one = await firstRefresh('demo-0001');
    const two = await firstRefresh('demo-0002');
    expect((await f.admin('/revocations/passes', { passId: one.body.passes[0]!.passId, reason: 'lost phone' })).status).toBe(201);
    expect(await storedFor(one.cookie)).toBeNull();
    expect((await storedFor(two.cookie))?.etag).toBe(two.etag);
    const after = await refresh(one.cookie, one.etag);
    expect(after.status).toBe(200);
    expect(((await after.json()) as Passes).passes[0]!.passId).not.toBe(one.body.passes[0]!.passId);
    expect((await refresh(two.cookie, two.etag)).status).toBe(304);
  });

  it('a hold voids it (the refresh is refused), and so does the release', async () => {
    const { cookie, etag } = await firstRefresh('demo-0001');
    expect((await f.admin('/holds', { personId: 'demo-0001', reason: 'fraud case' })).status).toBe(201);
    expect(await storedFor(cookie)).toBeNull();
    const held = await refresh(cookie, etag);
    expect((await problemOf(held)).code).toBe('PERSON_ON_HOLD');
    // Stored again by hand, as a refresh racing the release could have: the release voids it.
    await storeHolderAnswer(f.db, 'demo-0001', await holderAnswerStamp(f.db, 'demo-0001'), etag, now() + 3600);
    expect((await storedFor(cookie))?.etag).toBe(etag);
    const released = await f.app.request('/api/v1/admin/holds/demo-0001', { method: 'DELETE', headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(released.status).toBe(200);
    expect(await storedFor(cookie)).toBeNull();
  });

  it('a key revocation voids every stored ETag (global generation)', async () => {
    const one = await firstRefresh('demo-0001');
    const two = await firstRefresh('demo-0002');
    const kid = one.body.passes[0]!.kid;
    expect((await f.admin('/revocations/keys', { kid, reason: 'compromised' })).status).toBe(201);
    expect(await storedFor(one.cookie)).toBeNull();
    expect(await storedFor(two.cookie)).toBeNull();
    expect((await refresh(one.cookie, one.etag)).status).not.toBe(304);
  });

  it('a registry import voids every stored ETag; the next refresh shows the imported record', async () => {
    const { cookie, etag } = await firstRefresh('demo-0001');
    const other = await firstRefresh('demo-0002');
    await f.db.transaction(async (tx) => {
      const writer = registryWriter(tx, now());
      expect(await writer.write({ kind: 'test', personId: 'demo-0001', testKind: 'RAT', sampledAt: now() - 600, result: 'negative' })).toBe('written');
    });
    expect(await storedFor(cookie)).toBeNull();
    expect(await storedFor(other.cookie)).toBeNull();
    const after = await refresh(cookie, etag);
    expect(after.status).toBe(200);
    expect(((await after.json()) as Passes).passes.map((p) => p.type).sort()).toEqual(['test', 'vaccination']);
    // Unchanged for the other person: the full path confirms their ETag and stores it again.
    expect((await refresh(other.cookie, other.etag)).status).toBe(304);
    expect((await storedFor(other.cookie))?.etag).toBe(other.etag);
  });

  it('holds only until the answer would change by itself: the civil day turns, a pass reaches half its lifetime', async () => {
    const { cookie, etag, body } = await firstRefresh('demo-0001', 86_400 * 3650);
    const [{ validUntil }] = (await f.db.orm.select({ validUntil: f.db.t.holderAnswers.validUntil }).from(f.db.t.holderAnswers).where(sql`${f.db.t.holderAnswers.personId} = 'demo-0001'`)) as [{ validUntil: number }];
    expect(validUntil).toBeGreaterThan(now());
    // The fixture starts at noon in Asia/Seoul: the stored ETag lasts until local midnight at the latest.
    expect(validUntil).toBeLessThanOrEqual(now() + 12 * 3600);
    f.clock.advance(validUntil - now());
    expect(await storedFor(cookie)).toBeNull();
    // Past half the pass's lifetime the pass is not handed out again: never a 304 for the old ETag
    // (that far out the test keys may no longer sign, so the answer may be a problem instead).
    const pass = body.passes[0]!;
    const half = (Date.parse(pass.expiresAt) - Date.parse(pass.issuedAt)) / 2000;
    f.clock.set(new Date(Date.parse(pass.issuedAt) + (half + 1) * 1000));
    expect(await storedFor(cookie)).toBeNull();
    expect((await refresh(cookie, etag)).status).not.toBe(304);
  });

  it('a test result entering its issue window later ends the stored ETag then', async () => {
    const sampledAt = now() + 1800;
    await f.db.transaction(async (tx) => {
      await registryWriter(tx, now()).write({ kind: 'test', personId: 'demo-0001', testKind: 'PCR', sampledAt, result: 'negative' });
    });
    const { cookie } = await firstRefresh('demo-0001');
    expect((await storedFor(cookie)) !== null).toBe(true);
    f.clock.advance(1800);
    expect(await storedFor(cookie)).toBeNull();
  });

  it('an answer built before a write is never stored over it (the change count and the generation read first)', async () => {
    const { cookie, etag } = await firstRefresh('demo-0001');
    await f.db.transaction((tx) => invalidateHolderAnswer(tx, 'demo-0001'));
    const stamp = await holderAnswerStamp(f.db, 'demo-0001');
    // A write lands between the stamp and the store: the store is dropped.
    await f.db.transaction((tx) => invalidateHolderAnswer(tx, 'demo-0001'));
    await storeHolderAnswer(f.db, 'demo-0001', stamp, etag, now() + 3600);
    expect(await storedFor(cookie)).toBeNull();
    // The same with a global change: stored, but under a generation that is no longer current.
    const again = await holderAnswerStamp(f.db, 'demo-0001');
    await f.db.transaction((tx) => raiseHolderAnswerGeneration(tx));
    await storeHolderAnswer(f.db, 'demo-0001', again, etag, now() + 3600);
    expect(await storedFor(cookie)).toBeNull();
    // And a person with no row yet: a write that creates it wins over the store.
    const fresh = await holderAnswerStamp(f.db, 'demo-0002');
    expect(fresh.changes).toBeNull();
    await f.db.transaction((tx) => invalidateHolderAnswer(tx, 'demo-0002'));
    await storeHolderAnswer(f.db, 'demo-0002', fresh, etag, now() + 3600);
    expect((await holderAnswerStamp(f.db, 'demo-0002')).etag).toBeNull();
  });

  it('never confirms a stored ETag of another answer format (a release that changed the answer)', async () => {
    const { cookie, etag, body } = await firstRefresh('demo-0001');
    expect(isCurrentHolderAnswerEtag(etag)).toBe(true);
    // What the previous release stored and gave out for the same person: an ETag of its own format.
    const previous = strongEtag(JSON.stringify(body));
    await storeHolderAnswer(f.db, 'demo-0001', await holderAnswerStamp(f.db, 'demo-0001'), previous, now() + 3600);
    expect((await storedFor(cookie))?.etag).toBe(previous);
    const res = await refresh(cookie, previous);
    expect(res.status).toBe(200);
    // The full path stored the current format's ETag over it, which is confirmed again.
    expect(res.headers.get('etag')).toBe(etag);
    expect((await storedFor(cookie))?.etag).toBe(etag);
    expect((await refresh(cookie, `W/${etag}`)).status).toBe(304);
  });

  it('refreshes that arrive together share one read, and each is judged on its own session and ETag', async () => {
    const one = await firstRefresh('demo-0001');
    const two = await firstRefresh('demo-0002');
    const shortLived = await firstRefresh('demo-0004', 60);
    f.clock.advance(61);
    const statuses = await Promise.all(
      [
        [one.cookie, one.etag],
        [two.cookie, `W/${two.etag}`],
        [two.cookie, one.etag],
        [shortLived.cookie, shortLived.etag],
        [one.cookie, `W/${one.etag}`],
      ].map(async ([cookie, etag]) => (await refresh(cookie!, etag)).status),
    );
    // The other person's ETag takes the full path (200); the expired session is refused (401).
    expect(statuses).toEqual([304, 304, 200, 401, 304]);
    const found = await storedHolderAnswersForSessions(f.db, [one.cookie, two.cookie, shortLived.cookie, 'no such session'], now());
    expect([...found.keys()].sort()).toEqual([one.cookie, two.cookie].sort());
    expect(found.get(two.cookie)).toEqual({ personId: 'demo-0002', etag: two.etag, sessionExpiresAt: expect.any(Number) });
  });

  it('keeps the per-holder quota: over it, the refresh gets 429, not a 304', async () => {
    await f.cleanup();
    f = await createServerFixture({ holderRefreshCacheSeconds: 0, holderQuotaPerMinute: 3 });
    const { cookie, etag } = await firstRefresh('demo-0001');
    expect((await refresh(cookie, etag)).status).toBe(304);
    expect((await refresh(cookie, etag)).status).toBe(304);
    expect((await refresh(cookie, etag)).status).toBe(429);
  });
});
