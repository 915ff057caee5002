// DEV ONLY: the development identity provider's endpoints. Mounted only when VAXPASS_DEV_IDP=on;
// every response carries "X-Vaxpass-Dev-Only: true" and says so in its body.
import { Hono } from 'hono';
import { z } from 'zod';
import type { VaxpassDatabase } from '../../db/store.ts';
import { listPeople } from '../../db/queries/registry.ts';
import { DEV_IDP_PATH, DEV_IDP_TOKEN_SECONDS, type DevIdentityProvider } from '../../idp/dev-identity-provider.ts';
import type { AppEnv } from '../app-env.ts';
import { unixNow, type Clock } from '../clock.ts';
import type { ServerConfig } from '../config.ts';
import { readJsonBody } from '../json-body.ts';

export const tokenRequestSchema = z.strictObject({ personId: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be a registry person id') });
const DEV_HEADER = { 'X-Vaxpass-Dev-Only': 'true', 'Cache-Control': 'no-store' };

export function devIdpRoutes(deps: { db: VaxpassDatabase; idp: DevIdentityProvider; clock: Clock; config: ServerConfig }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/people', async (c) => c.json((await listPeople(deps.db, 50)).map((p) => ({ personId: p.id, name: p.name })), 200, DEV_HEADER));
  app.get('/jwks.json', (c) => c.json(deps.idp.jwks, 200, DEV_HEADER));
  app.post('/token', async (c) => {
    const { personId } = await readJsonBody(c, tokenRequestSchema);
    const issuer = `${deps.config.publicUrl ?? new URL(c.req.url).origin}${DEV_IDP_PATH}`;
    const idToken = await deps.idp.issueToken(issuer, personId, unixNow(deps.clock));
    return c.json({ id_token: idToken, token_type: 'Bearer', expires_in: DEV_IDP_TOKEN_SECONDS, warning: 'DEV ONLY: development identity provider, never enable in production' }, 200, DEV_HEADER);
  });
  return app;
}
