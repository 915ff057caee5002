// Holder sign-in through an external OpenID provider: its JWKS is fetched over HTTP with jose's
// createRemoteJWKSet. The provider is a small JWKS server on a real port (an external identity
// provider cannot exist in CI).
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerFixture, type ServerFixture } from './support/server-fixture.ts';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jwk: JWK = { ...(publicKey.export({ format: 'jwk' }) as JWK), kid: 'idp-key-1', alg: 'ES256', use: 'sig' };
let jwksServer: Server;
let issuer: string;
let f: ServerFixture;

beforeAll(async () => {
  jwksServer = createServer((req, res) => {
    res.writeHead(req.url === '/jwks' ? 200 : 404, { 'Content-Type': 'application/json' });
    res.end(req.url === '/jwks' ? JSON.stringify({ keys: [jwk] }) : '{}');
  });
  await new Promise<void>((ok) => jwksServer.listen(0, '127.0.0.1', ok));
  issuer = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}`;
  f = await createServerFixture({ devIdp: false, oidc: { issuer, jwksUrl: `${issuer}/jwks`, audience: 'vaxpass-holder' } });
});
afterAll(async () => {
  await f.cleanup();
  await new Promise((ok) => jwksServer.close(ok));
});

const token = (claims: { iss?: string; aud?: string; sub?: string; exp?: number }, key = privateKey) => {
  const now = Math.floor(f.clock.now().getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: 'idp-key-1' })
    .setIssuer(claims.iss ?? issuer)
    .setAudience(claims.aud ?? 'vaxpass-holder')
    .setSubject(claims.sub ?? 'demo-0002')
    .setIssuedAt(now)
    .setExpirationTime(claims.exp ?? now + 600)
    .sign(key);
};
const get = async (t: string) => f.app.request('/api/v1/holder/passes', { headers: { Authorization: `Bearer ${t}` } });

describe('external identity provider', () => {
  it('accepts a token signed by the provider for this audience', async () => {
    const res = await get(await token({}));
    expect(res.status).toBe(200);
    const { passes } = (await res.json()) as { passes: { holder: { name: string } }[] };
    expect(passes[0]!.holder.name).toBe('홍길동');
  });

  it('rejects a wrong issuer, audience, expiry or signing key', async () => {
    const now = Math.floor(f.clock.now().getTime() / 1000);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    for (const t of [
      await token({ iss: 'https://evil.example' }),
      await token({ aud: 'another-app' }),
      await token({ exp: now - 3600 }),
      await token({}, other),
    ]) {
      expect((await get(t)).status).toBe(401);
    }
  });
});
