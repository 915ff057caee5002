// Logs and the audit log must never carry personal data, tokens, API keys or pass text.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readAuditLog } from '../../src/db/queries/audit-log.ts';
import { DEMO_PEOPLE } from '../../src/demo/seed-demo-registry.ts';
import { ADMIN_TOKEN, createServerFixture, type ServerFixture } from './support/server-fixture.ts';

let f: ServerFixture;
beforeEach(async () => {
  f = await createServerFixture();
});
afterEach(() => f.cleanup());

describe('privacy of logs and audit', () => {
  it('a full flow (holder, partner, errors, revocation) logs no names, birth dates, tokens, keys or pass text', async () => {
    const secrets: string[] = [f.partnerA.apiKey, f.partnerB.apiKey, ADMIN_TOKEN];
    for (const person of DEMO_PEOPLE) {
      const token = await f.holderToken(person.personId);
      secrets.push(token);
      const res = await f.app.request('/api/v1/holder/passes', { headers: { Authorization: `Bearer ${token}` } });
      const { passes } = (await res.json()) as { passes: { text: string }[] };
      secrets.push(...passes.map((p) => p.text));
    }
    const partner = (await (await f.partnerIssue({ name: 'Maria Gonzalez Lopez', birthDate: '1985-03-14' })).json()) as { passId: string; text: string };
    secrets.push(partner.text);
    await f.partnerIssue({ name: 'Nobody Known', birthDate: '1970-01-01' });
    await f.partnerIssue({ name: 'Ctrl\u0007Name', birthDate: '1970-01-01' });
    await f.partnerIssue(null, { raw: '{"personId":"demo-0001","iss":"x"}' });
    await f.partnerIssue({ personId: 'demo-0001' }, { apiKey: 'vxp_wrong-key-that-must-not-be-logged' });
    secrets.push('vxp_wrong-key-that-must-not-be-logged');
    await f.app.request(`/api/v1/partner/passes?api_key=${f.partnerA.apiKey}`, { method: 'POST' });
    await f.admin('/revocations/passes', { passId: partner.passId, reason: 'lost phone' });
    await f.app.request('/api/v1/trust-bundle');

    const text = f.logs.join('\n');
    expect(f.logs.length).toBeGreaterThan(15);
    for (const line of f.logs) expect(() => JSON.parse(line)).not.toThrow();
    for (const person of DEMO_PEOPLE) {
      expect(text).not.toContain(person.name);
      expect(text).not.toContain(person.birthDate);
    }
    expect(text).not.toContain('Nobody Known');
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toContain('VP1:');

    const audit = JSON.stringify(await readAuditLog(f.db));
    for (const person of DEMO_PEOPLE) expect(audit).not.toContain(person.name);
    for (const secret of secrets) expect(audit).not.toContain(secret);
    expect(audit).toContain('pass.issued');
    expect(audit).toContain('pass.revoked');
  });

  it('problem documents carry a request id and never a stack trace', async () => {
    const res = await f.partnerIssue(null, { raw: '{' });
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ type: expect.stringMatching(/^https:\/\//), title: expect.any(String), status: 400, code: 'INVALID_JSON', instance: expect.stringMatching(/^urn:vaxpass:request:/) });
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
    expect(res.headers.get('x-request-id')).toBe(String(body.instance).split(':').at(-1));
    // The access log line carries the same request id and the problem code.
    const line = f.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.requestId === res.headers.get('x-request-id'));
    expect(line).toMatchObject({ msg: 'request', status: 400, code: 'INVALID_JSON' });
  });
});
