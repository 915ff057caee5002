// Operations surface: config validation, health, metrics, OpenAPI, the offline docs page, the
// dev identity provider switch, static apps, graceful shutdown.
import { databaseAnswers } from '../../src/db/queries/health.ts';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_RULES } from '../../src/core/index.ts';
import { runCli } from '../../src/cli/main.ts';
import { readKeyring } from '../../src/keys/key-directory.ts';
import { ConfigError, loadConfig } from '../../src/server/config.ts';
import { startServer } from '../../src/server/main.ts';
import { createServerFixture, problemOf, testIdentityProvider, type ServerFixture } from './support/server-fixture.ts';
import { devPersonProof } from '../support/dev-person-proof.ts';

let f: ServerFixture;
beforeEach(async () => {
  f = await createServerFixture();
});
afterEach(() => f.cleanup());

describe('configuration', () => {
  it('has defaults that need no configuration', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 8080, host: '127.0.0.1', databasePath: './data/vaxpass.sqlite', keysDir: './keys', devIdp: false, adminToken: null, bundleLifetimeSeconds: 172_800 });
  });

  it('refuses bad values with a message naming the variable', () => {
    const bad: [Record<string, string>, string][] = [
      [{ PORT: 'eighty' }, 'PORT'],
      [{ PORT: '70000' }, 'PORT'],
      [{ HOST: 'bad host' }, 'HOST'],
      [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
      [{ VAXPASS_DEV_IDP: 'yes please' }, 'VAXPASS_DEV_IDP'],
      [{ VAXPASS_ADMIN_TOKEN: 'short' }, 'VAXPASS_ADMIN_TOKEN'],
      [{ VAXPASS_OIDC_JWKS_URL: 'https://id.example/jwks' }, 'VAXPASS_OIDC_JWKS_URL'],
      [{ VAXPASS_OIDC_ISSUER: 'https://id.example', VAXPASS_OIDC_PERSON_CLAIM: 'a b' }, 'VAXPASS_OIDC_PERSON_CLAIM'],
      [{ VAXPASS_OIDC_ISSUER: 'not a url', VAXPASS_OIDC_JWKS_URL: 'https://id.example/jwks' }, 'VAXPASS_OIDC_ISSUER'],
      [{ VAXPASS_BUNDLE_REFRESH_SECONDS: '172800' }, 'VAXPASS_BUNDLE_REFRESH_SECONDS'],
      [{ VAXPASS_TIME_ZONE: 'Mars/Olympus' }, 'VAXPASS_TIME_ZONE'],
      [{ VAXPASS_OIDC_AUDIENCE: 'vaxpass\nholder' }, 'VAXPASS_OIDC_AUDIENCE'],
      [{ VAXPASS_MAX_BODY_BYTES: '1e5' }, 'VAXPASS_MAX_BODY_BYTES'],
      [{ VAXPASS_SEED_DEMO: 'yes' }, 'VAXPASS_SEED_DEMO'],
      [{ VAXPASS_PUBLIC_URL: 'ftp://issuer.example' }, 'VAXPASS_PUBLIC_URL'],
    ];
    for (const [env, variable] of bad) {
      let error: unknown;
      try {
        loadConfig(env);
      } catch (e) {
        error = e;
      }
      expect(error, variable).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe(variable);
      expect((error as ConfigError).message.startsWith(`${variable}: `)).toBe(true);
    }
  });

  it('publishes rules from VAXPASS_RULES_FILE and refuses an invalid rules file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vaxpass-rules-'));
    try {
      const good = join(dir, 'rules.json');
      const custom = { ...DEFAULT_RULES, test: { kinds: { PCR: { validHours: 72 }, RAT: { validHours: 24 } } } };
      writeFileSync(good, JSON.stringify(custom));
      const g = await createServerFixture({ rules: loadConfig({ VAXPASS_RULES_FILE: good }).rules });
      try {
        expect((await g.openServedBundle()).rules).toEqual(custom);
      } finally {
        await g.cleanup();
      }
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, JSON.stringify({ ...DEFAULT_RULES, timeZone: 'Nowhere/Land' }));
      for (const file of [bad, join(dir, 'missing.json')]) {
        expect(() => loadConfig({ VAXPASS_RULES_FILE: file })).toThrow(/^VAXPASS_RULES_FILE: /);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('generates a dev admin token only with the dev IdP on, and disables admin otherwise', () => {
    expect(loadConfig({ VAXPASS_DEV_IDP: 'on' })).toMatchObject({ adminTokenGenerated: true, adminToken: expect.stringMatching(/^.{43}$/) });
    expect(loadConfig({ VAXPASS_DEV_IDP: 'off' })).toMatchObject({ adminTokenGenerated: false, adminToken: null });
  });
});

describe('vaxpass keys rotate', () => {
  it('adds a next key with the lead time, prints what it did, and refuses a second pending rotation', async () => {
    const out: string[] = [];
    const io = { stdout: (t: string) => void out.push(t), stderr: (t: string) => void out.push(t), readStdin: async () => '' };
    expect(await runCli(['keys', 'rotate', '--dir', f.keysDir, '--lead', '72h', '--at', '2026-01-10T12:00:00+09:00'], io)).toBe(0);
    const keys = readKeyring(f.keysDir).issuerKeys;
    expect(keys).toHaveLength(2);
    expect(keys[1]).toMatchObject({ status: 'next', validFrom: Math.floor(Date.parse('2026-01-13T03:00:00Z') / 1000) });
    expect(keys[0]!.signUntil).toBe(keys[1]!.validFrom);
    expect(out.join('')).toContain(`added    issuer key ${keys[1]!.kid}`);
    expect(await runCli(['keys', 'rotate', '--dir', f.keysDir, '--at', '2026-01-10T12:00:00+09:00'], io)).toBe(2);
    expect(out.join('')).toMatch(/already waiting/);
    // Below the bundle refresh period (24 h by default) a scanner could meet the key's passes before its bundle.
    out.length = 0;
    expect(await runCli(['keys', 'rotate', '--dir', f.keysDir, '--lead', '23h'], io)).toBe(2);
    expect(out.join('')).toMatch(/at least one bundle refresh period \(86400s = 24h/);
    expect(await runCli(['keys', 'rotate', '--dir', join(f.keysDir, 'missing')], io)).toBe(2);
  });

  it('--emergency lets the new key sign at once, with a warning (after revoking a compromised key)', async () => {
    const out: string[] = [];
    const io = { stdout: (t: string) => void out.push(t), stderr: (t: string) => void out.push(t), readStdin: async () => '' };
    // No reason, no rotation.
    expect(await runCli(['keys', 'rotate', '--dir', f.keysDir, '--emergency', '--at', '2026-01-10T12:00:00+09:00'], io)).toBe(2);
    expect(out.join('')).toMatch(/--emergency needs --reason/);
    expect(readKeyring(f.keysDir).issuerKeys).toHaveLength(1);
    out.length = 0;
    expect(await runCli(['keys', 'rotate', '--dir', f.keysDir, '--emergency', '--reason', 'key leaked, incident 41', '--at', '2026-01-10T12:00:00+09:00'], io)).toBe(0);
    const keys = readKeyring(f.keysDir).issuerKeys;
    expect(keys[1]).toMatchObject({ status: 'next', validFrom: Math.floor(Date.parse('2026-01-10T03:00:00Z') / 1000) });
    expect(out.join('')).toMatch(/warning: emergency rotation: passes signed by the new key verify only at scanners that fetched a bundle after/);
    expect(JSON.parse(readFileSync(join(f.keysDir, 'emergency-rotations.ndjson'), 'utf8'))).toMatchObject({ kid: keys[1]!.kid, reason: 'key leaked, incident 41', forced: false });
    // A repeat within the refresh period would retire the key just added: refused unless forced.
    out.length = 0;
    expect(await runCli(['keys', 'rotate', '--dir', f.keysDir, '--emergency', '--reason', 'again', '--at', '2026-01-10T13:00:00+09:00'], io)).toBe(2);
    expect(out.join('')).toMatch(new RegExp(`issuer key ${keys[1]!.kid} started signing .* add --force`));
    expect(readKeyring(f.keysDir).issuerKeys).toHaveLength(2);
    expect(await runCli(['keys', 'rotate', '--dir', f.keysDir, '--emergency', '--reason', 'second key leaked too', '--force', '--at', '2026-01-10T13:00:00+09:00'], io)).toBe(0);
    expect(readKeyring(f.keysDir).issuerKeys).toHaveLength(3);
  });
});

describe('health and metrics', () => {
  it('/livez, /readyz and /metrics', async () => {
    expect(await (await f.app.request('/livez')).json()).toEqual({ status: 'ok' });
    expect((await f.app.request('/readyz')).status).toBe(200);
    await f.holderPasses('demo-0001');
    await f.partnerIssue({ personId: 'demo-0002' });
    await f.partnerIssue({ personId: 'nobody-0001' });
    const metrics = await (await f.app.request('/metrics')).text();
    expect(metrics).toContain('vaxpass_http_requests_total{method="GET",route="/api/v1/holder/passes",status="200"} 1');
    expect(metrics).toContain('vaxpass_http_requests_total{method="POST",route="/api/v1/partner/passes",status="404"} 1');
    expect(metrics).toMatch(/vaxpass_http_request_duration_seconds_bucket\{le="\+Inf",method="POST",route="\/api\/v1\/partner\/passes"\} 2/);
    // Process health, so overload shows before it hurts.
    for (const name of ['nodejs_eventloop_lag_p99_seconds', 'nodejs_gc_duration_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_active_handles_total', 'process_resident_memory_bytes', 'vaxpass_admission_in_flight', 'vaxpass_admission_queued']) expect(metrics).toContain(name);
    expect(metrics).toContain('vaxpass_passes_issued_total{channel="partner"} 1');
    expect(metrics).toMatch(/vaxpass_bundle_signer_certificate_expiry_timestamp_seconds \d{10}/);
    expect(metrics).not.toContain('demo-0001');
    // Past the signer certificate (90 days from key creation) the issuer is not ready.
    f.clock.advance(100 * 86_400);
    const notReady = await f.app.request('/readyz');
    expect(notReady.status).toBe(503);
    expect((await problemOf(notReady)).detail).toMatch(/certificate/);
  });
});

describe('API description', () => {
  it('/openapi.json is OpenAPI 3.1 and documents every route the app serves', async () => {
    const doc = (await (await f.app.request('/openapi.json')).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`)));
    const served = new Set(
      f.app.routes
        .filter((r) => r.method !== 'ALL' && !r.path.startsWith('/holder') && !r.path.startsWith('/scanner') && r.path !== '/')
        .map((r) => `${r.method} ${r.path}`),
    );
    expect([...served].filter((r) => !documented.has(r))).toEqual([]);
    expect([...documented].filter((r) => !served.has(r))).toEqual([]);
    // Request bodies come from the routes' zod schemas: strict, with the same patterns and required fields.
    const body = (path: string) => (doc.paths[path] as { post: { requestBody: { content: { 'application/json': { schema: Record<string, unknown> } } } } }).post.requestBody.content['application/json'].schema;
    expect(body('/api/v1/partner/passes')).toMatchObject({ additionalProperties: false, properties: { personId: { pattern: '^[A-Za-z0-9._:-]{1,64}$' }, type: { default: 'vaccination' } } });
    expect(body('/api/v1/admin/revocations/passes')).toMatchObject({ additionalProperties: false, required: ['passId'], properties: { passId: { pattern: '^[0-9a-f]{16,32}$' } } });
  });

  it('answers a known path with the wrong method 405 and Allow, an unknown path 404', async () => {
    const wrongMethod = await f.app.request('/api/v1/trust-bundle', { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, HEAD');
    expect((await problemOf(wrongMethod)).code).toBe('METHOD_NOT_ALLOWED');
    const getOnPost = await f.app.request('/api/v1/partner/passes/0123456789abcdef', { method: 'PUT' });
    expect(getOnPost.headers.get('allow')).toBe('GET, HEAD');
    expect((await f.app.request('/api/v1/partner/passes', { method: 'GET' })).headers.get('allow')).toBe('POST');
    expect((await f.app.request('/api/v1/nothing-here')).status).toBe(404);
  });

  it('/docs is self-contained: the document inlined, every operation listed, no fetch, no script, no unsafe-inline', async () => {
    const res = await f.app.request('/docs');
    expect(res.status).toBe(200);
    const html = await res.text();
    const doc = (await (await f.app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    const inlined = /<script type="application\/json" id="openapi-document">([^<]*)<\/script>/.exec(html);
    expect(JSON.parse(inlined![1]!)).toEqual(doc);
    for (const [path, ops] of Object.entries(doc.paths)) for (const method of Object.keys(ops)) expect(html).toContain(`id="${method}-${path}"`);
    // The only scripts are data blocks; nothing is fetched, from here or elsewhere.
    expect([...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0])).toEqual(['<script type="application/json" id="openapi-document">']);
    expect(html).not.toMatch(/fetch\(|<link\b|<img\b|src=/i);
    expect(html).toContain('href="/openapi.json"');
    // Markdown in descriptions is rendered, not shown raw.
    const rendered = html.slice(0, inlined!.index);
    expect(rendered).toContain('<code>idToken</code>');
    expect(rendered).not.toMatch(/`idToken`/);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'none'");
    expect(csp).toMatch(/style-src 'self' 'sha256-[A-Za-z0-9+/]+=*'/);
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('permissions-policy')).toContain('camera=()');
  });

  it('/docs escapes HTML in descriptions and allows only safe links', async () => {
    const { docsPageHtml } = await import('../../src/server/docs/docs-page.ts');
    const html = docsPageHtml({
      openapi: '3.1.0',
      info: { title: '<b>T</b>', description: 'See <script>alert(1)</script> and [x](javascript:alert(1)) and [ok](/openapi.json), `a<b`.' },
      paths: { '/x/{id}': { get: { tags: ['untagged'], summary: 'Get </script>', description: '<img src=x onerror=alert(1)> ![i](https://elsewhere.example/i.png)' } } },
    });
    const rendered = html.slice(0, html.indexOf('<script type="application/json"'));
    expect(rendered).not.toMatch(/<(script|b)>|<img\b|javascript:|<\/script>/);
    expect(html).toContain('<a href="/openapi.json">ok</a>');
    expect(html).toContain('<code>a&lt;b</code>');
    expect(html).toContain('<h2 class="tag">untagged</h2>');
    expect(html.match(/<\/script>/g)).toHaveLength(1);
  });

  it('the landing page links the apps, docs and bundle', async () => {
    const html = await (await f.app.request('/')).text();
    for (const link of ['/holder/', '/scanner/', '/docs', '/api/v1/trust-bundle']) expect(html).toContain(`href="${link}"`);
    expect(html).toContain('DEV ONLY');
  });
});

describe('dev identity provider', () => {
  it('is its own DEV ONLY server whose issuer comes from configuration, never from a Host header; the issuer API has no dev routes', async () => {
    const idp = await testIdentityProvider();
    const port = new URL(idp.issuer).port;
    const discovery = await new Promise<string>((ok, fail) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/.well-known/openid-configuration', headers: { Host: 'attacker.example' } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => ok(body));
      });
      req.on('error', fail);
      req.end();
    });
    expect((JSON.parse(discovery) as { issuer: string }).issuer).toBe(idp.issuer);
    for (const path of ['/dev-idp/people', '/dev-idp/jwks.json']) expect((await f.app.request(path)).status).toBe(404);
    const paths = Object.keys(((await (await f.app.request('/openapi.json')).json()) as { paths: object }).paths);
    expect(paths.filter((p) => p.includes('dev-idp'))).toEqual([]);
    // A token for another deployment's provider is worthless here.
    const elsewhere = await createServerFixture({ oidc: { issuer: 'https://idp.elsewhere.example', jwksUrl: null, audience: 'vaxpass-holder', personClaim: 'sub', clientSecret: null } });
    try {
      const token = await f.holderToken('demo-0001');
      expect((await elsewhere.app.request('/api/v1/holder/passes', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(401);
    } finally {
      await elsewhere.cleanup();
    }
  });
});

describe('static apps', () => {
  it('serves built files and refuses paths outside the app directory', async () => {
    const apps = mkdtempSync(join(tmpdir(), 'vaxpass-apps-'));
    mkdirSync(join(apps, 'holder', 'assets'), { recursive: true });
    writeFileSync(join(apps, 'holder', 'index.html'), '<!doctype html><title>holder</title>');
    writeFileSync(join(apps, 'holder', 'assets', 'app-1234.js'), 'console.log(1)');
    writeFileSync(join(apps, 'secret.txt'), 'TOP-SECRET-CONTENT');
    const g = await createServerFixture({ appsDir: apps });
    try {
      expect((await g.app.request('/holder')).status).toBe(308);
      const index = await g.app.request('/holder/');
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toContain('text/html');
      expect((await g.app.request('/holder/assets/app-1234.js')).headers.get('cache-control')).toContain('immutable');
      for (const path of ['/holder/../secret.txt', '/holder/%2e%2e/secret.txt', '/holder/..%2fsecret.txt', '/holder/%E0%A4%A', '/holder/%00']) {
        const res = await g.app.request(path);
        expect(res.status, path).toBe(404);
        expect(await res.text()).not.toContain('TOP-SECRET-CONTENT');
      }
      const scanner = await g.app.request('/scanner/');
      expect(scanner.status).toBe(404);
      expect((await problemOf(scanner)).detail).toMatch(/build:apps/);
    } finally {
      await g.cleanup();
      rmSync(apps, { recursive: true, force: true });
    }
  });
});

describe('graceful shutdown', () => {
  it('finishes an in-flight request, then stops accepting and closes the database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vaxpass-shutdown-'));
    const server = await startServer({ env: { PORT: '0', VAXPASS_DB: join(dir, 'db.sqlite'), VAXPASS_KEYS: join(dir, 'keys'), VAXPASS_DEV_IDP: 'on', LOG_LEVEL: 'silent' }, print: () => {} });
    try {
      // A request whose body is still arriving when shutdown starts must still be answered.
      const body = JSON.stringify({ idToken: await devPersonProof(server.devIdpIssuer!, 'demo-portal', 'demo-0001') });
      const url = new URL(`${server.url}/api/v1/partner/passes`);
      let send!: () => void;
      const status = new Promise<number>((ok, fail) => {
        const req = httpRequest(
          { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { Authorization: `Bearer ${server.demoPartnerApiKey}`, 'Content-Type': 'application/json', 'Idempotency-Key': 'shutdown-0001', 'Content-Length': String(body.length) } },
          (res) => {
            res.resume();
            ok(res.statusCode ?? 0);
          },
        );
        req.on('error', fail);
        req.write(body.slice(0, 5));
        send = () => req.end(body.slice(5));
      });
      await new Promise((r) => setTimeout(r, 100));
      const closed = server.close();
      await new Promise((r) => setTimeout(r, 50));
      send();
      expect(await status).toBe(201);
      await closed;
      await expect(fetch(`${server.url}/livez`)).rejects.toThrow();
      expect(await databaseAnswers(server.db)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
