// The requests that come by the hundred thousand and need no application logic, answered on the
// node:http request before @hono/node-server turns it into a Fetch Request and before the
// middleware chain runs (bench/scale.ts: that layer cost more than the answers themselves):
//   - GET /livez (a liveness probe must not wait behind the work it is meant to watch over);
//   - a trust-bundle conditional GET whose If-None-Match is the current ETag (304), and the same
//     for the revocation delta (`?since=N` and nothing else in the query);
//   - a holder refresh whose If-None-Match is still its person's answer (holder-not-modified.ts:
//     304 from the refresh cache or one indexed read, within the per-holder quota);
//   - while the event loop lags past admission control's limit, a partner issuance or a holder
//     fetch that cannot be answered 304: 503 OVERLOADED at once, as admission would answer it after
//     authentication and reading the body (the same decision, from the lane and the loop only,
//     made before that work: in a flood, what a refusal costs decides whether the loop keeps up);
//   - a partner issuance whose partner's queue admission would refuse now (full, or a standing
//     queue): the same 503, when the API key is one this instance read this clock second
//     (partner-key-cache.ts) and may issue. Through the application such a refusal cost about 5 ×
//     one made here (docs/benchmarks.md "Overload"), and in a flood most refusals are of this kind.
//     An unknown, revoked or unscoped key goes on to the application for its own answer.
// Everything else, and anything unusual (a query string, two Host headers, a HEAD), goes on to
// Hono unchanged, where the same answers are also produced (publication-fast-path.ts, holder-routes.ts)
// for in-process callers. These answers get no access-log line; they are counted in /metrics.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Metrics } from './metrics.ts';
import type { BundlePublisher } from './publication/bundle-publisher.ts';
import { publicationAnswers } from './publication/not-modified.ts';
import type { AdmissionController, Lane, Refusal } from './admission.ts';
import type { Partner } from '../db/queries/partners.ts';
import { bearerToken } from './middleware/partner-auth.ts';
import { PROBLEMS, problemType } from './problem.ts';
import type { HolderNotModified } from './session/holder-not-modified.ts';
import { sessionCookieIn } from './session/holder-session-cookie.ts';
import { PRIVATE_CACHE } from './routes/holder-routes.ts';

/** True when the request was answered here; false: hand it to the application. */
export type NodeFront = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface NodeFrontDeps {
  readonly publisher: BundlePublisher;
  readonly metrics: Metrics;
  readonly security: Readonly<Record<string, string>>;
  readonly holderNotModified: HolderNotModified;
  /** Admission control's decisions that take no slot and queue nothing. */
  readonly admission: Pick<AdmissionController, 'overLoopLag' | 'loopRefusal' | 'queueRefusal'>;
  /** The partner this instance read for an API key in the current clock second (PartnerKeyCache.held), or null. */
  readonly heldPartner: (apiKey: string) => Partner | null;
}

const LIVE_BODY = '{"status":"ok"}';
/** A holder 304's headers after its ETag, as node's flat [name, value, …] list (no object to build per answer). */
const NOT_MODIFIED_HEADERS = Object.entries(PRIVATE_CACHE).flat();
const DELTA_PREFIX = '/api/v1/trust-bundle/revocations?since=';

/** How often the header `name` (lower case) is in the raw headers: node keeps only the first of a repeated Host or Authorization in req.headers. */
function rawCount(req: IncomingMessage, name: string): number {
  let count = 0;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.length === name.length && raw[i]!.toLowerCase() === name) count++;
  return count;
}

/** RFC 9112 §3.2: two Host headers must get 400, which the application answers. */
function oneHost(req: IncomingMessage): boolean {
  return rawCount(req, 'host') <= 1 && req.headers.host?.trim() !== '';
}

/** The issuing partner's own queue decides only for a key it holds: anything else is the route's to answer (401, 403). */
const ISSUE_SCOPE = 'passes:issue';

export function createNodeFront(deps: NodeFrontDeps): NodeFront {
  const liveHeaders = { ...deps.security, 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': String(LIVE_BODY.length) };
  // The same decision and headers as the Hono fast path (publication-fast-path.ts).
  const publication = publicationAnswers({ publisher: deps.publisher, metrics: deps.metrics, security: deps.security });

  const done = (route: string, status: number, started: number, method = 'GET') => deps.metrics.observeRequest(method, route, status, (performance.now() - started) / 1000);
  const overloaded = JSON.stringify({ type: problemType('OVERLOADED'), title: PROBLEMS.OVERLOADED.title, status: 503, detail: 'the issuer is at capacity; retry after the delay in Retry-After (with jitter)', code: 'OVERLOADED' });
  const overloadedHeaders = { ...deps.security, 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store', 'Retry-After': '1', 'Content-Length': String(Buffer.byteLength(overloaded)) };

  function refuse(res: ServerResponse, lane: Lane, method: string, route: string, started: number, reason: Refusal = 'event-loop-lag'): true {
    deps.metrics.shed(lane, reason);
    res.writeHead(503, overloadedHeaders).end(overloaded);
    done(route, 503, started, method);
    return true;
  }

  async function bundle(res: ServerResponse, ifNoneMatch: string, started: number): Promise<boolean> {
    const answer = await publication.bundle(ifNoneMatch);
    if (answer?.status !== 304) return false;
    res.writeHead(304, answer.headers).end();
    done('/api/v1/trust-bundle', 304, started);
    return true;
  }

  async function delta(res: ServerResponse, ifNoneMatch: string, since: string, started: number): Promise<boolean> {
    const headers = await publication.deltaNotModified(ifNoneMatch, since);
    if (!headers) return false;
    res.writeHead(304, headers).end();
    done('/api/v1/trust-bundle/revocations', 304, started);
    return true;
  }

  function holderAnswer(res: ServerResponse, etag: string | null, url: string, started: number): boolean {
    if (etag === null) return deps.admission.overLoopLag('holder') ? refuse(res, 'holder', 'GET', url, started) : false;
    res.writeHead(304, ['ETag', etag, ...NOT_MODIFIED_HEADERS]).end();
    done('/api/v1/holder/passes', 304, started);
    return true;
  }

  // Synchronous when the answer is known at once (refresh cache, in-memory quota): no promise per 304.
  function holder(req: IncomingMessage, res: ServerResponse, url: string, started: number): boolean | Promise<boolean> {
    const ifNoneMatch = req.headers['if-none-match'];
    let etag: string | null | Promise<string | null>;
    try {
      etag = deps.holderNotModified(ifNoneMatch ? sessionCookieIn(req.headers.cookie) : null, ifNoneMatch);
    } catch {
      return false;
    }
    if (etag === null || typeof etag === 'string') return holderAnswer(res, etag, url, started);
    return etag.then((known) => holderAnswer(res, known, url, started), () => false);
  }

  /** Why admission would refuse this partner issuance now, decided before authentication reads anything or the body is read; null: the route decides. */
  function partnerRefusal(req: IncomingMessage): Refusal | null {
    const loop = deps.admission.loopRefusal('partner');
    if (loop !== null) return loop;
    const key = bearerToken(req.headers.authorization);
    const partner = key ? deps.heldPartner(key) : null;
    if (!partner || partner.revokedAt !== null || !partner.scopes.includes(ISSUE_SCOPE) || rawCount(req, 'authorization') > 1) return null;
    return deps.admission.queueRefusal('partner', partner.id);
  }

  return (req, res) => {
    const url = req.url;
    if (req.method === 'POST' && url === '/api/v1/partner/passes') {
      const refusal = partnerRefusal(req);
      return refusal !== null && oneHost(req) ? refuse(res, 'partner', 'POST', url, performance.now(), refusal) : false;
    }
    if (req.method !== 'GET') return false;
    if (url === '/livez') {
      if (!oneHost(req)) return false;
      res.writeHead(200, liveHeaders).end(LIVE_BODY);
      return true;
    }
    if (url === '/api/v1/trust-bundle') {
      const ifNoneMatch = req.headers['if-none-match'];
      if (!ifNoneMatch || !oneHost(req)) return false;
      return bundle(res, ifNoneMatch, performance.now());
    }
    if (url?.startsWith(DELTA_PREFIX)) {
      const ifNoneMatch = req.headers['if-none-match'];
      if (!ifNoneMatch || !oneHost(req)) return false;
      // Anything after the prefix that is not a bare version (another parameter too) fails the check there.
      return delta(res, ifNoneMatch, url.slice(DELTA_PREFIX.length), performance.now());
    }
    if (url === '/api/v1/holder/passes') {
      if (!oneHost(req)) return false;
      return holder(req, res, url, performance.now());
    }
    return false;
  };
}
