// A held person gets no new pass from anyone (docs/api.md "Revocation model"). The detail is the
// same for partners and the holder and says nothing about why: the reason stays with the operator.
import { findPersonHold } from '../../db/queries/person-holds.ts';
import { ApiError } from '../problem.ts';
import type { IssuanceContext } from './issuance-context.ts';

export async function refuseIfHeld(ctx: IssuanceContext, personId: string): Promise<void> {
  if (await findPersonHold(ctx.db, personId)) {
    throw new ApiError('PERSON_ON_HOLD', 'no pass can be issued for this person at the moment; the person should contact the registry');
  }
}
