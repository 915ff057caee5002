// One way to drive wrk, shared by bench/scale.ts and bench/publication.ts so their ratios compare:
// one wrk thread (on this 2-core machine a second wrk thread takes CPU from the server under
// test, and takes more from a CPU-bound baseline than from a server waiting on the kernel), the
// request described by a Lua script (headers, method, body, a fresh Idempotency-Key per request),
// and the count of non-2xx answers reported by the script.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface WrkTarget {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body?: string;
  /** POSTs get a fresh Idempotency-Key per request, prefixed with this. */
  readonly keyPrefix?: string;
  /** Header sets laid over `headers` in turn, one per request (many holders' sessions instead of one). */
  readonly rotate?: readonly Record<string, string>[];
}

/** Writes the Lua script for a target into `dir`; returns its path. */
export function wrkScript(dir: string, target: WrkTarget): string {
  const path = join(dir, `wrk-${Math.random().toString(36).slice(2)}.lua`);
  const headers = Object.entries(target.headers).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`);
  const lua = [`wrk.method = ${JSON.stringify(target.method)}`, ...headers, target.body ? `wrk.body = ${JSON.stringify(target.body)}` : ''];
  if (target.rotate?.length) {
    const sets = target.rotate.map((set) => `{ ${Object.entries(set).map(([k, v]) => `[${JSON.stringify(k)}] = ${JSON.stringify(v)}`).join(', ')} }`);
    lua.push(`local sets = { ${sets.join(', ')} }`, `local i = 0`, `request = function() i = i % #sets + 1; for k, v in pairs(sets[i]) do wrk.headers[k] = v end; return wrk.format() end`);
  } else if (target.keyPrefix) {
    lua.push(`local n = 0`, `request = function() n = n + 1; wrk.headers["Idempotency-Key"] = ${JSON.stringify(target.keyPrefix)} .. n; return wrk.format() end`);
  }
  lua.push(`done = function(summary, latency, requests) io.stderr:write(string.format("non2xx=%d\\n", summary.errors.status)) end`);
  writeFileSync(path, lua.join('\n'));
  return path;
}

export interface WrkResult {
  readonly rate: number;
  readonly requests: number;
  /** Answers with a status of 400 or more (wrk's `errors.status`; a 304 is not counted). */
  readonly non2xx: number;
}

/** One wrk run: `wrk -t1 -c<connections> -d<seconds>s -s <script> <url>`. */
export async function runWrk(dir: string, target: WrkTarget, connections: number, seconds: number): Promise<WrkResult> {
  const script = wrkScript(dir, target);
  const { stdout, stderr } = await run('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', script, new URL(target.url).origin + new URL(target.url).pathname + new URL(target.url).search]);
  return {
    rate: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? 0),
    requests: Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0),
    non2xx: Number(/non2xx=(\d+)/.exec(stderr)?.[1] ?? 0),
  };
}

/**
 * CPU seconds (user + system, all threads) a process has used so far (Linux /proc). The server's
 * CPU per request is what the 304 costs whoever else is on the machine; requests per second also
 * depend on how much CPU wrk and other processes leave it.
 */
export function processCpuSeconds(pid: number): number {
  return statCpuSeconds(`/proc/${pid}/stat`);
}

/** The main thread's CPU seconds (its own task's utime + stime) and the whole process's. */
export function mainThreadAndProcessCpuSeconds(pid: number): { main: number; all: number } {
  return { main: statCpuSeconds(`/proc/${pid}/task/${pid}/stat`), all: processCpuSeconds(pid) };
}

/** CPU seconds so far of each pid still alive (one that ended, such as an idle pooled backend, is left out). */
export function cpuSecondsOf(pids: readonly number[]): Map<number, number> {
  const cpu = new Map<number, number>();
  for (const pid of pids) {
    try {
      cpu.set(pid, processCpuSeconds(pid));
    } catch {
      // Ended meanwhile: its CPU is no longer counted.
    }
  }
  return cpu;
}

function statCpuSeconds(path: string): number {
  const fields = readFileSync(path, 'utf8').replace(/^.*\) /, '').split(' ');
  // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 a second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
