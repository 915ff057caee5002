// A liveness answer that does not queue behind the work it watches. /livez on the main port is
// answered early (node-front.ts), but only once the event loop reaches it: under a flood it waits
// behind every request parsed before it, and a probe with a 1 s timeout restarts a healthy process
// in the middle of the peak (bench/overload). This listener runs on its own port in a worker
// thread with its own event loop. The main loop bumps a shared counter every HEARTBEAT_MS; the
// worker answers 200 while the counter moved within `stallMs`, and 503 once it has not — so a
// busy process stays alive, and a wedged one (an endless loop, a stuck synchronous call) still
// fails its probe and gets restarted.
import { Worker } from 'node:worker_threads';
import { ConfigError, integer, type Env } from './config.ts';

/** How often the main loop proves it runs. Far below any sensible stall bound, and cheap. */
export const HEARTBEAT_MS = 100;

export interface LivenessOptions {
  /** Port of the liveness listener; 0 picks a free one. */
  readonly port: number;
  readonly host: string;
  /** The main loop is reported dead when it has not ticked for longer than this. */
  readonly stallMs: number;
}

export interface LivenessListener {
  readonly port: number;
  close(): Promise<void>;
}

/** VAXPASS_LIVENESS_PORT (unset: no own listener) and VAXPASS_LIVENESS_STALL_MS (default 5000). */
export function livenessOptions(env: Env, host: string): LivenessOptions | null {
  const stallMs = integer(env, 'VAXPASS_LIVENESS_STALL_MS', 5000, 2 * HEARTBEAT_MS, 600_000);
  if (env.VAXPASS_LIVENESS_PORT === undefined || env.VAXPASS_LIVENESS_PORT === '') return null;
  return { port: integer(env, 'VAXPASS_LIVENESS_PORT', 0, 0, 65_535), host, stallMs };
}

// Plain JavaScript evaluated in the worker, so it runs the same under tsx, vitest and a build.
// It looks at the heartbeat every HEARTBEAT_MS / 2 on its own loop, so the time of the last move is
// known to that precision whenever a probe comes (a look only at probe time would see any move since
// the previous probe as a move now, and pass a loop that stalled in between).
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const { createServer } = require('node:http');
const beats = new Int32Array(workerData.heartbeat);
let seen = Atomics.load(beats, 0);
let movedAt = performance.now();
function look() {
  const current = Atomics.load(beats, 0);
  if (current !== seen) { seen = current; movedAt = performance.now(); }
}
setInterval(look, workerData.lookMs);
function stalledFor() {
  look();
  return performance.now() - movedAt;
}
const headers = (body) => ({ ...workerData.headers, 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': String(Buffer.byteLength(body)) });
const ok = '{"status":"ok"}';
const server = createServer((req, res) => {
  if (req.url !== '/livez' || (req.method !== 'GET' && req.method !== 'HEAD')) {
    const body = '{"status":"not found"}';
    return void res.writeHead(404, headers(body)).end(req.method === 'HEAD' ? undefined : body);
  }
  const stalled = stalledFor();
  const body = stalled > workerData.stallMs ? JSON.stringify({ status: 'stalled', stalledMs: Math.round(stalled) }) : ok;
  res.writeHead(body === ok ? 200 : 503, headers(body)).end(req.method === 'HEAD' ? undefined : body);
});
server.keepAliveTimeout = 5000;
server.on('error', (error) => parentPort.postMessage({ error: error.code ?? error.message }));
server.listen(workerData.port, workerData.host, () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (m) => { if (m === 'close') { server.close(() => process.exit(0)); server.closeAllConnections(); } });
`;

export function startLivenessListener(options: LivenessOptions, securityHeaders: Readonly<Record<string, string>> = {}): Promise<LivenessListener> {
  const heartbeat = new SharedArrayBuffer(4);
  const beats = new Int32Array(heartbeat);
  // The main loop's proof of life: if this timer stops firing, the loop is not running.
  const ticker = setInterval(() => Atomics.add(beats, 0, 1), HEARTBEAT_MS);
  ticker.unref();
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { heartbeat, lookMs: HEARTBEAT_MS / 2, port: options.port, host: options.host, stallMs: options.stallMs, headers: securityHeaders } });
  worker.unref();
  return new Promise((ok, fail) => {
    worker.once('error', (error) => (clearInterval(ticker), fail(error)));
    worker.once('message', (m: { port?: number; error?: string }) => {
      if (m.port === undefined) {
        clearInterval(ticker);
        void worker.terminate();
        if (m.error === 'EADDRINUSE') return fail(new ConfigError('VAXPASS_LIVENESS_PORT', `port ${options.port} for the liveness listener is in use`));
        return fail(new Error(`liveness listener failed to start (${m.error})`));
      }
      ok({
        port: m.port,
        close: async () => {
          clearInterval(ticker);
          const exited = new Promise<void>((done) => worker.once('exit', () => done()));
          worker.postMessage('close');
          // A worker that does not exit promptly is ended: closing must never hang a shutdown.
          const force = setTimeout(() => void worker.terminate(), 1000);
          await exited;
          clearTimeout(force);
        },
      });
    });
  });
}
