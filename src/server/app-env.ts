// Per-request values the middleware hands to routes.
import type { Partner } from '../db/queries/partners.ts';

export interface AppEnv {
  Variables: {
    requestId: string;
    partner: Partner;
    holderPersonId: string;
    /** The problem code of an error response, for the access log line. */
    problemCode: string;
  };
}
