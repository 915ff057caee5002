// Whether venues accept a held pass right now, decided exactly as a scanner decides it: the core's
// verify against the same signed trust bundle. A pass's own expiry only says how long the signature
// may be used; the bundle's rules decide acceptance (a primary series lasts 180 days), and a holder
// told "valid" who is then turned away is the failure this app exists to prevent.
import type { FailureCode, PassType, TrustedBundle } from '../../core/index.ts';
import { verdictOf, verify } from '../../core/index.ts';
import { dateOf } from './pass-details.ts';

export type VenueStanding =
  | { readonly kind: 'accepted'; readonly until: string }
  | { readonly kind: 'refused'; readonly code: FailureCode }
  /** No usable trust bundle on the phone: the app cannot say, and must not guess. */
  | { readonly kind: 'unavailable' };

/**
 * The last moment of acceptance, as the holder reads it. Day-based rules end at the start of a
 * civil day (exclusive), so the date shown is that of the last accepted second: a window ending at
 * midnight of 21 May reads "until 20 May", the last day the pass works. A test result ends at an
 * hour, which is shown as is.
 */
export function acceptedUntil(validUntil: number, passType: PassType): string {
  return passType === 'test' ? dateOf(validUntil, { withTime: true }) : dateOf(validUntil - 1);
}

export async function venueStanding(text: string, bundle: TrustedBundle | null, now: Date): Promise<VenueStanding> {
  if (!bundle) return { kind: 'unavailable' };
  const result = await verify(text, bundle, { now });
  if (result.ok) return { kind: 'accepted', until: acceptedUntil(result.validUntil, result.passType) };
  // BUNDLE_* means this phone's trust list cannot decide; that is not the pass being refused.
  return verdictOf(result) === 'cannot-verify' ? { kind: 'unavailable' } : { kind: 'refused', code: result.code };
}
