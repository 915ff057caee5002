// OVERLOAD_GENERATOR=client: partners' own clients. Partner issuance goes through the shipped
// PartnerClient (its backoff and retry budget are part of what is measured) and holders fetch with
// node:http as the holder app's browser would, each request on a socket of its own when none is
// free (no pool limit, so nothing waits inside the generator). It costs ~0.1 ms of generator CPU
// per request (docs/benchmarks.md "Overload: pipelined generator"): one core cannot offer 10 × C
// with it, so in the spike it measures the generator more than the issuer.
import { Agent, request } from 'node:http';
import { PartnerClient } from '../../src/partner-client/partner-client.ts';
import type { LoadMode, ModeSettings } from './load-mode.ts';
import { nodeHttpFetch } from './node-http-fetch.ts';

export function clientMode(settings: ModeSettings): LoadMode {
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  // OVERLOAD_GENERATOR_FETCH=undici: the platform fetch, as before (to compare the generator's own cost).
  const partnerFetch = process.env.OVERLOAD_GENERATOR_FETCH === 'undici' ? undefined : nodeHttpFetch(agent);
  const client = new PartnerClient({ baseUrl: settings.url, apiKey: settings.apiKey, timeoutMs: settings.timeoutMs, fetch: partnerFetch });
  return {
    holder(cookie, etag, done) {
      const t0 = performance.now();
      let socketMs = NaN;
      const req = request(`${settings.url}/api/v1/holder/passes`, { headers: { Cookie: cookie, ...(etag ? { 'If-None-Match': etag } : {}) }, agent }, (res) => {
        res.resume();
        res.on('end', () => (clearTimeout(deadline), done({ status: res.statusCode!, etag: res.headers.etag, socketMs })));
      });
      // The client's patience runs from when the request was due, not from when a socket was free.
      const deadline = setTimeout(() => req.destroy(), settings.timeoutMs);
      req.once('socket', () => (socketMs = performance.now() - t0));
      req.on('error', () => (clearTimeout(deadline), done({ status: 0, etag: undefined, socketMs })));
      req.end();
    },
    partner(personId, done) {
      void client.issuePass({ personId }).then((r) => done({ status: r.status, code: r.ok ? undefined : r.code }));
    },
    close: () => agent.destroy(),
  };
}
