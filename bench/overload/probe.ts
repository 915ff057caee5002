// Liveness probes for bench/overload, in a process of their own as a kubelet's probes would be:
// the generator's event loop is busy sending thousands of requests a second, and a probe answer
// waiting there would be counted as the issuer's latency. Every 100 ms, /livez on the main port
// and (when the issuer has one) on the liveness listener, each on its own keep-alive connection,
// with a 1 s timeout as a typical probe has. Prints one JSON line of samples on stdout.
import { Agent, request } from 'node:http';
import type { Sample } from './generator.ts';

interface ProbePlan {
  readonly url: string;
  readonly livenessUrl: string | null;
  readonly seconds: number;
}

const plan = JSON.parse(process.env.OVERLOAD_PROBE_PLAN!) as ProbePlan;
const samples: Sample[] = [];
const started = performance.now();
const TIMEOUT_MS = 1000;

function probe(kind: 'livez' | 'liveness', url: string, agent: Agent): void {
  const second = Math.floor((performance.now() - started) / 1000);
  const t0 = performance.now();
  const done = (status: number) => {
    clearTimeout(deadline);
    samples.push({ second, kind, status, ms: performance.now() - t0 });
  };
  const req = request(url, { agent }, (res) => {
    res.resume();
    res.on('end', () => done(res.statusCode!));
  });
  const deadline = setTimeout(() => req.destroy(), TIMEOUT_MS);
  req.on('error', () => done(0));
  req.end();
}

const main = new Agent({ keepAlive: true, maxSockets: 1 });
const own = new Agent({ keepAlive: true, maxSockets: 1 });
const timer = setInterval(() => {
  probe('livez', `${plan.url}/livez`, main);
  if (plan.livenessUrl) probe('liveness', plan.livenessUrl, own);
}, 100);
setTimeout(() => {
  clearInterval(timer);
  setTimeout(() => {
    main.destroy();
    own.destroy();
    process.stdout.write(`${JSON.stringify(samples)}\n`, () => process.exit(0));
  }, TIMEOUT_MS + 200);
}, plan.seconds * 1000);
