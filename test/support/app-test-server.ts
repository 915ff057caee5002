// A small stand-in for the issuer's HTTP surface that the web apps use (same paths and headers
// as the issuer API contract), serving the built apps from dist/apps. Browser tests use it where
// they need control the real issuer does not give (swap bundles, fail with 429, stop mid-test),
// and benchmarks use it to stay offline. End-to-end tests use the real issuer (createApp).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { passView, type PassView } from '../../src/server/issuance/issued-pass-view.ts';
import { appPageHeaders, type AppName } from '../../src/server/app-page-headers.ts';

export const APPS_DIR = resolve(fileURLToPath(new URL('../../dist/apps', import.meta.url)));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export interface HolderFixture {
  readonly personId: string;
  readonly name: string;
  readonly passes: readonly unknown[];
}

export interface AppServerState {
  bundle: string | null;
  /** Served at /api/v1/trust-bundle/revocations (any `since`); null answers 404. */
  revocationDelta?: string | null;
  rootPublicKey: string;
  people: HolderFixture[];
  /** When set, /api/v1/holder/passes answers this status (with Retry-After for 429/503). */
  passesFailure: { status: number; retryAfter?: string } | null;
  /** Request counts by path, for tests of caching and retry behaviour. */
  readonly hits: Map<string, number>;
}

export interface AppTestServer {
  readonly url: string;
  readonly state: AppServerState;
  close(): Promise<void>;
}

const etagOf = (body: string) => `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;

function send(res: ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(value), { 'Content-Type': 'application/json', ...headers });
}

function problem(res: ServerResponse, status: number, title: string, headers: Record<string, string> = {}): void {
  send(res, status, JSON.stringify({ type: 'about:blank', title, status }), { 'Content-Type': 'application/problem+json', ...headers });
}

function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): boolean {
  const match = /^\/(holder|scanner)(\/.*)?$/.exec(pathname);
  if (!match) return false;
  if (match[2] === undefined) {
    send(res, 308, '', { Location: `/${match[1]}/` });
    return true;
  }
  const root = join(APPS_DIR, match[1]!);
  let file = normalize(join(root, decodeURIComponent(match[2]!)));
  if (!file.startsWith(root)) return problem(res, 404, 'Not Found'), true;
  if (file.endsWith('/')) file = join(file, 'index.html');
  if (!existsSync(file) || !statSync(file).isFile()) return problem(res, 404, 'Not Found'), true;
  const body = readFileSync(file);
  const immutable = file.includes(`${join(root, 'assets')}`);
  send(res, 200, body, {
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...appPageHeaders(match[1] as AppName),
  });
  void req;
  return true;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startAppTestServer(initial: Omit<AppServerState, 'hits' | 'passesFailure'> & { passesFailure?: AppServerState['passesFailure'] }): Promise<AppTestServer> {
  const state: AppServerState = { passesFailure: null, ...initial, hits: new Map() };
  const server = createServer((req, res) => {
    const sessionPerson = (r: typeof req) => {
      const id = /(?:^|;\s*)vaxpass_session=([^;]+)/.exec(r.headers.cookie ?? '')?.[1];
      return state.people.find((p) => p.personId === id) ?? null;
    };
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      state.hits.set(url.pathname, (state.hits.get(url.pathname) ?? 0) + 1);
      if (req.method === 'GET' && serveStatic(req, res, url.pathname)) return;
      const route = `${req.method} ${url.pathname}`;
      switch (route) {
        case 'GET /api/v1/trust-root':
          return sendJson(res, 200, { kid: 'test-root', publicKey: state.rootPublicKey, jwk: { kty: 'OKP', crv: 'Ed25519', x: state.rootPublicKey } });
        case 'GET /api/v1/trust-bundle': {
          if (!state.bundle) return problem(res, 503, 'No bundle yet', { 'Retry-After': '60' });
          const etag = etagOf(state.bundle);
          const headers = { ETag: etag, 'Cache-Control': 'public, max-age=300, stale-while-revalidate=86400' };
          if (req.headers['if-none-match'] === etag) return send(res, 304, '', headers);
          return send(res, 200, state.bundle, { 'Content-Type': 'application/jose', ...headers });
        }
        case 'GET /api/v1/trust-bundle/revocations':
          if (!state.revocationDelta) return problem(res, 404, 'No delta');
          return send(res, 200, state.revocationDelta, { 'Content-Type': 'application/jose', ETag: etagOf(state.revocationDelta) });
        // Sign-in stand-in: the real issuer redirects to the identity provider (code + PKCE); here the
        // person is picked on a page at the login URL, and the session cookie names the person.
        case 'GET /api/v1/holder/session/login':
          return send(res, 200, `<!doctype html><form method="post">${state.people.map((p) => `<button name="person_id" value="${p.personId}" data-person="${p.personId}">${p.name}</button>`).join('')}</form>`, { 'Content-Type': 'text/html' });
        case 'POST /api/v1/holder/session/login': {
          const personId = new URLSearchParams(await readBody(req)).get('person_id') ?? '';
          if (!state.people.some((p) => p.personId === personId)) return problem(res, 400, 'Unknown person');
          return send(res, 303, '', { Location: '/holder/', 'Set-Cookie': `vaxpass_session=${personId}; HttpOnly; SameSite=Strict; Path=/` });
        }
        case 'GET /api/v1/holder/session': {
          const person = sessionPerson(req);
          return sendJson(res, 200, person ? { signedIn: true, csrfToken: `csrf-${person.personId}` } : { signedIn: false, signInAvailable: true });
        }
        case 'POST /api/v1/holder/session/logout': {
          const person = sessionPerson(req);
          if (person && req.headers['x-csrf-token'] !== `csrf-${person.personId}`) return problem(res, 403, 'CSRF');
          return send(res, 204, '', { 'Set-Cookie': 'vaxpass_session=; Max-Age=0; Path=/' });
        }
        case 'GET /api/v1/holder/passes': {
          if (state.passesFailure) {
            const { status, retryAfter } = state.passesFailure;
            return problem(res, status, 'Unavailable', retryAfter ? { 'Retry-After': retryAfter } : {});
          }
          const person = sessionPerson(req);
          if (!person) return problem(res, 401, 'Unauthorized', { 'WWW-Authenticate': 'Bearer' });
          const body = JSON.stringify({ passes: person.passes });
          const etag = etagOf(body);
          if (req.headers['if-none-match'] === etag) return send(res, 304, '', { ETag: etag });
          return send(res, 200, body, { 'Content-Type': 'application/json', ETag: etag, 'Cache-Control': 'private, no-cache' });
        }
        default:
          return problem(res, 404, 'Not Found');
      }
    })().catch(() => {
      if (!res.headersSent) problem(res, 500, 'Internal Server Error');
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** The API shape of a holder pass, built by the issuer's own view function so the stand-in cannot drift from it. */
export function holderPassJson(pass: Parameters<typeof passView>[0] & { holder: { name: string; birthDate: string } }): PassView {
  return passView(pass, pass.holder);
}
