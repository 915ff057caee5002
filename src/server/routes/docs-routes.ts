// /openapi.json, an API docs page that renders it without any CDN (one self-contained HTML page
// with inline script and style), and the landing page at /.
import { Hono } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { PROBLEMS } from '../problem.ts';
import { openApiDocument } from '../openapi.ts';

const PAGE_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>vaxpass issuer API</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem 1.5rem;color:#1b1b1b}
h1{margin-bottom:0}.op{border:1px solid #ccd;border-radius:6px;margin:.6rem 0;padding:.4rem .8rem}
.m{display:inline-block;min-width:4.2rem;font-weight:700;font-family:monospace}.get{color:#0a6}.post{color:#a50}
code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:#f5f5f8;padding:.5rem;overflow:auto;white-space:pre-wrap}
.tag{margin-top:1.5rem;border-bottom:2px solid #ccd}.dev{color:#b00;font-weight:700}details summary{cursor:pointer}
</style></head><body>
<h1>vaxpass issuer API</h1><p id="about">Loading /openapi.json…</p><div id="ops"></div>
<h2>Error codes</h2><table id="codes"></table>
<script>
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
fetch('/openapi.json').then((r) => r.json()).then((doc) => {
  document.getElementById('about').innerHTML = esc(doc.info.description) + ' <a href="/openapi.json">openapi.json</a> (OpenAPI ' + esc(doc.openapi) + ')';
  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(item)) {
    const tag = (op.tags || ['other'])[0]; if (!byTag.has(tag)) byTag.set(tag, []); byTag.get(tag).push([path, method, op]);
  }
  let html = '';
  for (const t of doc.tags) {
    const ops = byTag.get(t.name) || [];
    html += '<h2 class="tag">' + esc(t.name) + '</h2><p' + (t.name === 'dev-idp' ? ' class="dev"' : '') + '>' + esc(t.description) + '</p>';
    for (const [path, method, op] of ops) {
      html += '<div class="op"><span class="m ' + method + '">' + method.toUpperCase() + '</span> <code>' + esc(path) + '</code> — ' + esc(op.summary || '');
      if (op.description) html += '<p>' + esc(op.description) + '</p>';
      const extra = { parameters: op.parameters, requestBody: op.requestBody, responses: op.responses, security: op.security };
      html += '<details><summary>details</summary><pre>' + esc(JSON.stringify(extra, null, 2)) + '</pre></details></div>';
    }
  }
  document.getElementById('ops').innerHTML = html;
}).catch(() => { document.getElementById('about').textContent = 'Could not load /openapi.json'; });
</script>
<script>document.getElementById('codes').innerHTML = ${JSON.stringify(
  Object.entries(PROBLEMS)
    .map(([code, p]) => `<tr><td><code>${code}</code></td><td>${p.status}</td><td>${p.title}</td></tr>`)
    .join(''),
)};</script>
</body></html>
`;

function landingHtml(devIdp: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>vaxpass issuer</title>
<style>body{font:16px/1.6 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}.dev{color:#b00;font-weight:700}</style></head><body>
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

export function docsRoutes(devIdp: boolean): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const document = JSON.stringify(openApiDocument());
  const landing = landingHtml(devIdp);
  app.get('/openapi.json', (c) => c.body(document, 200, { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=300', 'Access-Control-Allow-Origin': '*' }));
  app.get('/docs', (c) => c.html(DOCS_HTML, 200, { 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': 'public, max-age=300' }));
  app.get('/', (c) => c.html(landing, 200, { 'Content-Security-Policy': PAGE_CSP, 'Cache-Control': 'no-cache' }));
  return app;
}
