// What issuance needs from the world, injected by createApp.
import type { VaxpassDatabase } from '../../db/store.ts';
import type { Clock } from '../clock.ts';
import type { ServerConfig } from '../config.ts';
import type { IssuerKeys } from '../issuer-keys.ts';

export interface IssuanceContext {
  readonly db: VaxpassDatabase;
  readonly keys: IssuerKeys;
  readonly clock: Clock;
  readonly config: ServerConfig;
  /** Called after each newly signed pass (metrics). */
  readonly onIssued?: (by: 'holder' | 'partner') => void;
}
