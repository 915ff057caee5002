// Signed revocation deltas: what was revoked after bundle version N, signed by the same bundle
// signer (with the root's certificate in the header) so a scanner checks it with the same chain
// as the bundle. See src/core/revocation-delta.ts for the verifying side.
import { CompactSign } from 'jose';
import { REVOCATION_DELTA_FORMAT, REVOCATION_DELTA_JWS_TYPE, type RevocationDeltaDocument } from '../../core/revocation-delta.ts';
import type { KeyDirectory } from '../../keys/key-directory.ts';

export async function signRevocationDelta(document: Omit<RevocationDeltaDocument, 'format'>, directory: KeyDirectory): Promise<string> {
  const payload: RevocationDeltaDocument = { format: REVOCATION_DELTA_FORMAT, ...document };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'EdDSA', typ: REVOCATION_DELTA_JWS_TYPE, kid: directory.signer.kid, cert: directory.signer.certificate })
    .sign(directory.signer.privateKey);
}
