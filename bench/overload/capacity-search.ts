// How bench/overload/run.ts finds the capacity C, with its criterion stated once.
//
// A step offers one arrival rate for a few seconds and PASSES when
//   - p99 latency of the answered requests ≤ the SLO,
//   - refusals (503/429) are at most `maxRefusalShare` of the requests (0.1 %): admission control
//     may shed a handful when a GC pause or another tenant's burst lags the loop for a moment,
//     which is what admission is for, not a sign the rate is past capacity,
//   - and nothing else failed: no timeout, no other status.
// A failing step is measured once more before it counts (a step is 4 s on a shared machine: one
// unlucky second should not decide C). The search climbs the ladder until a rate fails twice, then
// bisects between the last rate that passed and the first that failed until they are within
// `resolution` (5 %) of each other. C is the last rate that passed. A rate passes when either of
// its two tries does: on a noisy machine that leans towards the higher C, which is the point (one
// bad second used to halve it); the retry lines show how often it was needed.
// Before this, one step with any error ended the search, and C came out anywhere between 800 and
// 1,600 req/s on the same code and machine (docs/benchmarks.md "Overload").

export interface StepResult {
  readonly requests: number;
  readonly p99Ms: number;
  readonly refusals: number;
  /** Timeouts and statuses other than success and 503/429. */
  readonly failures: number;
}

export interface SearchOptions {
  readonly sloMs: number;
  readonly maxRefusalShare: number;
  /** Stop bisecting when the failing rate is within this share of the passing one. */
  readonly resolution: number;
  readonly ladder: readonly number[];
  /** One line per step (progress). */
  readonly report?: (line: string) => void;
}

export interface SearchStep extends StepResult {
  readonly rate: number;
  readonly pass: boolean;
  readonly why: string;
}

export const DEFAULT_SEARCH = { maxRefusalShare: 0.001, resolution: 0.05 } as const;

/** Whether a step passes, and if not why (for the progress line). */
export function judgeStep(step: StepResult, options: Pick<SearchOptions, 'sloMs' | 'maxRefusalShare'>): { pass: boolean; why: string } {
  const why: string[] = [];
  if (!(step.p99Ms <= options.sloMs)) why.push(`p99 ${step.p99Ms.toFixed(1)} > ${options.sloMs} ms`);
  if (step.refusals > options.maxRefusalShare * step.requests) why.push(`${step.refusals} refusals > ${(100 * options.maxRefusalShare).toFixed(1)} %`);
  if (step.failures > 0) why.push(`${step.failures} failures`);
  return { pass: why.length === 0, why: why.join(', ') || 'pass' };
}

/** C: the highest rate that passed, with every step measured (retries included). 0 if none passed. */
export async function searchCapacity(measure: (rate: number) => Promise<StepResult>, options: SearchOptions): Promise<{ capacity: number; steps: SearchStep[] }> {
  const steps: SearchStep[] = [];
  const attempt = async (rate: number): Promise<boolean> => {
    for (let tries = 0; tries < 2; tries++) {
      const result = await measure(rate);
      const { pass, why } = judgeStep(result, options);
      steps.push({ ...result, rate, pass, why });
      options.report?.(`capacity step ${rate}/s${tries > 0 ? ' (retry)' : ''}: p99 ${result.p99Ms.toFixed(1)} ms, ${result.refusals} refused, ${result.failures} failed of ${result.requests}: ${pass ? 'pass' : `fail (${why})`}`);
      if (pass) return true;
    }
    return false;
  };
  let passed = 0;
  let failed = NaN;
  for (const rate of options.ladder) {
    if (await attempt(rate)) passed = rate;
    else {
      failed = rate;
      break;
    }
  }
  if (passed === 0 || Number.isNaN(failed)) return { capacity: passed, steps };
  while (failed - passed > options.resolution * passed) {
    const rate = Math.round((passed + failed) / 2);
    if (await attempt(rate)) passed = rate;
    else failed = rate;
  }
  return { capacity: passed, steps };
}
