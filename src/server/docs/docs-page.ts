// The /docs page, built once at start from the OpenAPI document: every operation rendered on the
// server (descriptions' markdown included) and the document itself inlined as a JSON data block,
// so the page works offline and fetches nothing, not even /openapi.json. No script runs on it.
import { PROBLEMS } from '../problem.ts';
import { escapeHtml, inlineMarkdownToHtml, markdownToHtml } from './markdown.ts';

interface Operation { tags?: string[]; summary?: string; description?: string; parameters?: unknown; requestBody?: unknown; responses?: unknown; security?: unknown }
export interface OpenApiForDocs {
  openapi: string;
  info: { title: string; description?: string };
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
}

// Long paths, tokens and JSON wrap or scroll inside their own box: a 360 px phone never scrolls sideways.
export const DOCS_STYLE = `
*,*::before,*::after{box-sizing:border-box}
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1b1b1b;overflow-wrap:anywhere}
h1{margin-bottom:0}.op{border:1px solid #ccd;border-radius:6px;margin:.6rem 0;padding:.4rem .8rem}
.m{display:inline-block;min-width:4.2rem;font-weight:700;font-family:ui-monospace,monospace}.get{color:#0a6}.post{color:#a50}.delete{color:#b00}
code,pre{font-family:ui-monospace,monospace;font-size:13px}code{overflow-wrap:anywhere}
pre{background:#f5f5f8;padding:.5rem;max-width:100%;overflow-x:auto;white-space:pre}
.tag{margin-top:1.5rem;border-bottom:2px solid #ccd}.dev{color:#b00;font-weight:700}details summary{cursor:pointer}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e4e4ea;padding:.2rem .4rem;text-align:left;vertical-align:top}
`;

function operationHtml(path: string, method: string, op: Operation): string {
  const details = { parameters: op.parameters, requestBody: op.requestBody, responses: op.responses, security: op.security };
  return (
    `<div class="op" id="${escapeHtml(`${method}-${path}`)}"><span class="m ${escapeHtml(method)}">${escapeHtml(method.toUpperCase())}</span> <code>${escapeHtml(path)}</code>` +
    (op.summary ? ` — ${inlineMarkdownToHtml(op.summary)}` : '') +
    (op.description ? markdownToHtml(op.description) : '') +
    `<details><summary>details</summary><pre>${escapeHtml(JSON.stringify(details, null, 2))}</pre></details></div>`
  );
}

function operationsHtml(doc: OpenApiForDocs): string {
  const byTag = new Map<string, string[]>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const tag = op.tags?.[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationHtml(path, method, op)]);
    }
  }
  // Declared tags first, in their order; operations under an undeclared tag still appear.
  const tags = [...(doc.tags ?? []), ...[...byTag.keys()].filter((name) => !doc.tags?.some((t) => t.name === name)).map((name) => ({ name, description: undefined }))];
  return tags
    .map((t) => `<h2 class="tag">${escapeHtml(t.name)}</h2>${t.description ? `<div${t.name === 'dev-idp' ? ' class="dev"' : ''}>${markdownToHtml(t.description)}</div>` : ''}${(byTag.get(t.name) ?? []).join('')}`)
    .join('\n');
}

function errorCodesHtml(): string {
  return Object.entries(PROBLEMS)
    .map(([code, p]) => `<tr><td><code>${escapeHtml(code)}</code></td><td>${p.status}</td><td>${escapeHtml(p.title)}</td></tr>`)
    .join('');
}

/** JSON safe inside a <script> data block: no "</script>" or "<!--" can end or bend it. */
function jsonForScriptBlock(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

export function docsPageHtml(doc: OpenApiForDocs): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(doc.info.title)}</title>
<style>${DOCS_STYLE}</style></head><body>
<h1>${escapeHtml(doc.info.title)}</h1>
${doc.info.description ? markdownToHtml(doc.info.description) : ''}
<p>Machine-readable: <a href="/openapi.json">openapi.json</a> (OpenAPI ${escapeHtml(doc.openapi)}), also inlined in this page as <code>#openapi-document</code>.</p>
${operationsHtml(doc)}
<h2 class="tag">Error codes</h2><table><thead><tr><th>code</th><th>status</th><th>title</th></tr></thead><tbody>${errorCodesHtml()}</tbody></table>
<script type="application/json" id="openapi-document">${jsonForScriptBlock(doc)}</script>
</body></html>
`;
}
