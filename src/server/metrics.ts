// Prometheus text exposition (format 0.0.4) for request counts and latencies by route pattern
// and status, plus issuance counters. Labels are route patterns and codes only: no ids, no
// personal data.
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

interface Histogram {
  readonly counts: number[];
  sum: number;
  count: number;
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly durations = new Map<string, Histogram>();
  private readonly issued = new Map<string, number>();
  bundleVersion = 0;
  signerCertificateExpiresAt = 0;
  issuanceAvailable = true;

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `method="${escapeLabel(method)}",route="${escapeLabel(route)}",status="${status}"`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
    const hkey = `method="${escapeLabel(method)}",route="${escapeLabel(route)}"`;
    let h = this.durations.get(hkey);
    if (!h) this.durations.set(hkey, (h = { counts: DURATION_BUCKETS.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < DURATION_BUCKETS.length; i++) if (seconds <= DURATION_BUCKETS[i]!) h.counts[i]!++;
    h.sum += seconds;
    h.count++;
  }

  passIssued(by: 'holder' | 'partner'): void {
    this.issued.set(by, (this.issued.get(by) ?? 0) + 1);
  }

  render(): string {
    const lines: string[] = [];
    lines.push('# HELP vaxpass_http_requests_total HTTP requests by method, route pattern and status.', '# TYPE vaxpass_http_requests_total counter');
    for (const [labels, n] of this.requests) lines.push(`vaxpass_http_requests_total{${labels}} ${n}`);
    lines.push('# HELP vaxpass_http_request_duration_seconds HTTP request duration by method and route pattern.', '# TYPE vaxpass_http_request_duration_seconds histogram');
    for (const [labels, h] of this.durations) {
      DURATION_BUCKETS.forEach((le, i) => lines.push(`vaxpass_http_request_duration_seconds_bucket{${labels},le="${le}"} ${h.counts[i]}`));
      lines.push(`vaxpass_http_request_duration_seconds_bucket{${labels},le="+Inf"} ${h.count}`);
      lines.push(`vaxpass_http_request_duration_seconds_sum{${labels}} ${h.sum}`);
      lines.push(`vaxpass_http_request_duration_seconds_count{${labels}} ${h.count}`);
    }
    lines.push('# HELP vaxpass_passes_issued_total Newly signed passes by channel.', '# TYPE vaxpass_passes_issued_total counter');
    for (const by of ['holder', 'partner']) lines.push(`vaxpass_passes_issued_total{channel="${by}"} ${this.issued.get(by) ?? 0}`);
    lines.push('# HELP vaxpass_trust_bundle_version Version of the trust bundle last served.', '# TYPE vaxpass_trust_bundle_version gauge');
    lines.push(`vaxpass_trust_bundle_version ${this.bundleVersion}`);
    lines.push('# HELP vaxpass_bundle_signer_certificate_expiry_timestamp_seconds When the root certificate of the bundle-signing key expires; renew before.', '# TYPE vaxpass_bundle_signer_certificate_expiry_timestamp_seconds gauge');
    lines.push(`vaxpass_bundle_signer_certificate_expiry_timestamp_seconds ${this.signerCertificateExpiresAt}`);
    lines.push('# HELP vaxpass_issuance_available 1 when an issuer key can sign passes now, 0 when issuance answers 503 NO_SIGNING_KEY.', '# TYPE vaxpass_issuance_available gauge');
    lines.push(`vaxpass_issuance_available ${this.issuanceAvailable ? 1 : 0}`);
    return `${lines.join('\n')}\n`;
  }
}
