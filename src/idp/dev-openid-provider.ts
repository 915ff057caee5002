// DEV ONLY: a real OpenID Provider (oidc-provider, the certified Node implementation) for `npm start`
// and the tests, on its own port with the demo people as accounts. The issuer talks to it exactly
// as to a national identity provider: discovery, JWKS, authorization code + PKCE. Its issuer URL
// comes from configuration (host and port), never from a request's Host header.
//
// It also offers one development shortcut, the grant DEV_PERSON_PROOF_GRANT: a partner client asks
// for an ID token for a demo person directly (what a person signing in at the partner would
// produce), so the demo partner flow is one curl. Off whenever the dev identity provider is off.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { errors, type ClientMetadata, type KoaContextWithOIDC } from 'oidc-provider';
import { devLoginPage, type DevAccount } from './dev-login-page.ts';
import { loadOrCreateDevProviderKeys } from './dev-provider-keys.ts';
import { devProviderStorage } from './dev-provider-storage.ts';

export const DEV_PERSON_PROOF_GRANT = 'urn:vaxpass:params:grant-type:dev-person-proof';

/** A relying party of the dev provider: the holder backend (confidential, code + PKCE) or a partner (dev proof grant). */
export type DevClient =
  | { readonly kind: 'holder-backend'; readonly clientId: string; readonly clientSecret: string; readonly redirectUris: readonly string[]; readonly postLogoutRedirectUris: readonly string[] }
  | { readonly kind: 'partner'; readonly clientId: string };

export interface DevOpenIdProviderOptions {
  readonly keysDir: string;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly accounts: readonly DevAccount[];
  /** The relying party with this client id, looked up on each use (partners can be added while running). */
  readonly findClient: (clientId: string) => DevClient | null | Promise<DevClient | null>;
}

export interface DevOpenIdProvider {
  readonly issuer: string;
  close(): Promise<void>;
}

function clientMetadata(client: DevClient): ClientMetadata {
  if (client.kind === 'partner') {
    return { client_id: client.clientId, token_endpoint_auth_method: 'none', grant_types: [DEV_PERSON_PROOF_GRANT], response_types: [], redirect_uris: [] };
  }
  return {
    client_id: client.clientId,
    client_secret: client.clientSecret,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    redirect_uris: [...client.redirectUris],
    post_logout_redirect_uris: [...client.postLogoutRedirectUris],
    token_endpoint_auth_method: 'client_secret_basic',
  };
}

function createProvider(issuer: string, options: DevOpenIdProviderOptions): Provider {
  const keys = loadOrCreateDevProviderKeys(options.keysDir);
  const byId = new Map(options.accounts.map((a) => [a.personId, a]));
  const provider = new Provider(issuer, {
    adapter: devProviderStorage(async (clientId) => {
      const client = await options.findClient(clientId);
      return client ? clientMetadata(client) : undefined;
    }),
    jwks: keys.jwks as never,
    cookies: { keys: keys.cookieKeys },
    findAccount: (_ctx, id) => {
      const account = byId.get(id);
      return account ? { accountId: id, claims: () => ({ sub: id, name: account.name }) } : undefined;
    },
    claims: { openid: ['sub'], profile: ['name'] },
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { methods: ['S256'], required: () => true },
    // The demo people are first-party accounts: no consent screen, so sign-in is two clicks.
    async loadExistingGrant(ctx) {
      const accountId = ctx.oidc.session!.accountId!;
      const existing = ctx.oidc.session!.grantIdFor(ctx.oidc.client!.clientId);
      if (existing) return ctx.oidc.provider.Grant.find(existing);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId });
      grant.addOIDCScope('openid profile');
      await grant.save();
      return grant;
    },
    ttl: { IdToken: 600, AccessToken: 600, AuthorizationCode: 60, Interaction: 600, Session: 14 * 86_400, Grant: 14 * 86_400 },
  });
  provider.registerGrantType(DEV_PERSON_PROOF_GRANT, personProofGrant(byId), ['person_id']);
  return provider;
}

function personProofGrant(accounts: ReadonlyMap<string, DevAccount>) {
  return async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    const personId = String(ctx.oidc.params!.person_id ?? '');
    if (!accounts.has(personId)) throw new errors.InvalidGrant('no demo person with this person_id');
    const now = Math.floor(Date.now() / 1000);
    const token = new ctx.oidc.provider.IdToken({ sub: personId }, { ctx });
    token.set('auth_time', now);
    // Two proofs in one second must still differ: each is single-use at the issuer.
    token.set('jti', randomUUID());
    (token as unknown as { scope: string }).scope = 'openid';
    ctx.body = { id_token: await token.issue({ use: 'idtoken' }), token_type: 'N_A', expires_in: 600, warning: 'DEV ONLY: development identity provider' };
    await next();
  };
}

export async function startDevOpenIdProvider(options: DevOpenIdProviderOptions): Promise<DevOpenIdProvider> {
  let provider: Provider | null = null;
  let callback: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  // The issuer URL holds the port, known once listening; requests before that get 503.

  async function interaction(req: IncomingMessage, res: ServerResponse, p: Provider): Promise<void> {
    const details = await p.interactionDetails(req, res);
    if (req.method === 'POST') {
      const form = new URLSearchParams(await readBody(req));
      const personId = form.get('person_id') ?? '';
      if (!options.accounts.some((a) => a.personId === personId)) return send(res, 400, 'text/plain', 'DEV ONLY: pick a demo person');
      await p.interactionFinished(req, res, { login: { accountId: personId } }, { mergeWithLastSubmission: false });
      return;
    }
    send(res, 200, 'text/html; charset=utf-8', devLoginPage(`/interaction/${details.uid}`, String(details.params.client_id), options.accounts));
  }

  const server = createServer((req, res) => {
    if (!provider || !callback) return send(res, 503, 'text/plain', 'DEV ONLY: the development identity provider is starting');
    if (req.url?.startsWith('/interaction/')) {
      interaction(req, res, provider).catch(() => send(res, 400, 'text/plain', 'DEV ONLY: this sign-in expired; start again from the app'));
      return;
    }
    callback(req, res);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host, () => ok());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;

  provider = createProvider(issuer, options);
  callback = provider.callback() as never;
  return {
    issuer,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store', 'X-Vaxpass-Dev-Only': 'true' });
  res.end(body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((ok, fail) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > 4096) req.destroy();
    });
    req.on('end', () => ok(body));
    req.on('error', fail);
  });
}
