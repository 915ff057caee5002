import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { generateKeyPairSync } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { countIssuedPasses } from '../../src/db/queries/issued-passes.ts';
import { createServerFixture, problemOf, type ServerFixture } from './support/server-fixture.ts';

type Passes = { passes: { passId: string; type: string; text: string; kid: string; issuedAt: string; expiresAt: string; holder: { name: string; birthDate: string } }[] };

let f: ServerFixture;
beforeEach(async () => {
  f = await createServerFixture();
});
afterEach(() => f.cleanup());

describe('GET /api/v1/holder/passes', () => {
  it('issues each demo person the pass their registry facts support, and the pass verifies against the served bundle', async () => {
    const expected: Record<string, [string, boolean]> = {
      'demo-0001': ['vaccination', true],
      'demo-0002': ['vaccination', true],
      'demo-0003': ['vaccination', false],
      'demo-0004': ['test', true],
      'demo-0005': ['recovery', true],
      'demo-0006': ['exemption', true],
    };
    for (const [personId, [type, valid]] of Object.entries(expected)) {
      const res = await f.holderPasses(personId);
      expect(res.status).toBe(200);
      const { passes } = (await res.json()) as Passes;
      expect(passes.map((p) => p.type)).toEqual([type]);
      const result = await f.verifyText(passes[0]!.text);
      expect(result.ok).toBe(valid);
      if (!valid && !result.ok) expect(result.code).toBe('RULES_NOT_MET');
    }
  });

  it('sets iat from the server clock, returns the holder and the signing kid', async () => {
    const { passes } = (await (await f.holderPasses('demo-0001')).json()) as Passes;
    const pass = passes[0]!;
    expect(pass.issuedAt).toBe(f.clock.now().toISOString());
    expect(pass.holder).toEqual({ name: 'Maria Gonzalez Lopez', birthDate: '1985-03-14' });
    const result = await f.verifyText(pass.text);
    expect(result.ok && result.kid).toBe(pass.kid);
  });

  it('reuses the issued pass on refresh: same pass, same ETag, 304 on If-None-Match, no new rows', async () => {
    const token = await f.holderToken('demo-0001');
    const first = await f.app.request('/api/v1/holder/passes', { headers: { Authorization: `Bearer ${token}` } });
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    const body = await first.text();
    const rows = await countIssuedPasses(f.db);
    f.clock.advance(3600);
    const second = await f.app.request('/api/v1/holder/passes', { headers: { Authorization: `Bearer ${token}` } });
    expect(await second.text()).toBe(body);
    expect(second.headers.get('etag')).toBe(etag);
    const conditional = await f.app.request('/api/v1/holder/passes', { headers: { Authorization: `Bearer ${token}`, 'If-None-Match': etag } });
    expect(conditional.status).toBe(304);
    expect(await conditional.text()).toBe('');
    expect(await countIssuedPasses(f.db)).toBe(rows);
    // A remembered (cached) token verification still ends at the token's exp.
    f.clock.advance(3600);
    expect((await f.app.request('/api/v1/holder/passes', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it('issues a new pass when the registry facts change', async () => {
    const before = (await (await f.holderPasses('demo-0002')).json()) as Passes;
    await f.db.transaction((tx) => tx.orm.insert(tx.t.vaccinationEvents).values({ id: 'extra-dose', personId: 'demo-0002', productCode: 2, doseDate: '2026-01-05', createdAt: 0 }));
    const after = (await (await f.holderPasses('demo-0002')).json()) as Passes;
    expect(after.passes[0]!.passId).not.toBe(before.passes[0]!.passId);
    const result = await f.verifyText(after.passes[0]!.text);
    expect(result.ok && result.rule).toBe('vaccination.booster');
  });

  it('answers a signed-in person the registry does not know with an empty list (nothing to enumerate)', async () => {
    const res = await f.holderPasses('nobody-123');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ passes: [] });
  });

  it('only ever returns the token subject\'s passes, whatever the query says', async () => {
    const token = await f.holderToken('demo-0001');
    for (const query of ['?personId=demo-0002', '?sub=demo-0002', '?person=demo-0002']) {
      const res = await f.app.request(`/api/v1/holder/passes${query}`, { headers: { Authorization: `Bearer ${token}` } });
      const { passes } = (await res.json()) as Passes;
      expect(passes.every((p) => p.holder.name === 'Maria Gonzalez Lopez')).toBe(true);
    }
    expect((await f.app.request('/api/v1/holder/passes/demo-0002', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(404);
  });

  it('requires a valid ID token', async () => {
    const missing = await f.app.request('/api/v1/holder/passes');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toContain('Bearer');
    expect((await problemOf(missing)).code).toBe('UNAUTHENTICATED');

    const token = await f.holderToken('demo-0001');
    const [h, p, s] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'demo-0002' })).toString('base64url')}.${s}`;
    const otherKey = generateKeyPairSync('ed25519').privateKey;
    const sign = (c: Record<string, unknown>) => new SignJWT(c).setProtectedHeader({ alg: 'EdDSA', kid: 'dev-idp-1' }).sign(otherKey);
    const cases: [string, string][] = [
      ['not-a-jwt', 'INVALID_ID_TOKEN'],
      [forged, 'INVALID_ID_TOKEN'],
      [await sign({ ...claims }), 'INVALID_ID_TOKEN'],
    ];
    for (const [bad, code] of cases) {
      const res = await f.app.request('/api/v1/holder/passes', { headers: { Authorization: `Bearer ${bad}` } });
      expect(res.status).toBe(401);
      expect((await problemOf(res)).code).toBe(code);
    }
    // Expired: the dev IdP's tokens live an hour on the server clock.
    f.clock.advance(3 * 3600);
    const expired = await f.app.request('/api/v1/holder/passes', { headers: { Authorization: `Bearer ${token}` } });
    expect(expired.status).toBe(401);
    expect((await problemOf(expired)).detail).toMatch(/expired/);
  });

  it('rejects tokens from another issuer or for another audience', async () => {
    // Same dev key, but the issuer claim names another origin (a token minted for another deployment).
    const foreign = await f.app.request('http://other.example/dev-idp/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"personId":"demo-0001"}' });
    const { id_token } = (await foreign.json()) as { id_token: string };
    const res = await f.app.request('/api/v1/holder/passes', { headers: { Authorization: `Bearer ${id_token}` } });
    expect(res.status).toBe(401);
  });

  it('refuses an ID token in the URL', async () => {
    const token = await f.holderToken('demo-0001');
    for (const param of ['id_token', 'jwt', 'session']) {
      const res = await f.app.request(`/api/v1/holder/passes?${param}=${token}`);
      expect(res.status).toBe(400);
      const problem = await problemOf(res);
      expect(problem.code).toBe('CREDENTIALS_IN_URL');
      expect(JSON.stringify(problem)).not.toContain(token);
    }
    expect((await f.app.request('/api/v1/trust-bundle/revocations?since=0')).status).toBe(200);
  });

  it('refuses registry records the pass format cannot carry truthfully, with a clear problem', async () => {
    const setPerson = (values: { name?: string; birthDate?: string }) => f.db.transaction(async (tx) => void (await tx.orm.update(tx.t.people).set(values).where(eq(tx.t.people.id, 'demo-0001'))));
    const cases: [string, () => Promise<void>, RegExp][] = [
      ['control characters in the name', () => setPerson({ name: 'Maria\u0007Gonzalez' }), /control/],
      ['a future birth date', () => setPerson({ name: 'Maria Gonzalez Lopez', birthDate: '2027-01-01' }), /birth date/],
      ['an implausible birth date', () => setPerson({ birthDate: '1800-01-01' }), /birth date/],
    ];
    for (const [, mutate, detail] of cases) {
      await mutate();
      const res = await f.holderPasses('demo-0001');
      expect(res.status).toBe(422);
      const problem = await problemOf(res);
      expect(problem.code).toBe('REGISTRY_RECORD_INVALID');
      expect(problem.detail).toMatch(detail);
      expect(problem.detail).not.toContain('Maria');
    }
  });

  it('refuses a dose in the future and an unknown vaccine product in the registry', async () => {
    await f.db.transaction((tx) => tx.orm.insert(tx.t.vaccinationEvents).values({ id: 'future', personId: 'demo-0002', productCode: 1, doseDate: '2026-02-01', createdAt: 0 }));
    const future = await f.holderPasses('demo-0002');
    expect(future.status).toBe(422);
    expect((await problemOf(future)).detail).toMatch(/future/);
    await f.db.transaction((tx) => tx.orm.insert(tx.t.vaccinationEvents).values({ id: 'unknown', personId: 'demo-0003', productCode: 99, doseDate: '2025-12-01', createdAt: 0 }));
    const unknown = await f.holderPasses('demo-0003');
    expect(unknown.status).toBe(422);
    expect((await problemOf(unknown)).detail).toMatch(/unknown vaccine product code 99/);
  });

  it('limits refreshes per person with 429 and Retry-After', async () => {
    const g = await createServerFixture({ holderQuotaPerMinute: 2 });
    try {
      const token = await g.holderToken('demo-0001');
      const get = () => g.app.request('/api/v1/holder/passes', { headers: { Authorization: `Bearer ${token}` } });
      expect((await get()).status).toBe(200);
      expect((await get()).status).toBe(200);
      const limited = await get();
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await problemOf(limited)).code).toBe('RATE_LIMITED');
    } finally {
      await g.cleanup();
    }
  });
});
