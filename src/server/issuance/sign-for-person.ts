// Signs one pass for registry contents with the key that signs now. Recording it is the
// caller's job, in the same transaction as the audit entry.
import { createHash } from 'node:crypto';
import type { PassContent } from '../../core/pass-content.ts';
import { formatIsoDate } from '../../core/civil-time.ts';
import { issuePass, type IssuedPass } from '../../issuance/issue-pass.ts';
import type { KeyDirectory } from '../../keys/key-directory.ts';
import { signingKeyAt } from '../issuer-keys.ts';
import { ApiError } from '../problem.ts';
import type { IssuedPassCheck } from './issued-pass-check.ts';

/** A stable digest of what a pass says, so a refresh can tell whether the facts changed. */
export function factsHash(content: PassContent): string {
  const canonical = JSON.stringify({ ...content, birthDate: formatIsoDate(content.birthDate) }, (_key, value: unknown) =>
    value instanceof Uint8Array ? Buffer.from(value).toString('base64url') : value,
  );
  return createHash('sha256').update(canonical).digest('hex');
}

export async function signForPerson(keys: KeyDirectory, content: PassContent, now: number, revokedKids: ReadonlySet<string>, passId: Uint8Array, check?: IssuedPassCheck): Promise<IssuedPass> {
  const key = signingKeyAt(keys, now, revokedKids);
  if (!key) {
    // A rotation already scheduled tells the caller when to come back; otherwise the operator must act.
    const next = keys.issuerKeys.filter((k) => k.validFrom > now && k.status !== 'revoked' && !revokedKids.has(k.kid)).sort((a, b) => a.validFrom - b.validFrom)[0];
    if (next) throw new ApiError('NO_SIGNING_KEY', `no issuer key can sign now; the next key starts signing at ${new Date(next.validFrom * 1000).toISOString()}`, { 'Retry-After': String(next.validFrom - now) });
    throw new ApiError('NO_SIGNING_KEY', 'no issuer key can sign now; the operator must add one with `vaxpass keys rotate` (`--emergency` to sign at once)');
  }
  const issued = await issuePass({ content, issuer: keys.issuer, now, key, passId }).catch((error: unknown) => {
    // The encoder refuses what the format cannot carry (a date beyond 2149-06-06): the record is at fault.
    if (error instanceof TypeError || error instanceof RangeError) throw new ApiError('REGISTRY_RECORD_INVALID', 'the registry record cannot be encoded in a pass; nothing was issued');
    throw error;
  });
  await check?.(issued.text, now);
  return issued;
}
