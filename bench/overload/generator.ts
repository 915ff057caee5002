// Open-model load generator, run as its own process by bench/overload/run.ts: requests start at
// a constant arrival rate whatever the server's answers (a closed loop would slow down with the
// server and hide the overload). How they are sent is the mode's (OVERLOAD_GENERATOR):
// pipelined (default, pipelined-mode.ts): as a load balancer forwards them, over a fixed pool of
// persistent pipelined connections, cheap enough for one core to offer 10 × C;
// client (client-mode.ts): as partners' own clients send them, through the shipped PartnerClient
// with its retries, and holders as the holder app does; limited by the generator's CPU.
// Either way an arrival never waits inside the generator for a connection, and a client gives up
// timeoutMs after the request was due. Liveness probes run in a process of their own (probe.ts).
// Prints one JSON line on stdout: the samples, and per second the generator's own health (its
// event-loop lag and requests it had in flight), so a slow answer can be told apart from a
// generator that could not keep up.
import { clientMode } from './client-mode.ts';
import { pipelinedMode } from './pipelined-mode.ts';

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
const started = performance.now();
const second = () => Math.floor((performance.now() - started) / 1000);
const settings = { url: plan.url, apiKey: plan.apiKey, timeoutMs: plan.timeoutMs };
const modeName = process.env.OVERLOAD_GENERATOR ?? 'pipelined';
if (modeName !== 'pipelined' && modeName !== 'client') throw new Error(`OVERLOAD_GENERATOR must be pipelined or client, not ${modeName}`);
const mode = modeName === 'client' ? clientMode(settings) : pipelinedMode(settings);
let n = 0;
const etags = new Map<string, string>();

function fire(): void {
  const i = n++;
  const at = second();
  const t0 = performance.now();
  inFlight++;
  if ((i % 100) / 100 < plan.holderShare) {
    // As the holder app does (src/apps/holder/pass-store.ts): If-None-Match with the ETag it last got, unless told not to.
    const cookie = plan.holderCookies[i % plan.holderCookies.length]!;
    mode.holder(cookie, plan.holderEtags ? etags.get(cookie) : undefined, (r) => {
      inFlight--;
      if (r.status === 200 && r.etag) etags.set(cookie, r.etag);
      samples.push({ second: at, kind: 'holder', status: r.status, ms: performance.now() - t0, socketMs: r.socketMs });
    });
  } else {
    mode.partner(plan.personIds[i % plan.personIds.length]!, (r) => {
      inFlight--;
      samples.push({ second: at, kind: 'partner', status: r.status, ms: performance.now() - t0, code: r.code });
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
mode.close();
// A pipe write is asynchronous: exit only once it is out.
const output: GeneratorOutput = { samples, generator: generatorSeconds };
process.stdout.write(`${JSON.stringify(output)}\n`, () => process.exit(0));
