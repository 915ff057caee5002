// The issuer signs only what its own verifier accepts. Each new pass is verified with the core's
// verify against the trust bundle the issuer publishes now (its keys, revocations and rules), as
// a scanner would, before it is stored or returned. Signing code and verifying code are separate
// paths; a value the format cannot carry (an exemption until 9999-12-31), an impossible fact or a
// key scanners do not know would otherwise be handed out as 201 and refused at every venue.
import type { TrustedBundle } from '../../core/trust-bundle.ts';
import { openBundle } from '../../core/trust-bundle.ts';
import { verify } from '../../core/verify-pass.ts';
import type { IssuerKeys } from '../issuer-keys.ts';
import { ApiError } from '../problem.ts';
import type { BundlePublisher } from '../publication/bundle-publisher.ts';
import { createThreadPoolEd25519Backend } from './thread-pool-ed25519.ts';

export type IssuedPassCheck = (text: string, now: number) => Promise<void>;

export function createIssuedPassCheck(publisher: BundlePublisher, keys: IssuerKeys): IssuedPassCheck {
  // Every pass's signature is verified, on the thread pool (thread-pool-ed25519.ts).
  const backend = createThreadPoolEd25519Backend();
  // Opened once per bundle version: a version changes at most on a revocation, a key change or a refresh.
  let opened: { version: number; bundle: TrustedBundle } | null = null;
  return async (text, now) => {
    const at = new Date(now * 1000);
    const row = await publisher.current();
    if (opened?.version !== row.version) {
      const result = await openBundle(row.jws, { root: keys.current().rootPublicKey, now: at, backend });
      if (!result.ok) throw new ApiError('BUNDLE_NOT_PUBLISHABLE', `the issuer's own trust bundle does not open (${result.code}); nothing was issued`);
      opened = { version: row.version, bundle: result.bundle };
    }
    const result = await verify(text, opened.bundle, { now: at });
    // A pass the current rules do not accept yet (one dose of two) is still a correct pass.
    if (result.ok || result.code === 'RULES_NOT_MET') return;
    if (result.code === 'MALFORMED' || result.code === 'IMPLAUSIBLE') {
      throw new ApiError('REGISTRY_RECORD_INVALID', `the registry record would make a pass every scanner refuses (${result.code}: ${result.message}); nothing was issued`);
    }
    throw new ApiError('ISSUANCE_SELF_CHECK_FAILED', `the new pass would be refused by scanners (${result.code}); nothing was issued`);
  };
}
