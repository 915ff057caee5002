// The overload bench's capacity search (bench/overload/capacity-search.ts) against a fake step
// measurement: the criterion, the one retry of a failing step, the bisection.
import { describe, expect, it } from 'vitest';
import { judgeStep, searchCapacity, type StepResult } from '../../bench/overload/capacity-search.ts';

const options = { sloMs: 100, maxRefusalShare: 0.001, resolution: 0.05, ladder: [100, 200, 400, 800, 1600] };
const ok = (requests: number): StepResult => ({ requests, p99Ms: 10, refusals: 0, failures: 0 });
const over = (requests: number): StepResult => ({ requests, p99Ms: 300, refusals: requests / 10, failures: 0 });

describe('capacity search', () => {
  it('passes a step with a few refusals (≤ 0.1 %), fails one with more, a slow p99 or any failure', () => {
    expect(judgeStep({ requests: 4000, p99Ms: 50, refusals: 4, failures: 0 }, options).pass).toBe(true);
    expect(judgeStep({ requests: 4000, p99Ms: 50, refusals: 5, failures: 0 }, options)).toEqual({ pass: false, why: '5 refusals > 0.1 %' });
    expect(judgeStep({ requests: 4000, p99Ms: 101, refusals: 0, failures: 0 }, options).pass).toBe(false);
    expect(judgeStep({ requests: 4000, p99Ms: 10, refusals: 0, failures: 1 }, options).pass).toBe(false);
    expect(judgeStep({ requests: 0, p99Ms: NaN, refusals: 0, failures: 0 }, options).pass).toBe(false);
  });

  it('bisects between the last pass and the first fail to within the resolution', async () => {
    const lines: string[] = [];
    const { capacity, steps } = await searchCapacity(async (rate) => (rate <= 1000 ? ok(rate * 4) : over(rate * 4)), { ...options, report: (l) => lines.push(l) });
    expect(capacity).toBeGreaterThanOrEqual(1000 / 1.05);
    expect(capacity).toBeLessThanOrEqual(1000);
    expect(lines).toHaveLength(steps.length);
    expect(lines[0]).toMatch(/^capacity step 100\/s: .*pass$/);
  });

  it('measures a failing step once more, and a pass on the retry counts', async () => {
    let flaked = false;
    const { capacity, steps } = await searchCapacity(
      async (rate) => {
        if (rate === 400 && !flaked) {
          flaked = true;
          return { requests: 1600, p99Ms: 20, refusals: 12, failures: 0 };
        }
        return rate <= 800 ? ok(rate * 4) : over(rate * 4);
      },
      options,
    );
    expect(steps.filter((s) => s.rate === 400).map((s) => s.pass)).toEqual([false, true]);
    expect(capacity).toBeGreaterThanOrEqual(800);
  });

  it('a rate that fails twice ends the climb; none passing gives 0', async () => {
    const { capacity, steps } = await searchCapacity(async (rate) => over(rate * 4), options);
    expect(capacity).toBe(0);
    expect(steps.map((s) => s.rate)).toEqual([100, 100]);
  });
});
