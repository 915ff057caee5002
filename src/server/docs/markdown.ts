// Markdown in the OpenAPI descriptions, rendered to HTML once when the docs page is built. The
// descriptions are ours, but raw HTML in them is escaped anyway, links go only to http(s) or
// same-origin targets, and images become links: the page must load nothing beyond itself.
import { Marked, type Tokens } from 'marked';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const SAFE_HREF = /^(https?:\/\/|\/(?!\/)|#|\.{0,2}\/|[\w.-]+(?:[/#?]|$))/i;

const marked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    html: ({ text }: Tokens.HTML | Tokens.Tag) => escapeHtml(text),
    link({ href, title, tokens }: Tokens.Link) {
      const label = this.parser.parseInline(tokens);
      if (!SAFE_HREF.test(href)) return label;
      return `<a href="${escapeHtml(href)}"${title ? ` title="${escapeHtml(title)}"` : ''}>${label}</a>`;
    },
    image: ({ href, text }: Tokens.Image) => (SAFE_HREF.test(href) ? `<a href="${escapeHtml(href)}">${escapeHtml(text)}</a>` : escapeHtml(text)),
  },
});

/** Block markdown (paragraphs, lists, code blocks) to HTML. */
export function markdownToHtml(source: string): string {
  return marked.parse(source, { async: false });
}

/** One line of markdown (a summary) to inline HTML, without a wrapping paragraph. */
export function inlineMarkdownToHtml(source: string): string {
  return marked.parseInline(source, { async: false });
}
