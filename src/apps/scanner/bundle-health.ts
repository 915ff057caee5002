// What the venue staff should be told about the trust bundle: its age, whether it is stale, and
// whether the device clock can be trusted. Verification itself never reads these warnings: the
// core raises a clock that is behind to the bundle's issuedAt (its floor).

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

export function bundleWarnings(bundle: BundleTimes | null, deviceNow: number, serverOffsetSeconds: number | null): BundleWarning[] {
  const warnings: BundleWarning[] = [];
  if (bundle) {
    if (deviceNow + bundle.clockSkewSeconds < bundle.issuedAt) warnings.push({ kind: 'clock-behind' });
    const age = Math.max(0, deviceNow - bundle.issuedAt);
    if (Math.max(deviceNow, bundle.issuedAt) >= bundle.expiresAt) warnings.push({ kind: 'expired' });
    else if (age > STALE_AFTER_SECONDS) warnings.push({ kind: 'stale', ageSeconds: age });
  }
  if (serverOffsetSeconds !== null && Math.abs(serverOffsetSeconds) > CLOCK_SKEW_WARN_SECONDS) {
    warnings.push({ kind: 'clock-skew', offsetSeconds: serverOffsetSeconds });
  }
  return warnings;
}
