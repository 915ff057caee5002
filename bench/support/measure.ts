// A small, honest micro-benchmark loop: warm up, then alternate short rounds of every contender
// (so background load on a shared machine hits all of them alike) and report the median rate.
export interface Contender {
  readonly name: string;
  /** One operation; may be async (awaited one at a time, as a scanner verifies one pass at a time). */
  readonly run: () => unknown;
}

export interface Measured {
  readonly name: string;
  /** Median operations per CPU-second over the rounds. */
  readonly opsPerSecond: number;
  readonly rounds: readonly number[];
}

export interface MeasureOptions {
  readonly warmupMs?: number;
  readonly roundMs?: number;
  readonly rounds?: number;
}

const envNumber = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};

// Rates are operations per CPU-second of this process (user + system, all its threads), not per
// wall-clock second: on a shared machine other processes steal wall time but not our CPU time, so
// the figures and especially the ratios stay stable. Work done on helper threads (GC, libuv) counts.
const cpuSeconds = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

async function runFor(contender: Contender, ms: number): Promise<number> {
  const deadline = performance.now() + ms;
  let ops = 0;
  const start = cpuSeconds();
  // Batches of 64 keep the clock reads out of the measured cost.
  while (performance.now() < deadline) {
    for (let i = 0; i < 64; i++) {
      const r = contender.run();
      if (r instanceof Promise) await r;
    }
    ops += 64;
  }
  return ops / (cpuSeconds() - start);
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

export async function measure(contenders: readonly Contender[], options: MeasureOptions = {}): Promise<Measured[]> {
  const warmupMs = options.warmupMs ?? envNumber('BENCH_WARMUP_MS', 500);
  const roundMs = options.roundMs ?? envNumber('BENCH_ROUND_MS', 150);
  const rounds = options.rounds ?? envNumber('BENCH_ROUNDS', 15);
  for (const c of contenders) await runFor(c, warmupMs);
  const results = contenders.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < contenders.length; i++) results[i]!.push(await runFor(contenders[i]!, roundMs));
  }
  return contenders.map((c, i) => ({ name: c.name, opsPerSecond: median(results[i]!), rounds: results[i]! }));
}

export interface Compared {
  readonly baseline: Measured;
  readonly subject: Measured;
  /** Median over rounds of subject/baseline measured back to back, so load changes between rounds cancel out. */
  readonly ratio: number;
}

/** Measures a subject against a baseline in alternating rounds and reports the paired ratio. */
export async function compare(baseline: Contender, subject: Contender, options: MeasureOptions = {}): Promise<Compared> {
  const [b, s] = await measure([baseline, subject], options);
  const ratios = b!.rounds.map((rate, i) => s!.rounds[i]! / rate);
  return { baseline: b!, subject: s!, ratio: median(ratios) };
}

/** Renders rows as an aligned text table. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((row) => row.map((c) => String(c)));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  // Figures right-aligned, words left-aligned.
  const numeric = header.map((_, i) => rows.every((row) => /^[\d,.\s%x×-]*$|^V\d+$|^n\/a$/.test(String(row[i]))));
  const line = (row: readonly string[]): string =>
    row.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export const formatRate = (opsPerSecond: number): string => Math.round(opsPerSecond).toLocaleString('en-US');
export const formatPercent = (ratio: number): string => `${(ratio * 100).toFixed(1)} %`;

/** Minimum, median and maximum of interleaved rounds (what every bench table reports). */
export function spread(xs: readonly number[]): { min: number; median: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]!, max: s[s.length - 1]! };
}

/** "median (min–max)" with `digits` decimals. */
export function formatSpread(xs: readonly number[], digits = 0): string {
  const s = spread(xs);
  return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
}
