// The one decision behind every early 304 of the trust bundle and its revocation deltas: the
// node front (node-front.ts, on the node:http request) and the Hono fast path
// (publication-fast-path.ts, for in-process callers of app.fetch) both ask it, so the two can
// never disagree on when a conditional GET is answered early or on the headers it gets.
// "null" always means "not decided here": the regular routes answer (and refuse) it.
import type { Metrics } from '../metrics.ts';
import { ifNoneMatchHits } from '../http-cache.ts';
import { deltaEtag, type BundlePublisher, type PublishedBundle } from './bundle-publisher.ts';
import { artifactHeaders } from './artifact-headers.ts';

/** `since` as scanners send it: a decimal version, at most 15 digits (a safe integer). */
const VERSION = /^\d{1,15}$/;

export type BundleAnswer =
  | { readonly status: 304; readonly headers: Readonly<Record<string, string>> }
  | { readonly status: 200; readonly bundle: PublishedBundle; readonly headers: Readonly<Record<string, string>> };

export interface PublicationAnswers {
  /** The bundle's answer to a GET with this If-None-Match (none: 200), or null when the publisher fails. */
  bundle(ifNoneMatch: string | undefined): Promise<BundleAnswer | null>;
  /** The 304 headers for a delta GET whose If-None-Match names the current delta since `since`, else null. */
  deltaNotModified(ifNoneMatch: string | undefined, since: string | undefined): Promise<Readonly<Record<string, string>> | null>;
}

/**
 * `security`: the headers every 200 carries (securityHeaderSet), which the general middleware
 * would have added. Headers are built once per published version, so a 304 is one lookup of the
 * current version and one string comparison.
 */
export function publicationAnswers(deps: { publisher: BundlePublisher; metrics: Metrics; security: Readonly<Record<string, string>> }): PublicationAnswers {
  let headersOf: PublishedBundle | null = null;
  let notModified: Record<string, string> = {};
  let ok: Record<string, string> = {};

  async function current(): Promise<PublishedBundle | null> {
    try {
      return await deps.publisher.current();
    } catch {
      return null;
    }
  }

  return {
    async bundle(ifNoneMatch) {
      const bundle = await current();
      if (!bundle) return null;
      if (bundle !== headersOf) {
        notModified = artifactHeaders(bundle, bundle.etag, 304);
        ok = artifactHeaders(bundle, bundle.etag, 200, deps.security);
        headersOf = bundle;
        deps.metrics.bundleVersion = bundle.version;
      }
      return ifNoneMatchHits(ifNoneMatch, bundle.etag) ? { status: 304, headers: notModified } : { status: 200, bundle, headers: ok };
    },
    async deltaNotModified(ifNoneMatch, since) {
      if (!ifNoneMatch || since === undefined || !VERSION.test(since)) return null;
      const bundle = await current();
      // A `since` ahead of the current version is refused by the regular route.
      if (!bundle || Number(since) > bundle.version) return null;
      const etag = deltaEtag(bundle, Number(since));
      return ifNoneMatchHits(ifNoneMatch, etag) ? artifactHeaders(bundle, etag, 304) : null;
    },
  };
}
