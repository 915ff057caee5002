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
  | { readonly kind: 'unavailable' }
  /** The pass is of a newer version than this app reads: update the app; no verdict on the pass. */
  | { readonly kind: 'app-outdated' }
  /** What is saved is no health pass at all (damaged storage): fetch the passes again; not "refused". */
  | { readonly kind: 'not-a-pass' };

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
  switch (verdictOf(result)) {
    case 'not-a-pass':
      return { kind: 'not-a-pass' };
    // Cannot verify is this phone's problem (its trust list, or an app older than the pass), never the pass being refused.
    case 'cannot-verify':
      return result.code === 'UNSUPPORTED_VERSION' ? { kind: 'app-outdated' } : { kind: 'unavailable' };
    default:
      return { kind: 'refused', code: result.code };
  }
}
