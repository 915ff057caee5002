import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyRevocationDelta, openBundle, RevokedPassSet, verify, type BundleDocument } from '../../src/core/index.ts';
import { backend, createServerFixture, problemOf, ADMIN_TOKEN, type ServerFixture } from './support/server-fixture.ts';
import { rotateIssuerKeys } from '../../src/cli/commands/keys-rotate.ts';
import { unixNow } from '../../src/server/clock.ts';
import { createApp } from '../../src/server/create-app.ts';
import { silentLogger } from '../../src/server/logger.ts';
import { watchedKeyDirectory } from '../../src/server/issuer-keys.ts';
import { testConfig } from '../../src/server/config.ts';

let f: ServerFixture;
beforeEach(async () => {
  f = await createServerFixture();
});
afterEach(() => f.cleanup());

const payloadOf = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString()) as BundleDocument & Record<string, unknown>;

describe('GET /api/v1/trust-bundle', () => {
  it('refuses to publish a bundle scanners would reject (a hand-edited keyring listing a kid twice)', async () => {
    const good = await f.app.request('/api/v1/trust-bundle');
    expect(good.status).toBe(200);
    const path = join(f.keysDir, 'keyring.json');
    const keyring = JSON.parse(readFileSync(path, 'utf8')) as { issuerKeys: unknown[] };
    writeFileSync(path, JSON.stringify({ ...keyring, issuerKeys: [...keyring.issuerKeys, keyring.issuerKeys[0]] }));
    // Something to publish: the broken keyring must not replace the last good bundle, which is still served.
    const pass = (await (await f.partnerIssue({ personId: 'demo-0001' })).json()) as { passId: string };
    await f.admin('/revocations/passes', { passId: pass.passId });
    f.clock.advance(2);
    const kept = await f.app.request('/api/v1/trust-bundle');
    expect(kept.status).toBe(200);
    expect(kept.headers.get('etag')).toBe(good.headers.get('etag'));
    expect(f.logs.some((line) => line.includes('serving the last good version') && line.includes('BUNDLE_NOT_PUBLISHABLE'))).toBe(true);
    // An instance that never had a good bundle has nothing to fall back on.
    const fresh = createApp({ db: f.db, signer: watchedKeyDirectory(f.keysDir, 0), clock: f.clock, config: testConfig({ adminToken: ADMIN_TOKEN }), logger: silentLogger });
    const refused = await fresh.request('/api/v1/trust-bundle');
    expect(refused.status).toBe(503);
    expect((await problemOf(refused)).code).toBe('BUNDLE_NOT_PUBLISHABLE');
  });

  it('serves a bundle that opens with the root key, with CDN caching headers and ETag/304', async () => {
    const res = await f.app.request('/api/v1/trust-bundle');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/jose');
    expect(res.headers.get('cache-control')).toBe('public, max-age=300, stale-while-revalidate=86400');
    const etag = res.headers.get('etag')!;
    const text = await res.text();
    const doc = payloadOf(text);
    expect(doc.issuedAt).toBe(Math.floor(f.clock.now().getTime() / 1000));
    expect(doc.expiresAt - doc.issuedAt).toBe(48 * 3600);
    expect(doc.rules.timeZone).toBe('Asia/Seoul');
    const opened = await openBundle(text, { root: f.rootPublicKey(), now: f.clock.now(), backend });
    expect(opened.ok).toBe(true);
    const again = await f.app.request('/api/v1/trust-bundle', { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
  });

  it('lets a scanner on another origin revalidate: preflight for If-None-Match, ETag and version readable', async () => {
    const preflight = await f.app.request('/api/v1/trust-bundle', { method: 'OPTIONS', headers: { Origin: 'https://scanner.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'if-none-match' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toBe('If-None-Match');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,HEAD');
    const res = await f.app.request('/api/v1/trust-bundle/revocations?since=0', { headers: { Origin: 'https://scanner.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toBe('ETag,X-Bundle-Version');
  });

  it('keeps the version while nothing changes, re-signs after the refresh period, and never goes back', async () => {
    const v1 = payloadOf(await f.fetchBundleText()).version;
    f.clock.advance(3600);
    expect(payloadOf(await f.fetchBundleText()).version).toBe(v1);
    f.clock.advance(24 * 3600);
    const later = payloadOf(await f.fetchBundleText());
    expect(later.version).toBe(Math.max(v1 + 1, f.clock.now().getTime()));
    expect(later.issuedAt).toBe(Math.floor(f.clock.now().getTime() / 1000));
  });
});

describe('revocation', () => {
  it('a revoked pass is in the next bundle version and verifies as PASS_REVOKED', async () => {
    const pass = (await (await f.partnerIssue({ personId: 'demo-0001' })).json()) as { passId: string; text: string };
    const before = await f.openServedBundle();
    expect((await verify(pass.text, before, { now: f.clock.now() })).ok).toBe(true);
    const res = await f.admin('/revocations/passes', { passId: pass.passId, reason: 'lost phone' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { bundleVersion: number; currentBundleVersion: number };
    expect(body.bundleVersion).toBe(before.version + 1);
    expect(body.currentBundleVersion).toBe(before.version + 1);
    const after = await f.openServedBundle();
    expect(after.version).toBe(before.version + 1);
    const result = await verify(pass.text, after, { now: f.clock.now() });
    expect(result.ok ? 'ok' : result.code).toBe('PASS_REVOKED');
    // Revoking again is harmless and does not bump the version.
    expect((await f.admin('/revocations/passes', { passId: pass.passId })).status).toBe(200);
    expect((await f.openServedBundle()).version).toBe(after.version);
    // The holder gets a fresh (unrevoked) pass on the next refresh.
    const holder = (await (await f.holderPasses('demo-0001')).json()) as { passes: { passId: string; text: string }[] };
    expect(holder.passes[0]!.passId).not.toBe(pass.passId);
  });

  it('a revoked key fails passes as KEY_REVOKED, and the server stops signing with it', async () => {
    const pass = (await (await f.partnerIssue({ personId: 'demo-0002' })).json()) as { kid: string; text: string };
    expect((await f.admin('/revocations/keys', { kid: pass.kid })).status).toBe(201);
    const result = await f.verifyText(pass.text);
    expect(result.ok ? 'ok' : result.code).toBe('KEY_REVOKED');
    const doc = payloadOf(await f.fetchBundleText());
    expect(doc.revokedKeys).toContain(pass.kid);
    expect(doc.keys.find((k) => k.kid === pass.kid)?.status).toBe('revoked');
    const next = await f.partnerIssue({ personId: 'demo-0002' });
    expect(next.status).toBe(503);
    expect((await problemOf(next)).code).toBe('NO_SIGNING_KEY');
    expect(next.headers.get('retry-after')).toBeNull();
    // Still ready: scanners must keep fetching the bundle that carries this revocation.
    const ready = await f.app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', issuance: 'unavailable' });
    expect(await (await f.app.request('/metrics')).text()).toContain('vaxpass_issuance_available 0');
    expect((await f.app.request('/api/v1/trust-bundle')).status).toBe(200);
    // Once a rotation is scheduled, the 503 says when to come back.
    rotateIssuerKeys(f.keysDir, { now: unixNow(f.clock), leadSeconds: 86_400 });
    f.clock.advance(2);
    const later = await f.partnerIssue({ personId: 'demo-0002' });
    expect(later.status).toBe(503);
    expect(Number(later.headers.get('retry-after'))).toBeGreaterThan(86_000);
    expect((await problemOf(later)).detail).toMatch(/next key starts signing at \d{4}-/);
  });

  it('requires the admin token and known subjects', async () => {
    const pass = (await (await f.partnerIssue({ personId: 'demo-0001' })).json()) as { passId: string };
    for (const token of ['wrong', `${ADMIN_TOKEN}x`, '']) {
      const res = await f.admin('/revocations/passes', { passId: pass.passId }, token);
      expect(res.status).toBe(401);
    }
    expect((await f.app.request('/api/v1/admin/revocations/passes', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status).toBe(401);
    expect((await f.admin('/revocations/passes', { passId: 'ffffffffffffffff' })).status).toBe(404);
    expect((await f.admin('/revocations/keys', { kid: 'AAAAAAAAAAA' })).status).toBe(404);
    expect((await f.admin('/revocations/passes', { passId: pass.passId, extra: 1 })).status).toBe(422);
    expect((await f.admin('/revocations/passes', { passId: 'xyz' })).status).toBe(422);
    const disabled = await createServerFixture({ adminToken: null });
    try {
      const res = await disabled.admin('/revocations/passes', { passId: pass.passId });
      expect(res.status).toBe(503);
      expect((await problemOf(res)).code).toBe('ADMIN_DISABLED');
    } finally {
      await disabled.cleanup();
    }
  });
});

describe('GET /api/v1/trust-bundle/revocations', () => {
  it('serves a signed delta that a scanner applies to the bundle it holds', async () => {
    const held = await f.openServedBundle();
    const pass = (await (await f.partnerIssue({ personId: 'demo-0001' })).json()) as { passId: string; text: string };
    await f.admin('/revocations/passes', { passId: pass.passId });
    const res = await f.app.request(`/api/v1/trust-bundle/revocations?since=${held.version}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/jose');
    const jws = await res.text();
    const payload = payloadOf(jws);
    expect(payload).toMatchObject({ format: 'vaxpass-revocations/2', fromVersion: held.version, toVersion: held.version + 1, revokedPassPrefixes: RevokedPassSet.fromPassIds([pass.passId]).encode(), revokedKeys: [] });
    const applied = await applyRevocationDelta(held, jws, { root: f.rootPublicKey(), now: f.clock.now() });
    expect(applied.ok).toBe(true);
    if (!applied.ok) return;
    expect(applied.bundle.version).toBe(held.version + 1);
    const result = await verify(pass.text, applied.bundle, { now: f.clock.now() });
    expect(result.ok ? 'ok' : result.code).toBe('PASS_REVOKED');
    // since=0 lists everything.
    const all = payloadOf(await (await f.app.request('/api/v1/trust-bundle/revocations?since=0')).text());
    expect(all.revokedPassPrefixes).toEqual(RevokedPassSet.fromPassIds([pass.passId]).encode());
  });

  it('refuses versions it cannot serve', async () => {
    const { version } = payloadOf(await f.fetchBundleText());
    for (const since of ['', '-1', 'abc', String(version + 1), '1e3']) {
      const res = await f.app.request(`/api/v1/trust-bundle/revocations?since=${since}`);
      expect(res.status, since).toBe(400);
      expect((await problemOf(res)).code).toBe('VERSION_NOT_AVAILABLE');
    }
  });
});

describe('keys', () => {
  it('publishes the issuer JWKS and the trust root', async () => {
    const jwks = (await (await f.app.request('/.well-known/jwks.json')).json()) as { keys: { kty: string; crv: string; kid: string; x: string; status: string }[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', status: 'active' });
    expect(JSON.stringify(jwks)).not.toMatch(/"d"/);
    const bundle = await f.openServedBundle();
    expect(bundle.keys.has(jwks.keys[0]!.kid)).toBe(true);
    const root = (await (await f.app.request('/api/v1/trust-root')).json()) as { publicKey: string; jwk: { x: string } };
    expect(Buffer.from(root.publicKey, 'base64url')).toEqual(Buffer.from(f.rootPublicKey()));
    expect(root.jwk).toEqual({ kty: 'OKP', crv: 'Ed25519', x: root.publicKey });
  });
});
