// What the venue staff should be told about the trust bundle: its age, whether it is stale, and
// whether the device clock can be trusted. Verification itself never reads these warnings: the
// app decides at the later of the device clock and its time mark (shared/time-mark.ts), and the
// core raises that to the bundle's issuedAt.

export const STALE_AFTER_SECONDS = 24 * 3600;
/** A server Date header further than this from the device clock means the clock is wrong. */
export const CLOCK_SKEW_WARN_SECONDS = 5 * 60;

export type BundleWarning =
  | { readonly kind: 'stale'; readonly ageSeconds: number }
  | { readonly kind: 'expired' }
  | { readonly kind: 'clock-behind' }
  | { readonly kind: 'clock-skew'; readonly offsetSeconds: number };

export interface BundleTimes {
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly clockSkewSeconds: number;
}

/** `mark`: the device's time high-water mark (unix seconds, 0 when none); a clock behind it by more than the skew was set back. */
export function bundleWarnings(bundle: BundleTimes | null, deviceNow: number, serverOffsetSeconds: number | null, mark = 0): BundleWarning[] {
  const warnings: BundleWarning[] = [];
  const skew = bundle?.clockSkewSeconds ?? CLOCK_SKEW_WARN_SECONDS;
  if (deviceNow + skew < Math.max(bundle?.issuedAt ?? 0, mark)) warnings.push({ kind: 'clock-behind' });
  if (bundle) {
    const age = Math.max(0, deviceNow - bundle.issuedAt);
    if (Math.max(deviceNow, bundle.issuedAt) >= bundle.expiresAt) warnings.push({ kind: 'expired' });
    else if (age > STALE_AFTER_SECONDS) warnings.push({ kind: 'stale', ageSeconds: age });
  }
  if (serverOffsetSeconds !== null && Math.abs(serverOffsetSeconds) > CLOCK_SKEW_WARN_SECONDS) {
    warnings.push({ kind: 'clock-skew', offsetSeconds: serverOffsetSeconds });
  }
  return warnings;
}
