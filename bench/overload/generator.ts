// Open-model load generator, run as its own process by bench/overload/run.ts: requests start at
// a constant arrival rate whatever the server's answers (a closed loop would slow down with the
// server and hide the overload). Partner issuance goes through the shipped PartnerClient (so its
// backoff and retry budget are part of what is measured); holders fetch their passes as the holder
// app does. Liveness probes run in a process of their own (probe.ts). Prints one JSON line on stdout:
// the samples, and per second the generator's own health (its event-loop lag and requests it had
// in flight), so a slow answer can be told apart from a generator that could not keep up.
// An open-model generator must neither hide nor cause queueing: every request gets a socket at once
// (no pool limit, so nothing waits inside the generator for a free connection), and a client gives
// up timeoutMs after the request was due, wherever it waited — not timeoutMs after it got a socket.
import { Agent, request } from 'node:http';
import { PartnerClient } from '../../src/partner-client/partner-client.ts';
import { nodeHttpFetch } from './node-http-fetch.ts';

interface Plan {
  readonly url: string;
  readonly apiKey: string;
  readonly holderCookies: readonly string[];
  readonly personIds: readonly string[];
  /** Fraction of arrivals that are holder fetches. */
  readonly holderShare: number;
  /** Holders send If-None-Match with their last ETag, as the holder app does (OVERLOAD_HOLDER_ETAGS=off: never). */
  readonly holderEtags: boolean;
  readonly phases: readonly { readonly name: string; readonly rate: number; readonly seconds: number }[];
  /** A client gives up after this long (as a partner's HTTP client or the holder app would). */
  readonly timeoutMs: number;
}

export interface Sample {
  readonly second: number;
  /** livez: /livez on the main port; liveness: the liveness listener's own port. */
  readonly kind: 'holder' | 'partner' | 'livez' | 'liveness';
  readonly status: number;
  readonly ms: number;
  readonly code?: string;
  /** Holder fetches: ms from the request being due until the generator had a socket for it. */
  readonly socketMs?: number;
}

export interface GeneratorSecond {
  readonly second: number;
  /** The generator's worst event-loop lag in that second (ms): above a few ms, arrivals were late. */
  readonly lagMaxMs: number;
  /** Requests sent and not yet answered at the end of that second. */
  readonly inFlight: number;
}

export interface GeneratorOutput {
  readonly samples: Sample[];
  readonly generator: GeneratorSecond[];
}

const plan = JSON.parse(process.env.OVERLOAD_PLAN!) as Plan;
const samples: Sample[] = [];
const generatorSeconds: GeneratorSecond[] = [];
let inFlight = 0;
const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
const started = performance.now();
const second = () => Math.floor((performance.now() - started) / 1000);

function get(path: string, headers: Record<string, string>, useAgent: Agent): Promise<{ status: number; etag?: string; socketMs: number }> {
  const t0 = performance.now();
  let socketMs = NaN;
  return new Promise((ok) => {
    const req = request(`${plan.url}${path}`, { headers, agent: useAgent }, (res) => {
      res.resume();
      res.on('end', () => (clearTimeout(deadline), ok({ status: res.statusCode!, etag: res.headers.etag, socketMs })));
    });
    // The client's patience runs from when the request was due, not from when a socket was free.
    const deadline = setTimeout(() => req.destroy(), plan.timeoutMs);
    req.once('socket', () => (socketMs = performance.now() - t0));
    req.on('error', () => (clearTimeout(deadline), ok({ status: 0, socketMs })));
    req.end();
  });
}

// Partner retries are the client's own (with budget); a timeout gives up on the request.
// OVERLOAD_GENERATOR_FETCH=undici: the platform fetch, as before (to compare the generator's own cost).
const partnerFetch = process.env.OVERLOAD_GENERATOR_FETCH === 'undici' ? undefined : nodeHttpFetch(agent);
const client = new PartnerClient({ baseUrl: plan.url, apiKey: plan.apiKey, timeoutMs: plan.timeoutMs, fetch: partnerFetch });
let n = 0;
const etags = new Map<string, string>();

function fire(): void {
  const i = n++;
  const at = second();
  const t0 = performance.now();
  if ((i % 100) / 100 < plan.holderShare) {
    // As the holder app does (src/apps/holder/pass-store.ts): If-None-Match with the ETag it last got, unless told not to.
    const cookie = plan.holderCookies[i % plan.holderCookies.length]!;
    const etag = plan.holderEtags ? etags.get(cookie) : undefined;
    inFlight++;
    void get('/api/v1/holder/passes', { Cookie: cookie, ...(etag ? { 'If-None-Match': etag } : {}) }, agent).then((r) => {
      inFlight--;
      if (r.status === 200 && r.etag) etags.set(cookie, r.etag);
      samples.push({ second: at, kind: 'holder', status: r.status, ms: performance.now() - t0, socketMs: r.socketMs });
    });
  } else {
    inFlight++;
    void client.issuePass({ personId: plan.personIds[i % plan.personIds.length]! }).then((r) => {
      inFlight--;
      samples.push({ second: at, kind: 'partner', status: r.status, ms: performance.now() - t0, code: r.ok ? undefined : r.code });
    });
  }
}


// The generator's own loop: a 5 ms timer's lateness, worst per second.
let lagMax = 0;
let expected = performance.now() + 5;
const lagTimer = setInterval(() => {
  const now = performance.now();
  lagMax = Math.max(lagMax, now - expected);
  expected = now + 5;
}, 5);
const perSecond = setInterval(() => {
  generatorSeconds.push({ second: second() - 1, lagMaxMs: Math.round(lagMax), inFlight });
  lagMax = 0;
}, 1000);

let phaseStart = performance.now();
let sentInPhase = 0;
for (const phase of plan.phases) {
  phaseStart = performance.now();
  sentInPhase = 0;
  await new Promise<void>((done) => {
    const tick = setInterval(() => {
      const elapsed = (performance.now() - phaseStart) / 1000;
      if (elapsed >= phase.seconds) {
        clearInterval(tick);
        return done();
      }
      const due = Math.floor(phase.rate * elapsed) - sentInPhase;
      for (let k = 0; k < due; k++) fire();
      sentInPhase += Math.max(0, due);
    }, 2);
  });
}
await new Promise((ok) => setTimeout(ok, plan.timeoutMs + 500));
clearInterval(lagTimer);
clearInterval(perSecond);
agent.destroy();
// A pipe write is asynchronous: exit only once it is out.
const output: GeneratorOutput = { samples, generator: generatorSeconds };
process.stdout.write(`${JSON.stringify(output)}\n`, () => process.exit(0));
