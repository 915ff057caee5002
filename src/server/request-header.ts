// A request header's value, read from the node:http request when @hono/node-server serves it.
// `c.req.header()` reads the Fetch `Request`'s headers, which the adapter builds on first use as an
// undici `Headers` from every raw header (validated, lower-cased, sorted): about 2 % of a partner
// issuance's main-thread time (docs/benchmarks.md "Partner issuance: request-path CPU"), for the
// four or five headers the partner path reads. node:http has already parsed them.
//
// The value is the one `c.req.header()` gives: repeated headers joined with ", ". node:http keeps
// only the first of a repeated Host, Authorization or Content-Type (and a few others), so for
// those the raw headers are read to tell a repeated one from a single one: two Authorization
// headers must still fail as they did, not authenticate with the first. In-process callers
// (app.request) have no node request and read the Fetch Request, as before.
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/** Headers whose repeats node:http drops (all but the first) instead of joining (node's _http_incoming.js). */
const FIRST_ONLY = new Set(['host', 'authorization', 'proxy-authorization', 'content-type', 'content-length', 'user-agent', 'referer', 'from', 'location', 'max-forwards', 'retry-after', 'etag', 'last-modified', 'server', 'age', 'expires', 'if-modified-since', 'if-unmodified-since']);

/** The header `name` (lower case) as `c.req.header(name)` would give it. */
export function requestHeader(c: Context, name: Lowercase<string>): string | undefined {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming) return c.req.header(name);
  const value = incoming.headers[name];
  if (value === undefined) return undefined;
  // set-cookie is the one header node keeps as an array; cookie it joins with "; ", the Fetch API with ", ".
  if (Array.isArray(value) || name === 'cookie') return c.req.header(name);
  return FIRST_ONLY.has(name) ? allValues(incoming.rawHeaders, name) : value;
}

/** Every value of `name` in the raw headers, joined with ", " as the Fetch API's Headers joins them. */
function allValues(raw: readonly string[], name: string): string | undefined {
  let joined: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i]!;
    if (key.length === name.length && key.toLowerCase() === name) joined = joined === undefined ? raw[i + 1]! : `${joined}, ${raw[i + 1]!}`;
  }
  return joined;
}
