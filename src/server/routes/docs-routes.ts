// /openapi.json for tools, the API docs page (/docs: one self-contained page rendered at start,
// see src/server/docs/docs-page.ts) and the landing page at /.
import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { renderedPageHeaders } from '../app-page-headers.ts';
import { docsPageHtml, DOCS_STYLE } from '../docs/docs-page.ts';
import { openApiDocument } from '../openapi.ts';

const LANDING_STYLE = 'body{font:16px/1.6 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;overflow-wrap:anywhere}.dev{color:#b00;font-weight:700}';

function landingHtml(devIdp: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>vaxpass issuer</title>
<style>${LANDING_STYLE}</style></head><body>
<h1>vaxpass issuer</h1>
${devIdp ? '<p class="dev">DEV ONLY: the development identity provider is on. Anyone can sign in as any demo person.</p>' : ''}
<ul>
<li><a href="/holder/">Holder app</a> — get your pass and show it as a QR code</li>
<li><a href="/scanner/">Scanner app</a> — verify passes offline</li>
<li><a href="/docs">API documentation</a> (<a href="/openapi.json">OpenAPI 3.1</a>)</li>
<li><a href="/api/v1/trust-bundle">Current trust bundle</a> (signed JWS) · <a href="/.well-known/jwks.json">issuer keys</a></li>
</ul></body></html>
`;
}

const sha256Base64 = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64');

export function docsRoutes(devIdp: boolean): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const doc = openApiDocument();
  const documentJson = JSON.stringify(doc);
  const docsHtml = docsPageHtml(doc);
  const landing = landingHtml(devIdp);
  const pageHeaders = renderedPageHeaders([sha256Base64(DOCS_STYLE), sha256Base64(LANDING_STYLE)]);
  app.get('/openapi.json', (c) => c.body(documentJson, 200, { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' }));
  app.get('/docs', (c) => c.html(docsHtml, 200, { ...pageHeaders, 'Cache-Control': 'public, max-age=300' }));
  app.get('/', (c) => c.html(landing, 200, { ...pageHeaders, 'Cache-Control': 'no-cache' }));
  return app;
}
