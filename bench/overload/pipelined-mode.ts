// OVERLOAD_GENERATOR=pipelined (the default): the load as a load balancer or reverse proxy hands it
// to the issuer. A fixed pool of persistent TCP connections (OVERLOAD_CONNECTIONS, default 128)
// carries every request the moment it is due, HTTP/1.1-pipelined behind the requests still
// unanswered on its connection, so an arrival never waits in the generator for a free connection
// and the load stays open-model. Requests are prebuilt strings and answers are read by a minimal
// parser (response-parser.ts): about a tenth of node:http's cost per request, so one core can
// offer 10 × C and the spike measures the issuer, not the generator.
// How this differs from many clients each opening their own connection (OVERLOAD_GENERATOR=client):
// the issuer sees at most OVERLOAD_CONNECTIONS connections, so its connection limit and accept
// backlog are never exercised; answers on a connection come back in order, so a slow issuance
// delays the holder fetches pipelined behind it (head-of-line blocking, as behind a proxy's
// upstream connection); there are no partner retries (a proxy forwards, it does not retry: the
// PartnerClient's backoff and budget are not measured here). A connection whose oldest request
// timed out is destroyed and replaced, and everything outstanding on it counts as timed out.
import { randomUUID } from 'node:crypto';
import type { LoadMode, ModeSettings } from './load-mode.ts';
import { PipelinedConnection, type OnAnswer } from './pipelined-connection.ts';

/** Below node's keepAliveTimeout (5 s): an idle connection is replaced before the server closes it under a request in flight. */
const IDLE_MS = 4000;

export function pipelinedMode(settings: ModeSettings, connections = Number(process.env.OVERLOAD_CONNECTIONS ?? 128)): LoadMode {
  const { hostname, port, host } = new URL(settings.url);
  const open = () => new PipelinedConnection(hostname, Number(port));
  const pool = Array.from({ length: connections }, open);

  // Least outstanding first, as a proxy's least-connections balancing: at low rates the first few
  // connections carry everything and pipelining only starts when every connection has a request out.
  function send(request: string, dueAt: number, onAnswer: OnAnswer): void {
    const now = performance.now();
    let best = -1;
    for (let k = 0; k < pool.length; k++) {
      let c = pool[k]!;
      if (!c.usable || (c.pending === 0 && now - c.lastActivity > IDLE_MS)) {
        c.destroy();
        c = pool[k] = open();
      }
      if (best < 0 || c.pending < pool[best]!.pending) best = k;
      if (c.pending === 0) break;
    }
    pool[best]!.send(request, dueAt, onAnswer);
  }

  // The patience runs from the due time; a connection stuck behind a timed-out request is given up.
  const sweep = setInterval(() => {
    const now = performance.now();
    for (const c of pool) {
      const due = c.oldestDueAt;
      if (due !== undefined && now - due >= settings.timeoutMs) c.destroy();
    }
  }, 20);

  const holderHead = `GET /api/v1/holder/passes HTTP/1.1\r\nHost: ${host}\r\n`;
  const partnerHead = `POST /api/v1/partner/passes HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${settings.apiKey}\r\nContent-Type: application/json\r\n`;
  const partnerTails = new Map<string, string>();
  const partnerTail = (personId: string) => {
    let tail = partnerTails.get(personId);
    if (tail === undefined) {
      const body = JSON.stringify({ personId });
      tail = `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
      partnerTails.set(personId, tail);
    }
    return tail;
  };

  return {
    holder(cookie, etag, done) {
      const dueAt = performance.now();
      send(`${holderHead}Cookie: ${cookie}\r\n${etag ? `If-None-Match: ${etag}\r\n` : ''}\r\n`, dueAt, (r) =>
        done({ status: r?.status ?? 0, etag: r?.etag, socketMs: 0 }),
      );
    },
    partner(personId, done) {
      // A fresh Idempotency-Key per request, as PartnerClient makes one per pass request.
      send(`${partnerHead}Idempotency-Key: ${randomUUID()}\r\n${partnerTail(personId)}`, performance.now(), (r) => {
        if (!r) return done({ status: 0, code: 'NETWORK_ERROR' });
        if (r.status === 200 || r.status === 201) return done({ status: r.status, code: undefined });
        done({ status: r.status, code: problemCode(r.body) ?? `HTTP_${r.status}` });
      });
    },
    close() {
      clearInterval(sweep);
      for (const c of pool) c.destroy();
    },
  };
}

function problemCode(body: Buffer): string | undefined {
  try {
    const problem = JSON.parse(body.toString('utf8')) as { code?: unknown };
    return typeof problem.code === 'string' ? problem.code : undefined;
  } catch {
    return undefined;
  }
}
