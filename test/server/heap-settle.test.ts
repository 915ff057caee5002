// The heap settle watcher (src/server/heap-settle.ts): one full collection once the load has gone
// and the old generation has grown well past what was live, none while the loop is busy.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { exposedFullCollection, heapSettleEnabled, settleHeapAfterLoad } from '../../src/server/heap-settle.ts';

const MiB = 1024 * 1024;

describe('settleHeapAfterLoad', () => {
  it('collects once after quietSeconds of a quiet loop when the old generation grew past growth × baseline, then not again until it grows again', () => {
    let used = 40 * MiB;
    let busy = 0.9;
    const collected: number[] = [];
    const w = settleHeapAfterLoad({ maxUtilization: 0.5, quietSeconds: 3, growth: 2, oldUsed: () => used, utilization: () => busy, collect: () => void (used = 45 * MiB), onCollected: (before) => collected.push(before) });
    w.stop();
    used = 200 * MiB;
    // The spike: busy, never collected by the watcher.
    for (let s = 0; s < 10; s++) w.tick();
    expect(collected).toEqual([]);
    busy = 0.3;
    w.tick();
    w.tick();
    expect(collected).toEqual([]);
    w.tick();
    expect(collected).toEqual([200 * MiB]);
    // Live is 45 MiB now: quiet seconds with a heap that has not grown do nothing.
    for (let s = 0; s < 10; s++) w.tick();
    expect(collected).toHaveLength(1);
    // Growth under twice the live 45 MiB is V8's to handle.
    used = 85 * MiB;
    for (let s = 0; s < 10; s++) w.tick();
    expect(collected).toHaveLength(1);
    used = 130 * MiB;
    for (let s = 0; s < 3; s++) w.tick();
    expect(collected).toHaveLength(2);
  });

  it('a busy second restarts the quiet count', () => {
    let busy = 0.1;
    let collections = 0;
    let reads = 0;
    const w = settleHeapAfterLoad({ maxUtilization: 0.5, quietSeconds: 3, growth: 2, oldUsed: () => (reads++ === 0 ? 40 : 200) * MiB, utilization: () => busy, collect: () => void collections++ });
    w.stop();
    w.tick();
    w.tick();
    busy = 0.8;
    w.tick();
    busy = 0.1;
    w.tick();
    w.tick();
    expect(collections).toBe(0);
    w.tick();
    expect(collections).toBe(1);
  });

  it('uses node\'s own gc: none without --expose-gc, a real collection with it', () => {
    // Vitest's workers run without the flag: the issuer then runs no watcher (main.ts says so).
    expect(exposedFullCollection()).toBeNull();
    const script = [
      "import { exposedFullCollection, settleHeapAfterLoad } from './src/server/heap-settle.ts';",
      'const collect = exposedFullCollection();',
      'let garbage = Array.from({ length: 200_000 }, (_, i) => ({ i, s: String(i) }));',
      'garbage = null;',
      'let collected = null;',
      'let reads = 0;',
      // The baseline read at start is small, the next one past growth × baseline + 32 MiB.
      "const w = settleHeapAfterLoad({ maxUtilization: 1, quietSeconds: 1, growth: 2, collect, oldUsed: () => (reads++ === 0 ? 1 : 100) * 1048576, onCollected: (before, after, ms) => (collected = { before, after, ms }) });",
      'w.stop();',
      'w.tick();',
      'console.log(JSON.stringify({ exposed: typeof collect, collected: collected !== null }));',
    ].join('\n');
    const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout.trim())).toEqual({ exposed: 'function', collected: true });
  });

  it('is on unless VAXPASS_HEAP_SETTLE=off', () => {
    expect(heapSettleEnabled({})).toBe(true);
    expect(heapSettleEnabled({ VAXPASS_HEAP_SETTLE: 'off' })).toBe(false);
  });
});
