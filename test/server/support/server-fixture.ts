// An issuer app on a real migrated SQLite file, fresh dev keys, the demo registry and two
// partners, at a fixed server clock. Tests use app.request() (in-process) or listen() (real port).
import { serve } from '@hono/node-server';
import { expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDevOpenIdProvider, type DevOpenIdProvider } from '../../../src/idp/dev-openid-provider.ts';
import { DEMO_PEOPLE } from '../../../src/demo/seed-demo-registry.ts';
import { devPersonProof } from '../../support/dev-person-proof.ts';
import type { AddressInfo } from 'node:net';
import { openBundle, verify, type TrustedBundle, type VerificationResult } from '../../../src/core/index.ts';
import { createPartner, type PartnerScope } from '../../../src/db/queries/partners.ts';
import { seedDemoRegistry } from '../../../src/demo/seed-demo-registry.ts';
import { initKeyDirectory, loadKeyDirectory } from '../../../src/keys/key-directory.ts';
import { createNodeCryptoBackend } from '../../../src/node/node-crypto-backend.ts';
import { manualClock } from '../../../src/server/clock.ts';
import { testConfig, type ServerConfig } from '../../../src/server/config.ts';
import { createApp, type VaxpassApp } from '../../../src/server/create-app.ts';
import { watchedKeyDirectory } from '../../../src/server/issuer-keys.ts';
import { createLogger } from '../../../src/server/logger.ts';
import { createTestDatabase, type TestDatabase } from '../../support/create-test-database.ts';
import type { OpenDatabaseOptions } from '../../../src/db/open-database.ts';

/** 2026-01-10 12:00 in Seoul. */
export const FIXTURE_START = new Date('2026-01-10T03:00:00Z');
export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdefghijkl';
export const backend = createNodeCryptoBackend();

export interface ServerFixture {
  readonly app: VaxpassApp;
  readonly database: TestDatabase;
  readonly db: TestDatabase['db'];
  readonly keysDir: string;
  readonly clock: ReturnType<typeof manualClock>;
  readonly partnerA: { id: string; apiKey: string };
  readonly partnerB: { id: string; apiKey: string };
  /** Every JSON log line the app wrote. */
  readonly logs: string[];
  rootPublicKey(): Uint8Array;
  holderToken(personId: string): Promise<string>;
  holderPasses(personId: string): Promise<Response>;
  partnerIssue(body: unknown, options?: { apiKey?: string; idempotencyKey?: string; contentType?: string; raw?: string }): Promise<Response>;
  admin(path: string, body: unknown, token?: string): Promise<Response>;
  fetchBundleText(): Promise<string>;
  openServedBundle(): Promise<TrustedBundle>;
  verifyText(text: string): Promise<VerificationResult>;
  cleanup(): Promise<void>;
}

let sharedIdp: Promise<DevOpenIdProvider> | null = null;
/**
 * One real development OpenID provider per test file, on a loopback port: the fixture's identity
 * provider. Any client id may use its person-proof grant (holder tokens, partner proofs).
 */
export function testIdentityProvider(): Promise<DevOpenIdProvider> {
  return (sharedIdp ??= startDevOpenIdProvider({
    keysDir: mkdtempSync(join(tmpdir(), 'vaxpass-test-idp-')),
    host: '127.0.0.1',
    port: 0,
    accounts: [...DEMO_PEOPLE, { personId: 'nobody-123', name: 'Not In The Registry' }],
    findClient: (clientId) => ({ kind: 'partner', clientId }),
  }));
}

let keyCounter = 0;
export const newIdempotencyKey = () => `idem-${process.pid}-${Date.now()}-${++keyCounter}`;

export async function createServerFixture(overrides: Partial<ServerConfig> = {}, partnerOptions: { quotaPerMinute?: number; scopesB?: PartnerScope[]; start?: Date; sqlite?: OpenDatabaseOptions } = {}): Promise<ServerFixture> {
  const database = await createTestDatabase(undefined, partnerOptions.sqlite);
  const { db } = database;
  const keysDir = join(database.dir, 'keys');
  const start = partnerOptions.start ?? FIXTURE_START;
  const clock = manualClock(start);
  const now = Math.floor(start.getTime() / 1000);
  await initKeyDirectory(keysDir, { now: now - 86_400 });
  await seedDemoRegistry(db, now);
  // Registry-trusted partners (clinics: they issue on a personId alone), so tests of issuance itself
  // need no sign-in; test/server/partner-proof.test.ts covers partners that need the person's proof.
  const { a, b } = await db.transaction(async (tx) => ({
    a: await createPartner(tx, { id: 'partner-a', name: 'Clinic A', now, quotaPerMinute: partnerOptions.quotaPerMinute ?? 1000, registryTrusted: true }),
    b: await createPartner(tx, { id: 'partner-b', name: 'Clinic B', now, registryTrusted: true, ...(partnerOptions.scopesB ? { scopes: partnerOptions.scopesB } : {}) }),
  }));
  const logs: string[] = [];
  const idp = await testIdentityProvider();
  const config = testConfig({ adminToken: ADMIN_TOKEN, logLevel: 'debug', oidc: { issuer: idp.issuer, jwksUrl: null, audience: 'vaxpass-holder', personClaim: 'sub', clientSecret: null }, ...overrides });
  const app = createApp({ db, signer: watchedKeyDirectory(keysDir, 0), clock, config, logger: createLogger('debug', (line) => void logs.push(line)) });

  const fixture: ServerFixture = {
    app,
    database,
    db,
    keysDir,
    clock,
    partnerA: { id: 'partner-a', apiKey: a.apiKey },
    partnerB: { id: 'partner-b', apiKey: b.apiKey },
    logs,
    rootPublicKey: () => loadKeyDirectory(keysDir).rootPublicKey,
    async holderToken(personId) {
      return devPersonProof((await testIdentityProvider()).issuer, config.oidc!.audience, personId);
    },
    async holderPasses(personId) {
      return app.request('/api/v1/holder/passes', { headers: { Authorization: `Bearer ${await fixture.holderToken(personId)}` } });
    },
    async partnerIssue(body, options = {}) {
      return app.request('/api/v1/partner/passes', {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${options.apiKey ?? a.apiKey}`,
          'Content-Type': options.contentType ?? 'application/json',
          'Idempotency-Key': options.idempotencyKey ?? newIdempotencyKey(),
        },
        body: options.raw ?? JSON.stringify(body),
      });
    },
    async admin(path, body, token = ADMIN_TOKEN) {
      return app.request(`/api/v1/admin${path}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    },
    async fetchBundleText() {
      const res = await app.request('/api/v1/trust-bundle');
      if (res.status !== 200) throw new Error(`bundle: ${res.status}`);
      return res.text();
    },
    async openServedBundle() {
      const opened = await openBundle(await fixture.fetchBundleText(), { root: fixture.rootPublicKey(), now: clock.now(), backend });
      if (!opened.ok) throw new Error(`bundle does not open: ${opened.code} ${opened.message}`);
      return opened.bundle;
    },
    async verifyText(text) {
      return verify(text, await fixture.openServedBundle(), { now: clock.now() });
    },
    cleanup: () => database.cleanup(),
  };
  return fixture;
}

/** Serves the app on 127.0.0.1, port 0. */
export async function listen(app: VaxpassApp): Promise<{ url: string; close(): Promise<void> }> {
  const server = await new Promise<ReturnType<typeof serve>>((ok) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => ok(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((ok) => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

export async function problemOf(res: Response): Promise<{ status: number; code: string; detail: string; type: string; title: string; instance?: string; [k: string]: unknown }> {
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  return (await res.json()) as never;
}
