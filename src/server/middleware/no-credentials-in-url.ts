// Credentials in a URL end up in proxy logs, browser history and Referer headers. Requests that
// carry one in the query string are refused (and the value is never logged), even on endpoints
// that need no credentials, so the mistake surfaces at once.
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { ApiError } from '../problem.ts';

const CREDENTIAL_PARAMETERS = new Set(['api_key', 'apikey', 'api-key', 'key', 'access_token', 'id_token', 'token', 'admin_token', 'authorization', 'auth']);

// Whatever the parameter is called: a partner API key (vxp_…) or a JWT (an ID token; its header is
// base64url JSON, so it starts with "eyJ").
const LOOKS_LIKE_CREDENTIAL = /^(?:vxp_|eyJ[A-Za-z0-9_-]*\.eyJ)/;

export function noCredentialsInUrl(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const url = c.req.url;
    const q = url.indexOf('?');
    if (q >= 0) {
      for (const [name, value] of new URLSearchParams(url.slice(q + 1))) {
        if (CREDENTIAL_PARAMETERS.has(name.toLowerCase()) || LOOKS_LIKE_CREDENTIAL.test(value)) {
          throw new ApiError('CREDENTIALS_IN_URL', `send credentials in the Authorization header, never in the URL (query parameter "${name.slice(0, 40)}"); treat that credential as leaked and rotate it`);
        }
      }
    }
    await next();
  };
}
