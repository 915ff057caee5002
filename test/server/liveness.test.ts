// The liveness listener (src/server/liveness.ts): its own port and thread, so it answers while the
// main event loop is busy, and fails once the loop has not ticked for longer than the stall bound.
// The probes come from a worker thread: the test's own loop is the one being blocked.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/server/config.ts';
import { livenessOptions, startLivenessListener, type LivenessListener } from '../../src/server/liveness.ts';
import { startServer } from '../../src/server/main.ts';

interface Probe {
  readonly status: number;
  readonly ms: number;
  readonly body: string;
  /** When the answer arrived, on the shared wall clock (timeOrigin + now). */
  readonly at: number;
}

/**
 * Probes `url` from another thread `afterMs` after that thread is running (`ready`), while this
 * thread may be blocked.
 */
function probeFromAnotherThread(url: string, afterMs: number): { ready: Promise<void>; answer: Promise<Probe> } {
  const source = `
    const { workerData, parentPort } = require('node:worker_threads');
    parentPort.postMessage('ready');
    // node:http, not fetch: loading fetch in a fresh thread can take longer than the test's block.
    const { get } = require('node:http');
    setTimeout(() => {
      const t0 = performance.now();
      const req = get(workerData.url, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => parentPort.postMessage({ status: res.statusCode, body, ms: performance.now() - t0, at: performance.timeOrigin + performance.now() }));
      });
      req.setTimeout(3000, () => req.destroy());
      req.on('error', (error) => parentPort.postMessage({ status: 0, body: String(error), ms: performance.now() - t0, at: performance.timeOrigin + performance.now() }));
    }, workerData.afterMs);`;
  const worker = new Worker(source, { eval: true, workerData: { url, afterMs } });
  const ready = new Promise<void>((ok) => worker.once('message', () => ok()));
  const answer = ready.then(() => new Promise<Probe>((ok) => worker.once('message', (m: Probe) => void worker.terminate().then(() => ok(m)))));
  return { ready, answer };
}

/** Blocks this thread's event loop, as a runaway synchronous task would. */
function blockFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy
  }
}


let listener: LivenessListener | null = null;
afterEach(async () => {
  await listener?.close();
  listener = null;
});

describe('liveness listener', () => {
  it('answers 200 within milliseconds while the main event loop is blocked, up to the stall bound', async () => {
    listener = await startLivenessListener({ port: 0, host: '127.0.0.1', stallMs: 3000 });
    const url = `http://127.0.0.1:${listener.port}/livez`;
    const probe = probeFromAnotherThread(url, 300);
    await probe.ready;
    blockFor(1500);
    const blockEnded = performance.timeOrigin + performance.now();
    const answer = await probe.answer;
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('{"status":"ok"}');
    // Answered while this loop was still blocked, not after it.
    expect(answer.at).toBeLessThan(blockEnded);
  });

  it('fails with 503 once the main loop has not ticked for longer than the bound, and recovers when it runs again', async () => {
    listener = await startLivenessListener({ port: 0, host: '127.0.0.1', stallMs: 300 });
    const url = `http://127.0.0.1:${listener.port}/livez`;
    const probe = probeFromAnotherThread(url, 1000);
    await probe.ready;
    blockFor(1800);
    const stalled = await probe.answer;
    expect(stalled.status).toBe(503);
    expect(JSON.parse(stalled.body)).toMatchObject({ status: 'stalled' });
    // The loop runs again: within a heartbeat or two the probe passes.
    await new Promise((ok) => setTimeout(ok, 250));
    expect((await fetch(url)).status).toBe(200);
  });

  it('answers only GET/HEAD /livez', async () => {
    listener = await startLivenessListener({ port: 0, host: '127.0.0.1', stallMs: 3000 });
    expect((await fetch(`http://127.0.0.1:${listener.port}/readyz`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${listener.port}/livez`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${listener.port}/livez`, { method: 'HEAD' })).status).toBe(200);
  });

  it('is configured by VAXPASS_LIVENESS_PORT and VAXPASS_LIVENESS_STALL_MS, refusing bad values by name', () => {
    expect(livenessOptions({}, '127.0.0.1')).toBeNull();
    expect(livenessOptions({ VAXPASS_LIVENESS_PORT: '9091' }, '0.0.0.0')).toEqual({ port: 9091, host: '0.0.0.0', stallMs: 5000 });
    expect(() => livenessOptions({ VAXPASS_LIVENESS_PORT: '9091', VAXPASS_LIVENESS_STALL_MS: '50' }, 'h')).toThrow(ConfigError);
    expect(() => livenessOptions({ VAXPASS_LIVENESS_PORT: 'x' }, 'h')).toThrow(/VAXPASS_LIVENESS_PORT/);
  });

  it('runs beside the issuer: startServer opens it when configured, and /livez on the main port keeps working', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vaxpass-liveness-'));
    const banner: string[] = [];
    const server = await startServer({
      env: { PORT: '0', VAXPASS_LIVENESS_PORT: '0', VAXPASS_LIVENESS_STALL_MS: '2000', VAXPASS_DB: join(dir, 'db.sqlite'), VAXPASS_KEYS: join(dir, 'keys'), VAXPASS_DEV_IDP: 'on', VAXPASS_APPS_DIR: join(dir, 'none'), LOG_LEVEL: 'error' },
      print: (line) => void banner.push(line),
      writeLog: () => {},
    });
    try {
      expect(server.livenessUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/livez$/);
      expect(banner.some((line) => line.includes(server.livenessUrl!))).toBe(true);
      const own = await fetch(server.livenessUrl!);
      expect(own.status).toBe(200);
      expect(own.headers.get('cache-control')).toBe('no-store');
      expect((await fetch(`${server.url}/livez`)).status).toBe(200);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
