// Prometheus metrics through prom-client: request counts and latencies by route pattern and
// status, issuance counters, admission (in flight, queued, shed), and process health (event-loop
// lag, GC, heap, open handles) so an operator sees overload coming before it arrives. Labels are
// route patterns, lanes and codes only: no ids, no personal data.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AdmissionStats, Lane } from './admission.ts';

const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

// Process metrics are one per process (one event loop, one heap), however many apps it runs.
let processRegistry: Registry | null = null;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, eventLoopMonitoringPrecision: 10 });
    // Socket and body buffers live outside the V8 heap; prom-client reports them only inside "external".
    new Gauge({ name: 'vaxpass_array_buffers_bytes', help: 'Memory of ArrayBuffers and Buffers (part of nodejs_external_memory_bytes).', registers: [processRegistry], collect() { this.set(process.memoryUsage().arrayBuffers); } });
  }
  return processRegistry;
}

export class Metrics {
  private readonly registry = new Registry();
  private readonly requests = new Counter({ name: 'vaxpass_http_requests_total', help: 'HTTP requests by method, route pattern and status.', labelNames: ['method', 'route', 'status'] as const, registers: [this.registry] });
  private readonly durations = new Histogram({ name: 'vaxpass_http_request_duration_seconds', help: 'HTTP request duration by method and route pattern.', labelNames: ['method', 'route'] as const, buckets: DURATION_BUCKETS, registers: [this.registry] });
  private readonly issued = new Counter({ name: 'vaxpass_passes_issued_total', help: 'Newly signed passes by channel.', labelNames: ['channel'] as const, registers: [this.registry] });
  private readonly shedTotal = new Counter({ name: 'vaxpass_requests_shed_total', help: 'Requests turned away by admission control, by lane and reason (queue-full, waited-too-long, standing-queue, event-loop-lag, loop-busy, too-many-connections, client-gone).', labelNames: ['lane', 'reason'] as const, registers: [this.registry] });
  private readonly quotaStoreErrors = new Counter({ name: 'vaxpass_quota_store_errors_total', help: 'Quota checks that could not reach the shared quota store and were let through (fail open).', registers: [this.registry] });
  private readonly storageErrors = new Counter({ name: 'vaxpass_storage_errors_total', help: 'Storage failures by kind (full, busy, corrupt, unavailable) and driver code (SQLITE_FULL, 53100, …).', labelNames: ['kind', 'code'] as const, registers: [this.registry] });
  bundleVersion = 0;
  /** False while a storage condition makes the instance unready, read when /metrics is scraped. */
  storageHealthy: () => boolean = () => true;
  signerCertificateExpiresAt = 0;
  issuanceAvailable = true;
  signerRenewalDue = false;
  /** Admission state, read when /metrics is scraped. */
  admission: () => AdmissionStats = () => ({ inFlight: 0, queued: 0 });
  /** Entries in the per-process holder refresh cache and keys in the in-memory quota store, read when scraped. */
  holderRefreshCacheEntries: () => number = () => 0;
  quotaKeys: () => number = () => 0;
  /** Log lines dropped so far by the logger's bounded buffer (Logger.dropped), read when scraped. */
  logLinesDropped: () => number = () => 0;

  constructor() {
    const gauge = (name: string, help: string, value: () => number) =>
      new Gauge({ name, help, registers: [this.registry], collect() { this.set(value()); } });
    gauge('vaxpass_trust_bundle_version', 'Version of the trust bundle last served.', () => this.bundleVersion);
    gauge('vaxpass_bundle_signer_certificate_expiry_timestamp_seconds', 'When the root certificate of the bundle-signing key expires; renew before.', () => this.signerCertificateExpiresAt);
    gauge('vaxpass_bundle_signer_renewal_due', '1 when the bundle-signer certificate expires within 30 days: run `vaxpass keys renew-signer`.', () => (this.signerRenewalDue ? 1 : 0));
    gauge('vaxpass_issuance_available', '1 when an issuer key can sign passes now, 0 when issuance answers 503 NO_SIGNING_KEY.', () => (this.issuanceAvailable ? 1 : 0));
    gauge('vaxpass_storage_healthy', '1 when writes succeed, 0 while a storage condition (full, busy, corrupt, unavailable) holds and /readyz is 503.', () => (this.storageHealthy() ? 1 : 0));
    gauge('vaxpass_admission_in_flight', 'Requests doing expensive work (signing, registry reads, writes) now.', () => this.admission().inFlight);
    gauge('vaxpass_admission_queued', 'Requests waiting for an admission slot now.', () => this.admission().queued);
    // The per-process state a spike can fill, so memory after a spike can be told from a leak.
    gauge('vaxpass_holder_refresh_cache_entries', 'Sessions whose last refresh answer is cached in this process (bounded at 50,000).', () => this.holderRefreshCacheEntries());
    gauge('vaxpass_quota_keys', 'Callers with quota state in this process (in-memory quota store, bounded at 100,000; 0 with Redis).', () => this.quotaKeys());
    // A counter whose count lives in the logger: each scrape adds what was dropped since the last one.
    const dropped = () => this.logLinesDropped();
    let counted = 0;
    new Counter({
      name: 'vaxpass_log_lines_dropped_total',
      help: 'Log lines dropped because the log destination (stdout) was too slow and the bounded buffer was full.',
      registers: [this.registry],
      collect() {
        const total = dropped();
        if (total > counted) this.inc(total - counted);
        counted = total;
      },
    });
    for (const c of [this.issued]) for (const channel of ['holder', 'partner']) c.inc({ channel }, 0);
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.durations.observe({ method, route }, seconds);
  }

  passIssued(by: 'holder' | 'partner'): void {
    this.issued.inc({ channel: by });
  }

  shed(lane: Lane, reason: string): void {
    this.shedTotal.inc({ lane, reason });
  }

  storageFailed(kind: string, code: string): void {
    this.storageErrors.inc({ kind, code });
  }

  quotaStoreUnavailable(): void {
    this.quotaStoreErrors.inc();
  }

  async render(): Promise<string> {
    return Registry.merge([this.registry, processMetrics()]).metrics();
  }
}

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;
