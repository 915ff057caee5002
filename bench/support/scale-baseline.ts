// Baselines for bench/scale.ts, each its own process on port 0, printing {"url"} on one line:
//   post: a Hono POST that parses the JSON body and signs 200 bytes with Ed25519 (no storage),
//   get:  a Hono GET answering a small JSON.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { generateKeyPairSync, sign } from 'node:crypto';

const mode = process.argv[2];
const app = new Hono();
if (mode === 'post') {
  const { privateKey } = generateKeyPairSync('ed25519');
  app.post('/sign', async (c) => {
    const body = (await c.req.json()) as { personId?: string };
    const payload = Buffer.from(JSON.stringify({ personId: body.personId, padding: 'x'.repeat(160) }));
    return c.json({ signature: sign(null, payload, privateKey).toString('base64url') }, 201);
  });
} else {
  app.get('/small', (c) => c.json({ ok: true, note: 'small JSON' }));
}
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${info.port}` })}\n`));
