// A held person gets no new pass from anyone (docs/api.md "Revocation model"). The detail is the
// same for partners and the holder and says nothing about why: the reason stays with the operator.
// The hold is read with the person's facts (readPersonWithFacts), in the same statement.
import { ApiError } from '../problem.ts';

export function personOnHold(): ApiError {
  return new ApiError('PERSON_ON_HOLD', 'no pass can be issued for this person at the moment; the person should contact the registry');
}
