// The venue entry log on the issuer: enrolment, uploads (idempotent, bounded, per venue), what the
// database holds (ciphertext only), retention, key rotation, and the authority's offline query
// end to end (three people scan in; the query names exactly them).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateAuthorityKey, sealEntry, type EntryLogPolicy, type SealedEntry } from '../../src/core/entry-log.ts';
import { readAuditLog } from '../../src/db/queries/audit-log.ts';
import { queryEntryLog } from '../../src/entry-log/query-entry-log.ts';
import { importAuthorityPrivateKey } from '../../src/core/entry-log.ts';
import { unixNow } from '../../src/server/clock.ts';
import { createApp } from '../../src/server/create-app.ts';
import { removeExpiredEntryBatches } from '../../src/server/entry-log-retention.ts';
import { loadConfig, testConfig } from '../../src/server/config.ts';
import { watchedKeyDirectory } from '../../src/server/issuer-keys.ts';
import { runInProcess } from '../cli/cli-harness.ts';
import { openBundle } from '../../src/core/trust-bundle.ts';
import { ADMIN_TOKEN, backend, createServerFixture, problemOf, type ServerFixture } from './support/server-fixture.ts';

const DAY = 86_400;
let f: ServerFixture;
let authority: Awaited<ReturnType<typeof generateAuthorityKey>>;
let policy: EntryLogPolicy;

beforeEach(async () => {
  authority = await generateAuthorityKey();
  policy = { retentionDays: 28, authorityKeys: [authority.publicKey] };
  f = await createServerFixture({ entryLog: policy });
});
afterEach(() => f.cleanup());

async function createVenue(id: string): Promise<string> {
  const res = await f.admin('/venues', { id, name: `Venue ${id}` });
  expect(res.status).toBe(201);
  return ((await res.json()) as { enrolmentCode: string }).enrolmentCode;
}

async function enrol(code: string): Promise<Response> {
  return f.app.request('/api/v1/venues/enrolment', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ enrolmentCode: code }) });
}

async function enrolledVenue(id: string): Promise<string> {
  const res = await enrol(await createVenue(id));
  expect(res.status).toBe(201);
  return ((await res.json()) as { credential: string }).credential;
}

async function upload(venueId: string, credential: string, body: unknown): Promise<Response> {
  return f.app.request(`/api/v1/venues/${venueId}/entry-batches`, { method: 'POST', headers: { Authorization: `Bearer ${credential}`, 'Content-Type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

const batchId = (n: number) => `batch-${String(n).padStart(12, '0')}`;
const seal = (passId: string, at: number, venueId: string, p: EntryLogPolicy = policy) => sealEntry(p, { passId, at, venueId });
async function issuePass(personId: string): Promise<string> {
  const type = ({ 'demo-0004': 'test', 'demo-0005': 'recovery', 'demo-0006': 'exemption' } as Record<string, string>)[personId];
  const res = await f.partnerIssue({ personId, ...(type ? { type } : {}) });
  if (res.status !== 201) throw new Error(`issue for ${personId}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { passId: string }).passId;
}
const privateKeys = async (...jwks: JsonWebKey[]) => new Map(await Promise.all(jwks.map(async (j) => [(j as { kid: string }).kid, await importAuthorityPrivateKey(j)] as const)));

describe('venue entry log on the issuer', () => {
  it('publishes the authority key and retention in the signed bundle', async () => {
    const bundle = await f.openServedBundle();
    expect(bundle.document.entryLog).toEqual(policy);
  });

  it('reads the policy file from VAXPASS_ENTRY_LOG_POLICY or the keys directory, and names the variable when it is bad', () => {
    writeFileSync(join(f.keysDir, 'entry-log-policy.json'), JSON.stringify(policy));
    expect(loadConfig({ VAXPASS_KEYS: f.keysDir }).entryLog).toEqual(policy);
    expect(loadConfig({ VAXPASS_KEYS: join(f.keysDir, 'none') }).entryLog).toBeNull();
    const bad = join(f.database.dir, 'bad-policy.json');
    writeFileSync(bad, JSON.stringify({ ...policy, retentionDays: 0 }));
    expect(() => loadConfig({ VAXPASS_KEYS: f.keysDir, VAXPASS_ENTRY_LOG_POLICY: bad })).toThrow(/VAXPASS_ENTRY_LOG_POLICY|retentionDays/);
  });

  it('answers ENTRY_LOG_DISABLED when the issuer publishes no policy', async () => {
    const plain = createApp({ db: f.db, signer: watchedKeyDirectory(f.keysDir, 0), clock: f.clock, config: testConfig({ adminToken: ADMIN_TOKEN }) });
    const res = await plain.request('/api/v1/venues/enrolment', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ enrolmentCode: 'vxe_' + 'a'.repeat(43) }) });
    expect((await problemOf(res)).code).toBe('ENTRY_LOG_DISABLED');
  });

  it('an enrolment code works once; the credential uploads; a retried batch is stored once; another batch under a used id is refused', async () => {
    const code = await createVenue('cafe-one');
    const first = await enrol(code);
    expect(first.status).toBe(201);
    const { venueId, credential } = (await first.json()) as { venueId: string; credential: string };
    expect(venueId).toBe('cafe-one');
    expect((await problemOf(await enrol(code))).code).toBe('ENROLMENT_CODE_INVALID');

    const now = unixNow(f.clock);
    const records = [await seal('00112233445566778899aabbccddeeff', now, venueId)];
    const stored = await upload(venueId, credential, { batchId: batchId(1), records });
    expect(stored.status).toBe(201);
    const again = await upload(venueId, credential, { batchId: batchId(1), records });
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await f.db.orm.select().from(f.db.t.entryBatches)).toHaveLength(1);
    const other = await upload(venueId, credential, { batchId: batchId(1), records: [await seal('ffeeddccbbaa99887766554433221100', now, venueId)] });
    expect(other.status).toBe(409);
    expect((await problemOf(other)).code).toBe('BATCH_ID_REUSED');
  });

  it('refuses oversized batches, unknown authority keys and malformed records through the one error handler', async () => {
    const credential = await enrolledVenue('cafe-two');
    const record = await seal('00112233445566778899aabbccddeeff', unixNow(f.clock), 'cafe-two');
    const tooMany = await upload('cafe-two', credential, { batchId: batchId(2), records: Array.from({ length: 501 }, () => record) });
    expect(tooMany.status).toBe(413);
    expect((await problemOf(tooMany)).code).toBe('BATCH_TOO_LARGE');
    const huge = await upload('cafe-two', credential, `{"batchId":"${batchId(3)}","records":[${Array.from({ length: 1400 }, () => JSON.stringify(record)).join(',')}]}`);
    expect(huge.status).toBe(413);
    expect((await problemOf(huge)).code).toBe('PAYLOAD_TOO_LARGE');
    const stranger = await upload('cafe-two', credential, { batchId: batchId(4), records: [{ ...record, kid: 'AAAAAAAAAAA' }] });
    expect((await problemOf(stranger)).code).toBe('VALIDATION_FAILED');
    const bad = await upload('cafe-two', credential, { batchId: batchId(5), records: [{ ...record, ct: 'not base64!' }], extra: 1 });
    expect((await problemOf(bad)).code).toBe('VALIDATION_FAILED');
    expect(await f.db.orm.select().from(f.db.t.entryBatches)).toHaveLength(0);
  });

  it('a stolen venue credential cannot upload as another venue, read anything, or use the admin API', async () => {
    const stolen = await enrolledVenue('cafe-a');
    await enrolledVenue('cafe-b');
    const record = await seal('00112233445566778899aabbccddeeff', unixNow(f.clock), 'cafe-b');
    const asOther = await upload('cafe-b', stolen, { batchId: batchId(6), records: [record] });
    expect(asOther.status).toBe(403);
    expect((await problemOf(asOther)).code).toBe('VENUE_MISMATCH');
    const read = await f.app.request('/api/v1/venues/cafe-a/entry-batches', { headers: { Authorization: `Bearer ${stolen}` } });
    expect(read.status).toBe(405);
    const admin = await f.admin('/venues', { id: 'cafe-c', name: 'C' }, stolen);
    expect((await problemOf(admin)).code).toBe('INVALID_ADMIN_TOKEN');
    const unknown = await upload('cafe-a', 'vxv_' + 'x'.repeat(43), { batchId: batchId(7), records: [record] });
    expect((await problemOf(unknown)).code).toBe('INVALID_VENUE_CREDENTIAL');
    // Its own venue's log: it can add records but there is no route that returns any.
    expect(await f.db.orm.select().from(f.db.t.entryBatches)).toHaveLength(0);
    // A new enrolment code (a replaced scanner) ends the old credential.
    expect((await f.admin('/venues/cafe-a/enrolment', {})).status).toBe(201);
    expect((await problemOf(await upload('cafe-a', stolen, { batchId: batchId(8), records: [await seal('00112233445566778899aabbccddeeff', unixNow(f.clock), 'cafe-a')] }))).code).toBe('INVALID_VENUE_CREDENTIAL');
  });

  it('the database holds no pass id, name, time, credential or enrolment code in plaintext', async () => {
    const code = await createVenue('cafe-db');
    const credential = ((await (await enrol(code)).json()) as { credential: string }).credential;
    const passId = await issuePass('demo-0002');
    f.clock.advance(97);
    const at = unixNow(f.clock);
    expect((await upload('cafe-db', credential, { batchId: batchId(9), records: [await seal(passId, at, 'cafe-db')] })).status).toBe(201);
    const dump = JSON.stringify([await f.db.orm.select().from(f.db.t.entryBatches), await f.db.orm.select().from(f.db.t.venues)]);
    const person = (await f.db.orm.select().from(f.db.t.people)).find((p) => p.id === 'demo-0002')!;
    for (const secret of [passId, passId.slice(0, 10), person.name, String(at), new Date(at * 1000).toISOString().slice(0, 16), credential, code]) expect(dump).not.toContain(secret);
  });

  it('deletes batches past the policy retention (fake clock), counting from the oldest record', async () => {
    const credential = await enrolledVenue('cafe-ret');
    const now = unixNow(f.clock);
    const today = new Date(now * 1000).toISOString().slice(0, 10);
    const threeDaysAgo = new Date((now - 3 * DAY) * 1000).toISOString().slice(0, 10);
    const record = await seal('00112233445566778899aabbccddeeff', now, 'cafe-ret');
    expect((await upload('cafe-ret', credential, { batchId: batchId(10), oldestDay: today, records: [record] })).status).toBe(201);
    expect((await upload('cafe-ret', credential, { batchId: batchId(11), oldestDay: threeDaysAgo, records: [record] })).status).toBe(201);
    expect(await removeExpiredEntryBatches(f.db, policy, unixNow(f.clock))).toBe(0);
    f.clock.advance(26 * DAY);
    expect(await removeExpiredEntryBatches(f.db, policy, unixNow(f.clock))).toBe(1);
    f.clock.advance(2 * DAY);
    expect(await removeExpiredEntryBatches(f.db, policy, unixNow(f.clock))).toBe(0);
    f.clock.advance(DAY);
    expect(await removeExpiredEntryBatches(f.db, policy, unixNow(f.clock))).toBe(1);
    expect(await f.db.orm.select().from(f.db.t.entryBatches)).toHaveLength(0);
    // The rule is data: a shorter period in the policy takes effect with no code change.
    expect(await removeExpiredEntryBatches(f.db, { ...policy, retentionDays: 1 }, unixNow(f.clock))).toBe(0);
  });

  it('end to end: three people scan in, the authority query names exactly them for the window, audited first; the CLI prints the same', async () => {
    const credential = await enrolledVenue('cafe-e2e');
    const start = unixNow(f.clock);
    const inside = [await issuePass('demo-0001'), await issuePass('demo-0002'), await issuePass('demo-0004')];
    const outside = await issuePass('demo-0005');
    const records: SealedEntry[] = [];
    for (const [i, passId] of inside.entries()) records.push(await seal(passId, start + 60 * (i + 1), 'cafe-e2e'));
    records.push(await seal(inside[0]!, start + 120, 'cafe-e2e')); // the same person twice
    records.push(await seal(outside, start + 3 * 3600, 'cafe-e2e')); // after the window
    records.push(await seal(outside, start - 60, 'cafe-e2e')); // before it
    expect((await upload('cafe-e2e', credential, { batchId: batchId(12), records: records.slice(0, 3) })).status).toBe(201);
    expect((await upload('cafe-e2e', credential, { batchId: batchId(13), records: records.slice(3) })).status).toBe(201);
    // Another venue's records under the same passes are not this venue's.
    const otherCredential = await enrolledVenue('cafe-else');
    expect((await upload('cafe-else', otherCredential, { batchId: batchId(14), records: [await seal(outside, start + 60, 'cafe-else')] })).status).toBe(201);

    const keys = await privateKeys(authority.privateJwk);
    const answer = await queryEntryLog(f.db, { venueId: 'cafe-e2e', from: start, to: start + 3600, privateKeys: keys, operator: 'kdca-officer', now: start + 7200 });
    expect(answer.people.map((p) => p.personId)).toEqual(['demo-0001', 'demo-0002', 'demo-0004']);
    expect(answer.people[0]!.entries).toEqual([start + 60, start + 120]);
    expect(answer).toMatchObject({ records: 4, unmatched: 0, unreadable: 0 });
    const audit = (await readAuditLog(f.db)).filter((r) => r.action === 'entry-log.queried');
    expect(audit).toHaveLength(1);
    expect(audit[0]!.actor).toBe('authority:kdca-officer');
    expect(JSON.parse(audit[0]!.detail!)).toEqual({ venue: 'cafe-e2e', from: start, to: start + 3600, people: 3, records: 4 });

    // The same through the command line, against the same database.
    const keyFile = join(f.database.dir, 'authority-private.jwk');
    writeFileSync(keyFile, JSON.stringify(authority.privateJwk));
    const saved = { ...process.env };
    Object.assign(process.env, f.database.env);
    try {
      const iso = (s: number) => new Date(s * 1000).toISOString();
      const run = await runInProcess(['entry-log', 'query', '--venue', 'cafe-e2e', '--from', iso(start), '--to', iso(start + 3600), '--key', keyFile, '--db', f.database.path, '--operator', 'kdca-officer', '--json']);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const printed = JSON.parse(run.stdout) as { people: { personId: string }[] };
      expect(printed.people.map((p) => p.personId)).toEqual(['demo-0001', 'demo-0002', 'demo-0004']);
    } finally {
      for (const k of Object.keys(f.database.env)) if (saved[k] === undefined) delete process.env[k];
      Object.assign(process.env, saved);
    }
    expect((await readAuditLog(f.db)).filter((r) => r.action === 'entry-log.queried')).toHaveLength(2);
  });

  it('key rotation: the new key seals new records; the old key still opens its own', async () => {
    const credential = await enrolledVenue('cafe-rot');
    const start = unixNow(f.clock);
    const [p1, p2] = [await issuePass('demo-0001'), await issuePass('demo-0002')];
    expect((await upload('cafe-rot', credential, { batchId: batchId(15), records: [await seal(p1, start + 10, 'cafe-rot')] })).status).toBe(201);

    const next = await generateAuthorityKey();
    const rotated: EntryLogPolicy = { retentionDays: 28, authorityKeys: [next.publicKey, authority.publicKey] };
    // The issuer restarted with the new policy file: same database, new bundle.
    const restarted = createApp({ db: f.db, signer: watchedKeyDirectory(f.keysDir, 0), clock: f.clock, config: testConfig({ adminToken: ADMIN_TOKEN, entryLog: rotated }) });
    const served = await openBundle(await (await restarted.request('/api/v1/trust-bundle')).text(), { root: f.rootPublicKey(), now: f.clock.now(), backend });
    expect(served.ok && served.bundle.document.entryLog?.authorityKeys.map((k) => k.kid)).toEqual([next.publicKey.kid, authority.publicKey.kid]);
    f = Object.assign(f, { app: restarted });
    const sealedNew = await seal(p2, start + 20, 'cafe-rot', rotated);
    expect(sealedNew.kid).toBe(next.publicKey.kid);
    expect((await upload('cafe-rot', credential, { batchId: batchId(16), records: [sealedNew] })).status).toBe(201);

    const both = await queryEntryLog(f.db, { venueId: 'cafe-rot', from: start, to: start + 60, privateKeys: await privateKeys(next.privateJwk, authority.privateJwk), operator: 'op', now: start });
    expect(both.people.map((p) => p.personId)).toEqual(['demo-0001', 'demo-0002']);
    const oldOnly = await queryEntryLog(f.db, { venueId: 'cafe-rot', from: start, to: start + 60, privateKeys: await privateKeys(authority.privateJwk), operator: 'op', now: start });
    expect(oldOnly.people.map((p) => p.personId)).toEqual(['demo-0001']);
    expect(oldOnly.unreadable).toBe(1);
  });

  it('a record moved into another venue\'s log does not open', async () => {
    const sealed = await seal('00112233445566778899aabbccddeeff', unixNow(f.clock), 'cafe-x');
    const { openEntry } = await import('../../src/core/entry-log.ts');
    const keys = await privateKeys(authority.privateJwk);
    expect((await openEntry(keys, 'cafe-x', sealed)).ok).toBe(true);
    expect(await openEntry(keys, 'cafe-y', sealed)).toMatchObject({ ok: false, code: 'MALFORMED' });
  });
});
