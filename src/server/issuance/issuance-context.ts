// What issuance needs from the world, injected by createApp.
import type { VaxpassDatabase } from '../../db/store.ts';
import type { PersonProofVerifier } from '../../idp/person-proof.ts';
import type { Clock } from '../clock.ts';
import type { ServerConfig } from '../config.ts';
import type { IssuerKeys } from '../issuer-keys.ts';
import type { IssuedPassCheck } from './issued-pass-check.ts';

export interface IssuanceContext {
  readonly db: VaxpassDatabase;
  readonly keys: IssuerKeys;
  readonly clock: Clock;
  readonly config: ServerConfig;
  /** Verifies partners' person proofs against the configured provider; null when none is configured. */
  readonly personProof: PersonProofVerifier | null;
  /** Verifies each newly signed pass as a scanner would, before it is stored or returned; throws ApiError when scanners would refuse it. */
  readonly checkIssued?: IssuedPassCheck;
  /** Called after each newly signed pass (metrics). */
  readonly onIssued?: (by: 'holder' | 'partner') => void;
}
