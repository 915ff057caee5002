// Per-request values the middleware hands to routes.
import type { Partner } from '../db/queries/partners.ts';

export interface AppEnv {
  Variables: {
    requestId: string;
    partner: Partner;
    holderPersonId: string;
  };
}
