// Partner issuance needs the person's proof of sign-in with that partner: an ID token from the
// configured provider (here the real development OpenID provider on a loopback port) for the
// partner's client id. Until a proof is verified every refusal is identical, so a partner key with
// sequential person ids learns nothing.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SignJWT, decodeJwt } from 'jose';
import { readAuditLog } from '../../src/db/queries/audit-log.ts';
import { countIssuedPasses } from '../../src/db/queries/issued-passes.ts';
import { createPartner } from '../../src/db/queries/partners.ts';
import { DEMO_PEOPLE } from '../../src/demo/seed-demo-registry.ts';
import { startDevOpenIdProvider, type DevOpenIdProvider } from '../../src/idp/dev-openid-provider.ts';
import { createApp } from '../../src/server/create-app.ts';
import { testConfig } from '../../src/server/config.ts';
import { watchedKeyDirectory } from '../../src/server/issuer-keys.ts';
import { devPersonProof } from '../support/dev-person-proof.ts';
import { createTestDatabase } from '../support/create-test-database.ts';
import { createServerFixture, newIdempotencyKey, problemOf, type ServerFixture } from './support/server-fixture.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAX_AGE = 120;
let idp: DevOpenIdProvider;
let idpKeys: string;
let f: ServerFixture;
let portalA: string;
let portalB: string;

beforeAll(async () => {
  idpKeys = mkdtempSync(join(tmpdir(), 'vaxpass-dev-idp-'));
  idp = await startDevOpenIdProvider({ keysDir: idpKeys, host: '127.0.0.1', port: 0, accounts: DEMO_PEOPLE, findClient: (clientId) => (clientId.startsWith('portal-') ? { kind: 'partner', clientId } : null) });
});
afterAll(async () => {
  await idp.close();
  rmSync(idpKeys, { recursive: true, force: true });
});
beforeEach(async () => {
  f = await createServerFixture({ oidc: { issuer: idp.issuer, jwksUrl: null, audience: 'vaxpass-holder', personClaim: 'sub', clientSecret: null }, proofMaxAgeSeconds: MAX_AGE }, { start: new Date() });
  const now = Math.floor(f.clock.now().getTime() / 1000);
  [portalA, portalB] = await f.db.transaction(async (tx) => [
    (await createPartner(tx, { id: 'portal-a', name: 'Portal A', now, oidcClientId: 'portal-a' })).apiKey,
    (await createPartner(tx, { id: 'portal-b', name: 'Portal B', now, oidcClientId: 'portal-b' })).apiKey,
  ]);
  return () => f.cleanup();
});

const proof = (clientId: string, personId: string) => devPersonProof(idp.issuer, clientId, personId);
const issue = (apiKey: string, body: unknown, idempotencyKey = newIdempotencyKey()) => f.partnerIssue(body, { apiKey, idempotencyKey });

/** Status and problem body without the per-request instance: what a caller can compare. */
async function answer(res: Response): Promise<string> {
  const { instance: _instance, ...problem } = await problemOf(res);
  return JSON.stringify({ status: res.status, problem });
}

describe('partner issuance with the person\'s proof', () => {
  it('issues for the signed-in person; name and birth date are only a consistency check', async () => {
    const res = await issue(portalA, { idToken: await proof('portal-a', 'demo-0002'), name: '홍길동', birthDate: '1968-05-02' });
    expect(res.status).toBe(201);
    const pass = (await res.json()) as { passId: string; text: string; holder: { name: string } };
    expect(pass.holder.name).toBe('홍길동');
    expect((await f.verifyText(pass.text)).ok).toBe(true);
    expect((await readAuditLog(f.db)).filter((e) => e.action === 'pass.issued')).toEqual([expect.objectContaining({ actor: 'partner:portal-a', personId: 'demo-0002', detail: expect.stringContaining('"basis":"person-proof"') })]);

    const other = await issue(portalA, { idToken: await proof('portal-a', 'demo-0001'), name: '홍길동', birthDate: '1968-05-02' });
    expect(other.status).toBe(422);
    expect((await problemOf(other)).code).toBe('PERSON_DETAILS_MISMATCH');
    // After the proof, the person's own registry state may be told: nothing to issue is 422.
    const nothing = await issue(portalA, { idToken: await proof('portal-a', 'demo-0004'), type: 'vaccination' });
    expect((await problemOf(nothing)).code).toBe('NOTHING_TO_ISSUE');
  });

  it("the review's case: a fresh partner key and sequential personIds get one identical answer and no pass", async () => {
    const created = await f.admin('/partners', { id: 'fresh-portal', name: 'Fresh portal' });
    const freshKey = ((await created.json()) as { apiKey: string }).apiKey;
    const bodies: unknown[] = [
      ...Array.from({ length: 12 }, (_, i) => ({ personId: `demo-${String(i + 1).padStart(4, '0')}` })), // 6 exist, 6 do not
      { personId: 'demo-0004', type: 'vaccination' }, // exists, has nothing of this type
      { personId: 'demo-0004', type: 'test' }, // exists, has a test
      { name: 'Maria Gonzalez Lopez', birthDate: '1985-03-14' }, // exists
      { name: 'Nobody Known', birthDate: '1970-01-01' }, // does not
    ];
    const answers = new Set<string>();
    for (const apiKey of [freshKey, portalA]) for (const body of bodies) answers.add(await answer(await issue(apiKey, body)));
    expect(answers.size).toBe(1);
    expect(JSON.parse([...answers][0]!)).toMatchObject({ status: 403, problem: { code: 'PERSON_PROOF_REJECTED' } });
    expect(await countIssuedPasses(f.db)).toBe(0);
  });

  it('refuses wrong audience, another subject, unsigned, HMAC, forged, another provider, garbage, stale and expired proofs identically', async () => {
    const now = Math.floor(f.clock.now().getTime() / 1000);
    const claims = { sub: 'demo-0001', aud: 'portal-a', iat: now, auth_time: now, exp: now + 300 };
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const { privateKey: strangerKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const cases: Record<string, () => Promise<{ idToken: string; personId?: string }>> = {
      'wrong audience (issued to another partner)': async () => ({ idToken: await proof('portal-b', 'demo-0001') }),
      'another subject than the personId sent': async () => ({ idToken: await proof('portal-a', 'demo-0002'), personId: 'demo-0001' }),
      'unsigned (alg none)': async () => ({ idToken: `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, iss: idp.issuer })}.` }),
      'HMAC-signed': async () => ({ idToken: await new SignJWT({ ...claims, iss: idp.issuer }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('portal-a-shared-secret-0123456789')) }),
      "forged under the provider's name": async () => ({ idToken: await new SignJWT({ ...claims, iss: idp.issuer }).setProtectedHeader({ alg: 'RS256', kid: decodeProtectedKid(await proof('portal-a', 'demo-0001')) }).sign(strangerKey) }),
      "another provider's token": async () => ({ idToken: await new SignJWT({ ...claims, iss: 'https://idp.other.example' }).setProtectedHeader({ alg: 'RS256' }).sign(strangerKey) }),
      'not a JWT': async () => ({ idToken: 'not-a-token' }),
    };
    const answers = new Map<string, string>();
    answers.set('no proof at all', await answer(await issue(portalA, { personId: 'demo-0001' })));
    for (const [name, make] of Object.entries(cases)) answers.set(name, await answer(await issue(portalA, await make())));
    // Stale: signed in longer ago than the window, token itself not yet expired.
    const stale = await proof('portal-a', 'demo-0001');
    const expired = await proof('portal-a', 'demo-0003');
    f.clock.advance(MAX_AGE + 60);
    answers.set('signed in too long ago', await answer(await issue(portalA, { idToken: stale })));
    f.clock.advance(600);
    expect(decodeJwt(expired).exp).toBeLessThan(Math.floor(f.clock.now().getTime() / 1000));
    answers.set('expired', await answer(await issue(portalA, { idToken: expired })));

    expect(new Set(answers.values()).size, [...answers.keys()].join(', ')).toBe(1);
    expect(JSON.parse(answers.get('expired')!)).toMatchObject({ status: 403, problem: { code: 'PERSON_PROOF_REJECTED', type: 'https://vaxpass.dev/problems/person-proof-rejected' } });
    expect(await countIssuedPasses(f.db)).toBe(0);
  });

  it('a proof issues once: a retry with the same Idempotency-Key replays, any other use is refused, also on another instance', async () => {
    const idToken = await proof('portal-a', 'demo-0001');
    const key = newIdempotencyKey();
    const first = await issue(portalA, { idToken }, key);
    expect(first.status).toBe(201);
    const retry = await issue(portalA, { idToken }, key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const reuse = await issue(portalA, { idToken, type: 'vaccination' });
    expect(reuse.status).toBe(403);
    expect((await problemOf(reuse)).code).toBe('PERSON_PROOF_REJECTED');

    // A second issuer instance on the same database knows the proof is spent.
    const second = createApp({ db: f.db, signer: watchedKeyDirectory(f.keysDir, 0), clock: f.clock, config: testConfig({ oidc: { issuer: idp.issuer, jwksUrl: null, audience: 'vaxpass-holder', personClaim: 'sub', clientSecret: null } }) });
    const elsewhere = await second.request('/api/v1/partner/passes', { method: 'POST', headers: { Authorization: `Bearer ${portalA}`, 'Content-Type': 'application/json', 'Idempotency-Key': newIdempotencyKey() }, body: JSON.stringify({ idToken }) });
    expect(elsewhere.status).toBe(403);
    expect(await countIssuedPasses(f.db)).toBe(1);
  });

  it('a partner cannot obtain a pass for a person who did not sign in with it', async () => {
    // demo-0001 signed in with portal B only; portal A holds that token (leaked, forwarded) and names the person.
    const idToken = await proof('portal-b', 'demo-0001');
    for (const body of [{ idToken }, { idToken, personId: 'demo-0001' }, { personId: 'demo-0001' }, { name: 'Maria Gonzalez Lopez', birthDate: '1985-03-14' }]) {
      const res = await issue(portalA, body);
      expect(res.status).toBe(403);
    }
    expect(await countIssuedPasses(f.db)).toBe(0);
    expect((await issue(portalB, { idToken })).status).toBe(201);
  });

  it('a registry-trusted partner (off by default) still issues on a personId, and the audit says so', async () => {
    const res = await f.partnerIssue({ personId: 'demo-0001' });
    expect(res.status).toBe(201);
    expect((await readAuditLog(f.db)).filter((e) => e.action === 'pass.issued')).toEqual([expect.objectContaining({ actor: 'partner:partner-a', detail: expect.stringContaining('"basis":"registry-trusted"') })]);
  });

  it('says the provider is unreachable (503, retry) rather than calling the proof false', async () => {
    const database = await createTestDatabase();
    try {
      const app = createApp({ db: database.db, signer: watchedKeyDirectory(f.keysDir, 0), clock: f.clock, config: testConfig({ oidc: { issuer: 'http://127.0.0.1:9', jwksUrl: null, audience: 'vaxpass-holder', personClaim: 'sub', clientSecret: null } }) });
      const key = (await database.db.transaction((tx) => createPartner(tx, { id: 'portal-a', name: 'Portal A', now: 0, oidcClientId: 'portal-a' }))).apiKey;
      const res = await app.request('/api/v1/partner/passes', { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', 'Idempotency-Key': newIdempotencyKey() }, body: JSON.stringify({ idToken: await new SignJWT({ sub: 'demo-0001' }).setIssuer('http://127.0.0.1:9').setProtectedHeader({ alg: 'RS256' }).setIssuedAt().setExpirationTime('5m').sign(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey) }) });
      expect(res.status).toBe(503);
      expect((await problemOf(res)).code).toBe('IDENTITY_PROVIDER_UNAVAILABLE');
    } finally {
      await database.cleanup();
    }
  });
});

function decodeProtectedKid(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
}
