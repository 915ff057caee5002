// The issuer's memory as its own /metrics reports it (on the metrics listener, VAXPASS_METRICS_PORT):
// RSS, the V8 heap (used, total, and by space), memory outside the heap (external, of which
// ArrayBuffers), and the sizes of the per-process caches a spike can fill. Taken from outside, as an
// operator's scraper would, so the bench needs no hook in the issuer.

export interface MemorySample {
  /** Seconds since the spike run started (the generator's clock, roughly). */
  readonly at: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
  /** Heap space sizes (reserved, not only used), MiB: where heapTotal sits. */
  readonly newSpace: number;
  readonly oldSpace: number;
  readonly largeObjectSpace: number;
  readonly refreshCacheEntries: number;
  readonly quotaKeys: number;
}

const MiB = 1024 * 1024;

/** One value of a metric (with its label set as written, e.g. `{space="old"}`), or NaN. */
function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1).trim().split(' ')[0]) : NaN;
}

export async function scrapeMemory(metricsUrl: string, at: number): Promise<MemorySample | null> {
  try {
    const res = await fetch(`${metricsUrl}/metrics`, { signal: AbortSignal.timeout(2000) });
    const text = await res.text();
    const mib = (name: string) => metric(text, name) / MiB;
    return {
      at,
      rss: mib('process_resident_memory_bytes'),
      heapUsed: mib('nodejs_heap_size_used_bytes'),
      heapTotal: mib('nodejs_heap_size_total_bytes'),
      external: mib('nodejs_external_memory_bytes'),
      arrayBuffers: mib('vaxpass_array_buffers_bytes'),
      newSpace: mib('nodejs_heap_space_size_total_bytes{space="new"}'),
      oldSpace: mib('nodejs_heap_space_size_total_bytes{space="old"}'),
      largeObjectSpace: mib('nodejs_heap_space_size_total_bytes{space="large_object"}'),
      refreshCacheEntries: metric(text, 'vaxpass_holder_refresh_cache_entries'),
      quotaKeys: metric(text, 'vaxpass_quota_keys'),
    };
  } catch {
    // A scrape that did not come back in time (the issuer's loop was busy) is a missing point, not a failure.
    return null;
  }
}

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');

/** "rss / heap used / heap total (new, old, large objects) / external (array buffers)" in MiB. */
export function describeMemory(m: MemorySample | undefined): string {
  if (!m) return '–';
  return `${f1(m.rss)} / ${f1(m.heapUsed)} / ${f1(m.heapTotal)} (${f1(m.newSpace)}, ${f1(m.oldSpace)}, ${f1(m.largeObjectSpace)}) / ${f1(m.external)} (${f1(m.arrayBuffers)})`;
}

/** The sample whose every field is the largest seen (each field's own peak, not one moment's). */
export function peakMemory(samples: readonly MemorySample[]): MemorySample | undefined {
  if (samples.length === 0) return undefined;
  const max = (k: keyof MemorySample) => Math.max(...samples.map((s) => s[k]).filter(Number.isFinite));
  return { at: NaN, rss: max('rss'), heapUsed: max('heapUsed'), heapTotal: max('heapTotal'), external: max('external'), arrayBuffers: max('arrayBuffers'), newSpace: max('newSpace'), oldSpace: max('oldSpace'), largeObjectSpace: max('largeObjectSpace'), refreshCacheEntries: max('refreshCacheEntries'), quotaKeys: max('quotaKeys') };
}
