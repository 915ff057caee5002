// Holder sign-in with the issuer as the holder app's backend: /login sends the browser to the
// provider (code + PKCE), /callback turns the provider's answer into a server-side session and a
// cookie, GET / tells the app whether it is signed in (and its CSRF token), /logout ends the
// session on the server. No token ever reaches the browser.
import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { deleteHolderSession, findHolderSession, insertHolderSession, sessionIdHash } from '../../db/queries/holder-sessions.ts';
import type { VaxpassDatabase } from '../../db/store.ts';
import type { HolderSignIn } from '../../idp/holder-sign-in.ts';
import type { AppEnv } from '../app-env.ts';
import type { HolderRefreshCache } from '../session/holder-refresh-cache.ts';
import { unixNow, type Clock } from '../clock.ts';
import type { ServerConfig } from '../config.ts';
import { ApiError } from '../problem.ts';
import {
  clearSessionCookie,
  clearSignInCookie,
  randomToken,
  readSessionCookie,
  readSignInCookie,
  SESSION_PATH,
  setSessionCookie,
  setSignInCookie,
} from '../session/holder-session-cookie.ts';

/** How long a started sign-in may take at the provider. */
const SIGN_IN_SECONDS = 600;
const APP_PATH = '/holder/';

export function holderSessionRoutes(deps: { db: VaxpassDatabase; clock: Clock; config: ServerConfig; signIn: HolderSignIn | null; refreshCache?: HolderRefreshCache }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const callbackUrl = (requestUrl: string) => `${deps.config.publicUrl ?? new URL(requestUrl).origin}${SESSION_PATH}/callback`;
  const noStore = { 'Cache-Control': 'no-store' };

  app.get('/login', async (c) => {
    if (!deps.signIn) throw new ApiError('SIGN_IN_UNAVAILABLE', 'holder sign-in is not configured on this issuer (VAXPASS_OIDC_ISSUER and VAXPASS_OIDC_CLIENT_SECRET)');
    const now = unixNow(deps.clock);
    const started = await deps.signIn.start(callbackUrl(c.req.url)).catch(() => {
      throw new ApiError('IDENTITY_PROVIDER_UNAVAILABLE', 'the identity provider cannot be reached; try again in a moment', { 'Retry-After': '30' });
    });
    const id = randomToken();
    const { pkceVerifier, state, nonce } = started.checks;
    await deps.db.transaction((tx) => insertHolderSession(tx, { idHash: sessionIdHash(id), personId: null, csrfToken: randomToken(), pkceVerifier, state, nonce, createdAt: now, expiresAt: now + SIGN_IN_SECONDS }));
    setSignInCookie(c, id, SIGN_IN_SECONDS);
    return c.redirect(started.url, 302);
  });

  app.get('/callback', async (c) => {
    const now = unixNow(deps.clock);
    const pendingId = readSignInCookie(c);
    const pending = pendingId && deps.signIn ? await findHolderSession(deps.db, pendingId, now) : null;
    clearSignInCookie(c);
    // Every failure lands back in the app, which keeps showing the passes it has and says sign-in failed.
    if (!pending || pending.personId !== null || !pending.pkceVerifier || !pending.state || !pending.nonce) return c.redirect(`${APP_PATH}?signIn=expired`, 303);
    const callback = new URL(`${callbackUrl(c.req.url)}${new URL(c.req.url).search}`);
    const result = await deps.signIn!.finish(callback, { pkceVerifier: pending.pkceVerifier, state: pending.state, nonce: pending.nonce });
    if (!result.ok) {
      await deps.db.transaction((tx) => deleteHolderSession(tx, pendingId!));
      return c.redirect(`${APP_PATH}?signIn=failed`, 303);
    }
    // A new id for the signed-in session, so an id seen before sign-in is worth nothing after it.
    const id = randomToken();
    await deps.db.transaction(async (tx) => {
      await deleteHolderSession(tx, pendingId!);
      await insertHolderSession(tx, { idHash: sessionIdHash(id), personId: result.personId, csrfToken: randomToken(), pkceVerifier: null, state: null, nonce: null, createdAt: now, expiresAt: now + deps.config.holderSessionSeconds });
    });
    setSessionCookie(c, id, deps.config.holderSessionSeconds);
    return c.redirect(APP_PATH, 303);
  });

  app.get('/', async (c) => {
    const id = readSessionCookie(c);
    const session = id ? await findHolderSession(deps.db, id, unixNow(deps.clock)) : null;
    if (!session || session.personId === null) return c.json({ signedIn: false, signInAvailable: deps.signIn !== null }, 200, noStore);
    return c.json({ signedIn: true, csrfToken: session.csrfToken, expiresAt: session.expiresAt }, 200, noStore);
  });

  app.post('/logout', async (c) => {
    const id = readSessionCookie(c);
    const session = id ? await findHolderSession(deps.db, id, unixNow(deps.clock)) : null;
    if (session) {
      const sent = Buffer.from(c.req.header('x-csrf-token') ?? '');
      const expected = Buffer.from(session.csrfToken);
      if (sent.length !== expected.length || !timingSafeEqual(sent, expected)) throw new ApiError('CSRF_TOKEN_INVALID', 'send the session\'s CSRF token (GET /api/v1/holder/session) in X-CSRF-Token');
      await deps.db.transaction((tx) => deleteHolderSession(tx, id!));
    }
    if (id) deps.refreshCache?.forgetSession(id);
    clearSessionCookie(c);
    return c.body(null, 204, noStore);
  });
  return app;
}
