// The publisher as an immutable-artifact server: versions that never repeat across a lost
// database, the last good bundle served through a failing store, 304s without database work,
// and several instances on one database serving the same bytes within a second of a revocation.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openBundle, verify } from '../../src/core/index.ts';
import { seedDemoRegistry } from '../../src/demo/seed-demo-registry.ts';
import { testConfig } from '../../src/server/config.ts';
import { createApp, type VaxpassApp } from '../../src/server/create-app.ts';
import { watchedKeyDirectory } from '../../src/server/issuer-keys.ts';
import { silentLogger } from '../../src/server/logger.ts';
import { createTestDatabase, type TestDatabase } from '../support/create-test-database.ts';
import { ADMIN_TOKEN, backend, createServerFixture, type ServerFixture } from './support/server-fixture.ts';

let f: ServerFixture;
beforeEach(async () => {
  f = await createServerFixture();
});
afterEach(() => f.cleanup());

const versionOf = (res: Response) => Number(res.headers.get('x-bundle-version'));
const secondInstance = (db: TestDatabase['db']): VaxpassApp =>
  createApp({ db, signer: watchedKeyDirectory(f.keysDir, 0), clock: f.clock, config: testConfig({ adminToken: ADMIN_TOKEN }), logger: silentLogger });

describe('bundle versions', () => {
  it('are derived from time, so an issuer that lost its database never republishes a version scanners hold', async () => {
    const before = await f.openServedBundle();
    expect(before.version).toBe(f.clock.now().getTime());
    // The volume is gone; the issuer starts on an empty database a moment later with the same keys.
    const lost = await createTestDatabase();
    try {
      await seedDemoRegistry(lost.db, Math.floor(f.clock.now().getTime() / 1000));
      f.clock.advance(1);
      const res = await secondInstance(lost.db).request('/api/v1/trust-bundle');
      expect(res.status).toBe(200);
      expect(versionOf(res)).toBeGreaterThan(before.version);
      // And a scanner holding the old bundle takes the new one as an upgrade, not as a conflict.
      const opened = await openBundle(await res.text(), { root: f.rootPublicKey(), now: f.clock.now(), backend, held: before });
      expect(opened.ok).toBe(true);
    } finally {
      await lost.cleanup();
    }
  });

  it('grow by one within the same millisecond', async () => {
    const v1 = (await f.openServedBundle()).version;
    const pass = (await (await f.partnerIssue({ personId: 'demo-0001' })).json()) as { passId: string };
    await f.admin('/revocations/passes', { passId: pass.passId });
    expect((await f.openServedBundle()).version).toBe(v1 + 1);
  });
});

describe('a failing store', () => {
  it('keeps serving the last good bundle and its deltas (200 and 304), until that bundle expires', async () => {
    const good = await f.app.request('/api/v1/trust-bundle');
    const etag = good.headers.get('etag')!;
    const text = await good.text();
    const version = versionOf(good);
    const delta = await f.app.request(`/api/v1/trust-bundle/revocations?since=${version}`);
    expect(delta.status).toBe(200);
    await f.db.close();

    // Within the same second nothing asks the database: a 304 straight from memory.
    expect((await f.app.request('/api/v1/trust-bundle', { headers: { 'If-None-Match': etag } })).status).toBe(304);
    // A refresh falls due (an hour later) and fails: the stored bytes are still served.
    f.clock.advance(3600);
    const kept = await f.app.request('/api/v1/trust-bundle');
    expect(kept.status).toBe(200);
    expect(await kept.text()).toBe(text);
    expect((await f.app.request('/api/v1/trust-bundle', { headers: { 'If-None-Match': etag } })).status).toBe(304);
    expect((await f.app.request(`/api/v1/trust-bundle/revocations?since=${version}`, { headers: { 'If-None-Match': delta.headers.get('etag')! } })).status).toBe(304);
    expect(f.logs.some((line) => line.includes('serving the last good version'))).toBe(true);

    // Once it has expired there is nothing valid to serve: an error, never an expired bundle.
    f.clock.advance(48 * 3600);
    expect((await f.app.request('/api/v1/trust-bundle')).status).toBeGreaterThanOrEqual(500);
  });
});

describe('several instances on one database', () => {
  it('serve identical bytes, and a revocation made through one is served by the other within a second', async () => {
    const other = secondInstance(f.db);
    const a = await f.app.request('/api/v1/trust-bundle');
    const b = await other.request('/api/v1/trust-bundle');
    expect(b.headers.get('etag')).toBe(a.headers.get('etag'));
    expect(await b.text()).toBe(await a.text());

    const pass = (await (await f.partnerIssue({ personId: 'demo-0001' })).json()) as { passId: string; text: string };
    expect((await f.admin('/revocations/passes', { passId: pass.passId })).status).toBe(201);
    const afterA = await f.app.request('/api/v1/trust-bundle');
    f.clock.advance(1);
    const afterB = await other.request('/api/v1/trust-bundle');
    expect(versionOf(afterB)).toBe(versionOf(afterA));
    expect(afterB.headers.get('etag')).toBe(afterA.headers.get('etag'));
    const opened = await openBundle(await afterB.text(), { root: f.rootPublicKey(), now: f.clock.now(), backend });
    if (!opened.ok) throw new Error(opened.message);
    expect((await verify(pass.text, opened.bundle, { now: f.clock.now() })).ok ? 'ok' : 'refused').toBe('refused');

    // The delta from the old version is the same artifact on both.
    const since = versionOf(a);
    const deltaA = await f.app.request(`/api/v1/trust-bundle/revocations?since=${since}`);
    const deltaB = await other.request(`/api/v1/trust-bundle/revocations?since=${since}`);
    expect(deltaB.headers.get('etag')).toBe(deltaA.headers.get('etag'));
    expect(await deltaB.text()).toBe(await deltaA.text());
  });
});
