// The holder's session cookie: a random id, HttpOnly (no script reads it), SameSite=Strict (no
// other site's page sends it), Secure beyond localhost (browsers drop Secure cookies on plain http,
// and the apps need HTTPS there anyway). The sign-in cookie lives only between the redirect to the
// provider and its callback, and is Lax because that callback is a navigation from the provider.
import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../app-env.ts';

export const SESSION_COOKIE = 'vaxpass_session';
export const SIGN_IN_COOKIE = 'vaxpass_sign_in';
export const SESSION_PATH = '/api/v1/holder/session';

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

export const randomToken = () => randomBytes(32).toString('base64url');

function secure(c: Context<AppEnv>): boolean {
  return !LOOPBACK.test(new URL(c.req.url).hostname);
}

export function readSessionCookie(c: Context<AppEnv>): string | null {
  const value = getCookie(c, SESSION_COOKIE);
  return value && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null;
}

/** The session cookie's value from a raw Cookie header (the first of that name, as Hono reads it), or null. */
export function sessionCookieIn(header: string | undefined): string | null {
  if (!header || !header.includes(SESSION_COOKIE)) return null;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1 || pair.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = pair.slice(eq + 1).trim();
    return /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null;
  }
  return null;
}

export function readSignInCookie(c: Context<AppEnv>): string | null {
  const value = getCookie(c, SIGN_IN_COOKIE);
  return value && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : null;
}

export function setSessionCookie(c: Context<AppEnv>, id: string, maxAgeSeconds: number): void {
  setCookie(c, SESSION_COOKIE, id, { httpOnly: true, secure: secure(c), sameSite: 'Strict', path: '/', maxAge: maxAgeSeconds });
}

export function setSignInCookie(c: Context<AppEnv>, id: string, maxAgeSeconds: number): void {
  setCookie(c, SIGN_IN_COOKIE, id, { httpOnly: true, secure: secure(c), sameSite: 'Lax', path: SESSION_PATH, maxAge: maxAgeSeconds });
}

export function clearSessionCookie(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: secure(c) });
}

export function clearSignInCookie(c: Context<AppEnv>): void {
  deleteCookie(c, SIGN_IN_COOKIE, { path: SESSION_PATH, secure: secure(c) });
}
