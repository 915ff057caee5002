// The holder app's session (backend-for-frontend sign-in) on a real issuer and the real dev
// provider: the cookie's attributes, CSRF on sign-out, sign-out ending the session on the server,
// expiry, and a restart that keeps everyone signed in.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../../src/server/clock.ts';
import { startServer, type RunningServer } from '../../src/server/main.ts';
import { signInThroughProvider } from '../support/sign-in-through-provider.ts';

let dir: string;
const clock = manualClock(new Date());
const start = (holderSessionSeconds = '3600') =>
  startServer({
    env: { PORT: '0', VAXPASS_DB: join(dir, 'vaxpass.sqlite'), VAXPASS_KEYS: join(dir, 'keys'), VAXPASS_DEV_IDP: 'on', LOG_LEVEL: 'silent', VAXPASS_APPS_DIR: join(dir, 'no-apps'), VAXPASS_HOLDER_SESSION_SECONDS: holderSessionSeconds },
    clock,
    print: () => undefined,
    writeLog: () => undefined,
  });
let server: RunningServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vaxpass-session-'));
  server = await start();
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const passes = (url: string, cookie: string) => fetch(`${url}/api/v1/holder/passes`, { headers: { Cookie: cookie } });
const sessionOf = async (url: string, cookie: string) => (await (await fetch(`${url}/api/v1/holder/session`, { headers: { Cookie: cookie } })).json()) as { signedIn: boolean; csrfToken?: string };

describe('holder session', () => {
  it('the login redirect carries PKCE (S256), state and nonce, and sets only a random, HttpOnly, Lax sign-in cookie', async () => {
    const res = await fetch(`${server.url}/api/v1/holder/session/login`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location')!);
    expect(to.origin).toBe(server.devIdpIssuer);
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
    for (const p of ['code_challenge', 'state', 'nonce']) expect(to.searchParams.get(p)).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(to.searchParams.get('redirect_uri')).toBe(`${server.url}/api/v1/holder/session/callback`);
    const cookie = res.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/^vaxpass_sign_in=[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/api\/v1\/holder\/session; HttpOnly; SameSite=Lax$/);
  });

  it('a callback without its sign-in cookie, or with a forged code, creates no session', async () => {
    const bare = await fetch(`${server.url}/api/v1/holder/session/callback?code=x&state=y`, { redirect: 'manual' });
    expect(bare.status).toBe(303);
    expect(bare.headers.get('location')).toBe('/holder/?signIn=expired');
    expect(bare.headers.getSetCookie().some((c) => c.startsWith('vaxpass_session='))).toBe(false);
  });

  it('sign-out needs the CSRF token and ends the session on the server', async () => {
    const cookie = await signInThroughProvider(server.url, 'demo-0001');
    expect((await passes(server.url, cookie)).status).toBe(200);
    const { csrfToken } = await sessionOf(server.url, cookie);
    const forged = await fetch(`${server.url}/api/v1/holder/session/logout`, { method: 'POST', headers: { Cookie: cookie } });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as { code: string }).code).toBe('CSRF_TOKEN_INVALID');
    expect((await passes(server.url, cookie)).status).toBe(200);
    const out = await fetch(`${server.url}/api/v1/holder/session/logout`, { method: 'POST', headers: { Cookie: cookie, 'X-CSRF-Token': csrfToken! } });
    expect(out.status).toBe(204);
    // The same cookie, replayed after sign-out, opens nothing.
    expect((await passes(server.url, cookie)).status).toBe(401);
    expect((await sessionOf(server.url, cookie)).signedIn).toBe(false);
  });

  it('a session ends at its expiry', async () => {
    const cookie = await signInThroughProvider(server.url, 'demo-0002');
    expect((await passes(server.url, cookie)).status).toBe(200);
    clock.advance(3601);
    expect((await passes(server.url, cookie)).status).toBe(401);
    clock.set(new Date());
  });

  describe('a refresh answered 304 from memory (holder-refresh-cache.ts)', () => {
    const refresh = (cookie: string, etag: string) => fetch(`${server.url}/api/v1/holder/passes`, { headers: { Cookie: cookie, 'If-None-Match': etag } });
    const signedInWithEtag = async (personId: string) => {
      const cookie = await signInThroughProvider(server.url, personId);
      const first = await passes(server.url, cookie);
      expect(first.status).toBe(200);
      return { cookie, etag: first.headers.get('etag')!, body: (await first.json()) as { passes: { passId: string }[] } };
    };

    it('answers the ETag it gave with 304, and nothing else: another ETag or no cookie takes the full path', async () => {
      const { cookie, etag } = await signedInWithEtag('demo-0001');
      const again = await refresh(cookie, etag);
      expect(again.status).toBe(304);
      expect(again.headers.get('etag')).toBe(etag);
      expect(again.headers.get('cache-control')).toBe('private, no-cache');
      expect((await refresh(cookie, '"another"')).status).toBe(200);
      const anonymous = await fetch(`${server.url}/api/v1/holder/passes`, { headers: { 'If-None-Match': etag } });
      expect(anonymous.status).toBe(401);
    });

    it('ends with sign-out and with the session: the cookie then opens nothing, even with the cached ETag', async () => {
      const { cookie, etag } = await signedInWithEtag('demo-0002');
      expect((await refresh(cookie, etag)).status).toBe(304);
      const { csrfToken } = await sessionOf(server.url, cookie);
      expect((await fetch(`${server.url}/api/v1/holder/session/logout`, { method: 'POST', headers: { Cookie: cookie, 'X-CSRF-Token': csrfToken! } })).status).toBe(204);
      expect((await refresh(cookie, etag)).status).toBe(401);

      const other = await signedInWithEtag('demo-0002');
      expect((await refresh(other.cookie, other.etag)).status).toBe(304);
      clock.advance(3601);
      expect((await refresh(other.cookie, other.etag)).status).toBe(401);
      clock.set(new Date());
    });

    it('an admin revocation here reaches the next refresh at once: the holder gets a new pass, not a 304', async () => {
      const { cookie, etag, body } = await signedInWithEtag('demo-0001');
      expect((await refresh(cookie, etag)).status).toBe(304);
      const revoked = await fetch(`${server.url}/api/v1/admin/revocations/passes`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${server.config.adminToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ passId: body.passes[0]!.passId, reason: 'lost phone' }),
      });
      expect(revoked.status).toBe(201);
      const after = await refresh(cookie, etag);
      expect(after.status).toBe(200);
      expect(((await after.json()) as { passes: { passId: string }[] }).passes[0]!.passId).not.toBe(body.passes[0]!.passId);
    });
  });

  it('a restart keeps every holder signed in (sessions live in the database)', async () => {
    const cookie = await signInThroughProvider(server.url, 'demo-0001');
    await server.close();
    server = await start();
    expect((await sessionOf(server.url, cookie)).signedIn).toBe(true);
    expect((await passes(server.url, cookie)).status).toBe(200);
  });
});
