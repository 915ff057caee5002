// Who a partner may issue for: the person whose ID token (issued to this partner's client at the
// configured provider, fresh, used once) the partner sends, never a person the partner merely
// names. Until the proof is verified every refusal is the same 403 with the same body, and nothing
// before it reads the registry, so neither the answer nor its timing says whether a person exists.
// Only partners configured registry-trusted (a vaccination clinic) may still name a person alone.
import type { Partner } from '../../db/queries/partners.ts';
import { claimPersonProof } from '../../db/queries/used-person-proofs.ts';
import type { PersonProofFailure } from '../../idp/person-proof.ts';
import { ApiError } from '../problem.ts';
import type { IssuanceContext } from './issuance-context.ts';

export type IssuanceBasis = { readonly kind: 'person-proof'; readonly personId: string } | { readonly kind: 'registry-trusted' };

export const PERSON_PROOF_REFUSAL =
  "send idToken: the person's ID token from the identity provider, issued to this partner's client id, from a sign-in within the allowed window, used for one issuance (docs/api.md)";

export class PersonProofRefused extends ApiError {
  constructor(readonly reason: PersonProofFailure | 'missing' | 'no-client-id' | 'other-subject' | 'already-used') {
    super('PERSON_PROOF_REJECTED', PERSON_PROOF_REFUSAL);
  }
}

export async function issuanceBasis(
  ctx: IssuanceContext,
  partner: Partner,
  request: { readonly idToken?: string | undefined; readonly personId?: string | undefined },
  idempotencyKey: string,
): Promise<IssuanceBasis> {
  if (request.idToken === undefined) {
    if (partner.registryTrusted) return { kind: 'registry-trusted' };
    throw new PersonProofRefused('missing');
  }
  if (partner.oidcClientId === null || ctx.personProof === null) throw new PersonProofRefused('no-client-id');
  const proof = await ctx.personProof.verify(request.idToken, partner.oidcClientId, ctx.clock.now());
  if (!proof.ok) {
    if (proof.reason === 'provider-unavailable') throw new ApiError('IDENTITY_PROVIDER_UNAVAILABLE', 'the identity provider cannot be reached to check the ID token; retry with the same Idempotency-Key', { 'Retry-After': '30' });
    throw new PersonProofRefused(proof.reason);
  }
  // A personId in the body names whom the partner means; it must be the signed-in person.
  if (request.personId !== undefined && request.personId !== proof.personId) throw new PersonProofRefused('other-subject');
  const use = { tokenHash: proof.tokenHash, partnerId: partner.id, idempotencyKey, expiresAt: proof.usableUntil };
  if (!(await ctx.db.transaction((tx) => claimPersonProof(tx, use)))) throw new PersonProofRefused('already-used');
  return { kind: 'person-proof', personId: proof.personId };
}
