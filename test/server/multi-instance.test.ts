// Several issuer processes, one PostgreSQL database: two real `src/server/main.ts` processes on one
// fresh schema and one key directory, hit concurrently. Runs in the PostgreSQL project only.
import { decodeRevokedPasses, type EncodedRevokedPasses, type RevokedPassSet } from '../../src/core/revoked-pass-set.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BundleDocument } from '../../src/core/index.ts';
import { rotateIssuerKeys } from '../../src/cli/commands/keys-rotate.ts';
import { initKeyDirectory } from '../../src/keys/key-directory.ts';
import { signInThroughProvider } from '../support/sign-in-through-provider.ts';
import { dropSchema, freshSchemaName, TEST_POSTGRES_URL, testDialect } from '../support/create-test-database.ts';

const ADMIN = 'multi-instance-admin-token-0123456789abcdef';
const dir = mkdtempSync(join(tmpdir(), 'vaxpass-multi-'));
const schema = freshSchemaName();
const children: ChildProcess[] = [];
let urls: string[] = [];
let apiKey = '';
let sql: pg.Client;

function startInstance(name: string): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server/main.ts'], {
    env: {
      ...process.env,
      PORT: '0',
      DATABASE_URL: TEST_POSTGRES_URL,
      VAXPASS_PG_SCHEMA: schema,
      VAXPASS_PG_POOL_SIZE: '4',
      // A loaded CI machine must not turn this correctness test into an overload test.
      VAXPASS_MAX_QUEUE_WAIT_MS: '30000',
      VAXPASS_KEYS: join(dir, 'keys'),
      VAXPASS_APPS_DIR: join(dir, 'apps'),
      VAXPASS_DEV_IDP: 'on',
      VAXPASS_SEED_DEMO: 'on',
      VAXPASS_ADMIN_TOKEN: ADMIN,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  return new Promise<string>((ok, fail) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) ok(m[1]!);
    });
    child.once('exit', (code) => fail(new Error(`${name} exited ${code}: ${stderr}`)));
  });
}

const docOf = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString()) as BundleDocument;
const admin = (url: string, path: string, body: unknown) =>
  fetch(`${url}/api/v1/admin${path}`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const issue = (url: string, body: unknown, key: string) =>
  fetch(`${url}/api/v1/partner/passes`, { method: 'POST', headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': key }, body: JSON.stringify(body) });
const count = async (query: string, params: unknown[] = []) => Number((await sql.query(query, params)).rows[0].n);

describe.runIf(testDialect === 'postgres')('two issuer processes on one PostgreSQL database', () => {
  beforeAll(async () => {
    await initKeyDirectory(join(dir, 'keys'), { now: Math.floor(Date.now() / 1000) - 86_400 });
    // Started together: one migrates and seeds while the other waits on the migration lock.
    urls = await Promise.all([startInstance('A'), startInstance('B')]);
    sql = new pg.Client({ connectionString: TEST_POSTGRES_URL, options: `-c search_path=${schema}` });
    await sql.connect();
    const created = await admin(urls[0]!, '/partners', { id: 'portal', name: 'Portal', quotaPerMinute: 100_000, registryTrusted: true });
    expect(created.status).toBe(201);
    apiKey = ((await created.json()) as { apiKey: string }).apiKey;
  }, 60_000);

  afterAll(async () => {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((ok) => c.once('exit', ok)) : null)));
    await sql?.end();
    await dropSchema(schema);
    rmSync(dir, { recursive: true, force: true });
  });

  it('one Idempotency-Key sent to both instances at once yields one pass', async () => {
    const before = await count('select count(*) as n from issued_passes');
    const key = `two-instances-${Date.now()}`;
    const responses = await Promise.all(Array.from({ length: 16 }, (_, i) => issue(urls[i % 2]!, { personId: 'demo-0001' }, key)));
    const bodies = await Promise.all(responses.map((r) => r.text()));
    expect(responses.map((r) => r.status), bodies.filter((b) => !b.includes('"passId"')).join("\n")).toEqual(responses.map(() => 201));
    expect(new Set(bodies).size).toBe(1);
    expect(responses.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(15);
    expect(await count('select count(*) as n from issued_passes')).toBe(before + 1);
  });

  it('revocations through either instance reach the bundle and delta of both within a second; versions stay unique and monotonic', async () => {
    const passes = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => ((await (await issue(urls[i % 2]!, { personId: `demo-000${(i % 3) + 1}` }, `rev-${Date.now()}-${i}`)).json()) as { passId: string }).passId),
    );
    const start = ((await (await fetch(`${urls[1]!}/api/v1/trust-bundle`)).headers.get('x-bundle-version')) ?? '0');
    // Revoke through both instances at once while both serve the bundle.
    const seen: number[][] = [[], []];
    let polling = true;
    const pollers = urls.map(async (url, i) => {
      while (polling) seen[i]!.push(Number((await fetch(`${url}/api/v1/trust-bundle`)).headers.get('x-bundle-version')));
    });
    const revoked = await Promise.all(passes.map((passId, i) => admin(urls[i % 2]!, '/revocations/passes', { passId, reason: 'test' })));
    expect(revoked.map((r) => r.status)).toEqual(passes.map(() => 201));
    const revokedAt = Date.now();
    for (const url of urls) {
      for (;;) {
        const doc = docOf(await (await fetch(`${url}/api/v1/trust-bundle`)).text());
        const delta = await fetch(`${url}/api/v1/trust-bundle/revocations?since=${start}`);
        const deltaDoc = JSON.parse(Buffer.from((await delta.text()).split('.')[1]!, 'base64url').toString()) as { revokedPassPrefixes: EncodedRevokedPasses };
        const inBundle = decodeRevokedPasses(doc.revokedPassPrefixes) as RevokedPassSet;
        const inDelta = decodeRevokedPasses(deltaDoc.revokedPassPrefixes) as RevokedPassSet;
        if (passes.every((p) => inBundle.has(p) && inDelta.has(p))) break;
        expect(Date.now() - revokedAt, `${url} still misses a revocation`).toBeLessThan(1000);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    polling = false;
    await Promise.all(pollers);
    // Each instance only ever moves forward, and the stored versions are unique and at least the time they were published (max(previous + 1, unix ms)).
    for (const versions of seen) expect(versions).toEqual([...versions].sort((a, b) => a - b));
    const rows = (await sql.query('select version, issued_at from bundle_versions order by version')).rows as { version: string; issued_at: string }[];
    expect(new Set(rows.map((r) => r.version)).size).toBe(rows.length);
    for (const r of rows) expect(Number(r.version)).toBeGreaterThanOrEqual(Number(r.issued_at) * 1000);
    const issued = rows.map((r) => Number(r.issued_at));
    expect(issued).toEqual([...issued].sort((a, b) => a - b));
  });

  it('a holder ETag stored through one instance answers 304 on the other, and a revocation through either voids it for both', async () => {
    const cookie = await signInThroughProvider(urls[0]!, 'demo-0005');
    const refresh = (url: string, etag?: string) => fetch(`${url}/api/v1/holder/passes`, { headers: { Cookie: cookie, ...(etag ? { 'If-None-Match': etag } : {}) } });
    const first = await refresh(urls[0]!);
    const { passes } = (await first.json()) as { passes: { passId: string }[] };
    const etag = first.headers.get('etag')!;
    // The refresh that issued the pass voided its own answer; the next full path stores it.
    expect((await refresh(urls[0]!, '"other"')).status).toBe(200);
    // B never built this person's answer: its 304 (weak form: past B's in-memory refresh cache) is the stored one.
    expect((await refresh(urls[1]!, `W/${etag}`)).status).toBe(304);
    expect((await refresh(urls[1]!, etag)).status).toBe(304);
    expect((await admin(urls[0]!, '/revocations/passes', { passId: passes[0]!.passId, reason: 'test' })).status).toBe(201);
    const after = await refresh(urls[1]!, `W/${etag}`);
    expect(after.status).toBe(200);
    expect(((await after.json()) as { passes: { passId: string }[] }).passes[0]!.passId).not.toBe(passes[0]!.passId);
    // B's in-memory refresh cache confirms the exact ETag for at most VAXPASS_HOLDER_REFRESH_CACHE_SECONDS (1 s).
    await new Promise((r) => setTimeout(r, 1100));
    for (const url of urls) expect((await refresh(url, etag)).status).toBe(200);
  });

  it('a key rotation in the shared key directory is picked up by both instances', async () => {
    const rotation = rotateIssuerKeys(join(dir, 'keys'), { now: Math.floor(Date.now() / 1000), leadSeconds: 3600 });
    const deadline = Date.now() + 5000;
    for (const url of urls) {
      for (;;) {
        const jwks = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: { kid: string; status: string }[] };
        if (jwks.keys.some((k) => k.kid === rotation.kid && k.status === 'next')) break;
        expect(Date.now(), `${url} did not reload the keyring`).toBeLessThan(deadline);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });
});
