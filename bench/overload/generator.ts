// Open-model load generator, run as its own process by bench/overload/run.ts: requests start at
// a constant arrival rate whatever the server's answers (a closed loop would slow down with the
// server and hide the overload). Partner issuance goes through the shipped PartnerClient (so its
// backoff and retry budget are part of what is measured); holders fetch their passes as the holder
// app does. A /livez probe on its own connection runs throughout. Prints one JSON line of
// per-second records on stdout.
import { Agent, request } from 'node:http';
import { PartnerClient } from '../../src/partner-client/partner-client.ts';

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
  readonly kind: 'holder' | 'partner' | 'livez';
  readonly status: number;
  readonly ms: number;
  readonly code?: string;
}

const plan = JSON.parse(process.env.OVERLOAD_PLAN!) as Plan;
const samples: Sample[] = [];
const agent = new Agent({ keepAlive: true, maxSockets: 512 });
const livezAgent = new Agent({ keepAlive: true, maxSockets: 1 });
const started = performance.now();
const second = () => Math.floor((performance.now() - started) / 1000);

function get(path: string, headers: Record<string, string>, useAgent: Agent): Promise<{ status: number; etag?: string }> {
  return new Promise((ok) => {
    const req = request(`${plan.url}${path}`, { headers, agent: useAgent, timeout: plan.timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => ok({ status: res.statusCode!, etag: res.headers.etag }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => ok({ status: 0 }));
    req.end();
  });
}

// Partner retries are the client's own (with budget); a timeout gives up on the request.
const client = new PartnerClient({ baseUrl: plan.url, apiKey: plan.apiKey, timeoutMs: plan.timeoutMs });
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
    void get('/api/v1/holder/passes', { Cookie: cookie, ...(etag ? { 'If-None-Match': etag } : {}) }, agent).then((r) => {
      if (r.status === 200 && r.etag) etags.set(cookie, r.etag);
      samples.push({ second: at, kind: 'holder', status: r.status, ms: performance.now() - t0 });
    });
  } else {
    void client.issuePass({ personId: plan.personIds[i % plan.personIds.length]! }).then((r) => samples.push({ second: at, kind: 'partner', status: r.status, ms: performance.now() - t0, code: r.ok ? undefined : r.code }));
  }
}

const livez = setInterval(() => {
  const at = second();
  const t0 = performance.now();
  void get('/livez', {}, livezAgent).then((r) => samples.push({ second: at, kind: 'livez', status: r.status, ms: performance.now() - t0 }));
}, 100);

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
clearInterval(livez);
await new Promise((ok) => setTimeout(ok, plan.timeoutMs + 500));
agent.destroy();
livezAgent.destroy();
// A pipe write is asynchronous: exit only once it is out.
process.stdout.write(`${JSON.stringify(samples)}\n`, () => process.exit(0));
