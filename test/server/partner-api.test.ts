import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countIssuedPasses } from '../../src/db/queries/issued-passes.ts';
import { readAuditLog } from '../../src/db/queries/audit-log.ts';
import { createServerFixture, newIdempotencyKey, problemOf, type ServerFixture } from './support/server-fixture.ts';

type PassBody = { passId: string; type: string; text: string; kid: string; holder: { name: string; birthDate: string } };

let f: ServerFixture;
beforeEach(async () => {
  f = await createServerFixture({ maxBodyBytes: 2048 });
});
afterEach(() => f.cleanup());

describe('POST /api/v1/partner/passes', () => {
  it('issues a verifiable pass for a person identified by personId, and records pass + audit entry', async () => {
    const res = await f.partnerIssue({ personId: 'demo-0001' });
    expect(res.status).toBe(201);
    const pass = (await res.json()) as PassBody;
    expect(res.headers.get('location')).toBe(`/api/v1/partner/passes/${pass.passId}`);
    expect(pass.holder).toEqual({ name: 'Maria Gonzalez Lopez', birthDate: '1985-03-14' });
    const result = await f.verifyText(pass.text);
    expect(result.ok && result.passId).toBe(pass.passId);
    const audit = (await readAuditLog(f.db)).filter((e) => e.action === 'pass.issued');
    expect(audit).toEqual([expect.objectContaining({ actor: 'partner:partner-a', passId: pass.passId, personId: 'demo-0001' })]);
    expect(JSON.stringify(audit)).not.toContain('Maria');
    expect(JSON.stringify(audit)).not.toContain(pass.text);
  });

  it('matches name + birth date exactly (NFC), and a requested pass type', async () => {
    const res = await f.partnerIssue({ name: '홍길동'.normalize('NFD'), birthDate: '1968-05-02' });
    expect(res.status).toBe(201);
    expect(((await res.json()) as PassBody).holder.name).toBe('홍길동');
    const test = await f.partnerIssue({ personId: 'demo-0004', type: 'test' });
    expect(test.status).toBe(201);
    expect(((await test.json()) as PassBody).type).toBe('test');
    const none = await f.partnerIssue({ personId: 'demo-0004', type: 'vaccination' });
    expect(none.status).toBe(422);
    expect((await problemOf(none)).code).toBe('NOTHING_TO_ISSUE');
  });

  it('never guesses: no match is 404, several matches are 409, a personId whose details disagree is 404', async () => {
    const miss = await f.partnerIssue({ name: 'Maria Gonzalez', birthDate: '1985-03-14' });
    expect(miss.status).toBe(404);
    expect((await problemOf(miss)).code).toBe('PERSON_NOT_FOUND');
    const wrongCase = await f.partnerIssue({ name: 'maria gonzalez lopez', birthDate: '1985-03-14' });
    expect(wrongCase.status).toBe(404);
    await f.db.transaction((tx) =>
      tx.orm.insert(tx.t.people).values([
        { id: 'twin-1', name: 'Kim Ji-woo', birthDate: '1999-09-09', createdAt: 0 },
        { id: 'twin-2', name: 'Kim Ji-woo', birthDate: '1999-09-09', createdAt: 0 },
      ]),
    );
    const ambiguous = await f.partnerIssue({ name: 'Kim Ji-woo', birthDate: '1999-09-09' });
    expect(ambiguous.status).toBe(409);
    expect((await problemOf(ambiguous)).code).toBe('AMBIGUOUS_PERSON');
    const disagree = await f.partnerIssue({ personId: 'demo-0001', birthDate: '1985-03-15' });
    expect(disagree.status).toBe(404);
    const unknown = await f.partnerIssue({ personId: 'demo-9999' });
    expect(unknown.status).toBe(404);
    const onlyName = await f.partnerIssue({ name: 'Kim Min-jun' });
    expect(onlyName.status).toBe(422);
  });

  it('rejects fields the issuer sets (mass assignment), naming them', async () => {
    for (const extra of [{ iss: 'EVIL' }, { exp: 4102444800 }, { kid: 'AAAAAAAAAAA' }, { iat: 1 }, { nbf: 1 }, { passId: '00'.repeat(8) }, { doses: [{ product: 'x', date: '2030-01-01' }] }]) {
      const res = await f.partnerIssue({ personId: 'demo-0001', ...extra });
      expect(res.status).toBe(422);
      const problem = await problemOf(res);
      expect(problem.code).toBe('SERVER_SET_FIELD');
      expect(problem.fields).toEqual(Object.keys(extra));
    }
    expect(await countIssuedPasses(f.db)).toBe(0);
  });

  it('rejects unknown fields, duplicate keys, __proto__ keys, bad JSON and wrong types', async () => {
    const cases: [string, number, string][] = [
      ['{"personId":"demo-0001","vaccine":"X-Unknown"}', 422, 'VALIDATION_FAILED'],
      ['{"personId":"demo-0001","personId":"demo-0002"}', 400, 'DUPLICATE_JSON_KEY'],
      ['{"personId":"demo-0001","__proto__":{"iss":"EVIL"}}', 400, 'FORBIDDEN_JSON_KEY'],
      ['{"personId":"demo-0001","constructor":{"prototype":{}}}', 400, 'FORBIDDEN_JSON_KEY'],
      ['{"personId":"demo-0001",}', 400, 'INVALID_JSON'],
      ['["demo-0001"]', 422, 'VALIDATION_FAILED'],
      ['{"personId":12}', 422, 'VALIDATION_FAILED'],
      ['{"personId":"demo-0001","type":"antibody"}', 422, 'VALIDATION_FAILED'],
      ['{"personId":"../../etc/passwd"}', 422, 'VALIDATION_FAILED'],
    ];
    for (const [raw, status, code] of cases) {
      const res = await f.partnerIssue(null, { raw });
      expect(res.status, raw).toBe(status);
      expect((await problemOf(res)).code, raw).toBe(code);
    }
    expect(await countIssuedPasses(f.db)).toBe(0);
  });

  it('checks birth dates and names it is given', async () => {
    for (const birthDate of ['2030-01-01', '1800-01-01', '2023-02-30', '1985-13-01']) {
      const res = await f.partnerIssue({ name: 'Maria Gonzalez Lopez', birthDate });
      expect(res.status, birthDate).toBe(422);
      expect((await problemOf(res)).code).toBe('INVALID_BIRTH_DATE');
    }
    for (const name of ['Maria\u0000Gonzalez', 'Maria\u202EGonzalez', ' Maria', 'x'.repeat(81)]) {
      const res = await f.partnerIssue({ name, birthDate: '1985-03-14' });
      expect(res.status).toBe(422);
      expect((await problemOf(res)).code).toBe('INVALID_NAME');
    }
  });

  it('refuses resident registration numbers wherever they appear, without echoing them', async () => {
    for (const body of [{ personId: '850314-1234567' }, { personId: '8503142234567' }, { name: '850314-1234567', birthDate: '1985-03-14' }]) {
      const res = await f.partnerIssue(body);
      expect(res.status).toBe(422);
      const problem = await problemOf(res);
      expect(problem.code).toBe('NATIONAL_ID_REFUSED');
      expect(JSON.stringify(problem)).not.toContain('1234567');
    }
    expect(await countIssuedPasses(f.db)).toBe(0);
  });

  it('requires JSON, within the size limit', async () => {
    const text = await f.partnerIssue(null, { raw: 'personId=demo-0001', contentType: 'application/x-www-form-urlencoded' });
    expect(text.status).toBe(415);
    expect((await problemOf(text)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const missing = await f.app.request('/api/v1/partner/passes', { method: 'POST', headers: { Authorization: `Bearer ${f.partnerA.apiKey}`, 'Idempotency-Key': newIdempotencyKey() }, body: '{}' });
    expect([415]).toContain(missing.status);
    const big = await f.partnerIssue(null, { raw: JSON.stringify({ personId: 'demo-0001', name: 'x'.repeat(5000) }) });
    expect(big.status).toBe(413);
    expect((await problemOf(big)).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('authenticates with the API key in the Authorization header only', async () => {
    const none = await f.app.request('/api/v1/partner/passes', { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': newIdempotencyKey() }, body: '{"personId":"demo-0001"}' });
    expect(none.status).toBe(401);
    expect((await problemOf(none)).code).toBe('UNAUTHENTICATED');
    const invalid = await f.partnerIssue({ personId: 'demo-0001' }, { apiKey: 'vxp_not-a-real-key' });
    expect(invalid.status).toBe(401);
    expect((await problemOf(invalid)).code).toBe('INVALID_API_KEY');
    const lowercaseScheme = await f.app.request('/api/v1/partner/passes', { method: 'POST', headers: { Authorization: `bearer ${f.partnerA.apiKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': newIdempotencyKey() }, body: '{"personId":"demo-0001"}' });
    expect(lowercaseScheme.status).toBe(201);
    const basic = await f.app.request('/api/v1/partner/passes', { method: 'POST', headers: { Authorization: `Basic ${btoa(`x:${f.partnerA.apiKey}`)}`, 'Content-Type': 'application/json', 'Idempotency-Key': newIdempotencyKey() }, body: '{"personId":"demo-0001"}' });
    expect(basic.status).toBe(401);
    for (const param of ['api_key', 'apikey', 'key', 'access_token', 'x', 'partner']) {
      const inUrl = await f.app.request(`/api/v1/partner/passes?${param}=${f.partnerA.apiKey}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Idempotency-Key': newIdempotencyKey() }, body: '{"personId":"demo-0001"}' });
      expect(inUrl.status).toBe(400);
      const problem = await problemOf(inUrl);
      expect(problem.code).toBe('CREDENTIALS_IN_URL');
      expect(JSON.stringify(problem)).not.toContain(f.partnerA.apiKey);
    }
    expect(f.logs.join('')).not.toContain(f.partnerA.apiKey);
  });

  it('refuses a revoked API key and a key without the scope', async () => {
    const first = await f.admin('/partners/partner-a/revoke', {});
    expect(first.status).toBe(200);
    const { revokedAt } = (await first.json()) as { revokedAt: string };
    f.clock.advance(60);
    // Revoking again keeps the first time and audits once.
    expect(await (await f.admin('/partners/partner-a/revoke', {})).json()).toEqual({ id: 'partner-a', revoked: true, revokedAt });
    expect((await readAuditLog(f.db)).filter((e) => e.action === 'partner.revoked').map((e) => e.detail)).toEqual(['{"partner":"partner-a"}']);
    expect((await f.admin('/partners/no-such-partner/revoke', {})).status).toBe(404);
    const revoked = await f.partnerIssue({ personId: 'demo-0001' });
    expect(revoked.status).toBe(401);
    expect((await problemOf(revoked)).code).toBe('API_KEY_REVOKED');
    const g = await createServerFixture({}, { scopesB: ['passes:read'] });
    try {
      const res = await g.partnerIssue({ personId: 'demo-0001' }, { apiKey: g.partnerB.apiKey });
      expect(res.status).toBe(403);
      expect((await problemOf(res)).code).toBe('INSUFFICIENT_SCOPE');
    } finally {
      await g.cleanup();
    }
  });

  it('requires an Idempotency-Key; replays the same key + body, refuses the same key with another body', async () => {
    const noKey = await f.app.request('/api/v1/partner/passes', { method: 'POST', headers: { Authorization: `Bearer ${f.partnerA.apiKey}`, 'Content-Type': 'application/json' }, body: '{"personId":"demo-0001"}' });
    expect(noKey.status).toBe(400);
    expect((await problemOf(noKey)).code).toBe('IDEMPOTENCY_KEY_MISSING');

    const key = newIdempotencyKey();
    const first = await f.partnerIssue({ personId: 'demo-0001', type: 'vaccination' }, { idempotencyKey: key });
    const firstBody = await first.text();
    // Same body with other key order and spacing is the same request.
    const again = await f.partnerIssue(null, { idempotencyKey: key, raw: '{ "type": "vaccination",  "personId": "demo-0001" }' });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.text()).toBe(firstBody);
    expect(await countIssuedPasses(f.db)).toBe(1);

    const other = await f.partnerIssue({ personId: 'demo-0002' }, { idempotencyKey: key });
    expect(other.status).toBe(422);
    expect((await problemOf(other)).code).toBe('IDEMPOTENCY_KEY_REUSED');
    // Keys are per partner: partner B may use the same key string.
    const b = await f.partnerIssue({ personId: 'demo-0002' }, { idempotencyKey: key, apiKey: f.partnerB.apiKey });
    expect(b.status).toBe(201);
    expect(await countIssuedPasses(f.db)).toBe(2);
  });

  it('remembers an Idempotency-Key for 24 hours', async () => {
    const key = newIdempotencyKey();
    const first = (await (await f.partnerIssue({ personId: 'demo-0001' }, { idempotencyKey: key })).json()) as PassBody;
    f.clock.advance(23 * 3600);
    const replay = await f.partnerIssue({ personId: 'demo-0002' }, { idempotencyKey: key });
    expect(replay.status).toBe(422);
    f.clock.advance(2 * 3600);
    const fresh = await f.partnerIssue({ personId: 'demo-0002' }, { idempotencyKey: key });
    expect(fresh.status).toBe(201);
    expect(((await fresh.json()) as PassBody).passId).not.toBe(first.passId);
  });

  it('enforces the per-partner quota with 429 and Retry-After', async () => {
    const g = await createServerFixture({}, { quotaPerMinute: 2 });
    try {
      expect((await g.partnerIssue({ personId: 'demo-0001' })).status).toBe(201);
      expect((await g.partnerIssue({ personId: 'demo-0002' })).status).toBe(201);
      const limited = await g.partnerIssue({ personId: 'demo-0005', type: 'recovery' });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // Another partner has its own quota.
      expect((await g.partnerIssue({ personId: 'demo-0001' }, { apiKey: g.partnerB.apiKey })).status).toBe(201);
      g.clock.advance(60);
      expect((await g.partnerIssue({ personId: 'demo-0005', type: 'recovery' })).status).toBe(201);
    } finally {
      await g.cleanup();
    }
  });
});

describe('POST /api/v1/admin/partners', () => {
  it('creates a partner whose key works at once; a second partner with the same id is 409', async () => {
    const created = await f.admin('/partners', { id: 'new-portal', name: 'New portal', quotaPerMinute: 10 });
    expect(created.status).toBe(201);
    const { apiKey } = (await created.json()) as { apiKey: string };
    expect((await f.partnerIssue({ personId: 'demo-0001' }, { apiKey })).status).toBe(201);
    const twice = await Promise.all([f.admin('/partners', { id: 'new-portal', name: 'Again' }), f.admin('/partners', { id: 'new-portal', name: 'Again' })]);
    for (const res of twice) {
      expect(res.status).toBe(409);
      expect((await problemOf(res)).code).toBe('PARTNER_EXISTS');
    }
  });
});

describe('GET /api/v1/partner/passes/:passId', () => {
  it('returns the partner\'s own pass and 404 for another partner\'s (BOLA) or unknown ids', async () => {
    const issued = (await (await f.partnerIssue({ personId: 'demo-0001' })).json()) as PassBody;
    const get = (passId: string, apiKey: string) => f.app.request(`/api/v1/partner/passes/${passId}`, { headers: { Authorization: `Bearer ${apiKey}` } });
    const own = await get(issued.passId, f.partnerA.apiKey);
    expect(own.status).toBe(200);
    expect(((await own.json()) as PassBody).text).toBe(issued.text);
    const other = await get(issued.passId, f.partnerB.apiKey);
    expect(other.status).toBe(404);
    const unknown = await get('00'.repeat(8), f.partnerB.apiKey);
    expect(unknown.status).toBe(404);
    // Same answer for "exists but not yours" and "does not exist".
    expect((await problemOf(other)).detail).toBe((await problemOf(unknown)).detail);
    // Holder-issued passes are not readable by partners either.
    const holder = (await (await f.holderPasses('demo-0002')).json()) as { passes: PassBody[] };
    expect((await get(holder.passes[0]!.passId, f.partnerA.apiKey)).status).toBe(404);
    expect((await get('not-hex', f.partnerA.apiKey)).status).toBe(404);
  });
});
