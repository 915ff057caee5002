// The OpenAPI 3.1 description of the issuer API, written by hand next to the routes it
// describes (test/server/surface.test.ts checks every route is in it and vice versa). Request
// bodies are generated from the same zod schemas the routes validate with, so they cannot drift.
import { z } from 'zod';
import { PROBLEMS } from './problem.ts';
import { createPartnerSchema, holdPersonSchema, partnerQuotaSchema, revokeKeySchema, revokePassSchema } from './routes/admin-routes.ts';
import { partnerPassRequestSchema } from './routes/partner-routes.ts';
import { entryLogPaths, entryLogTag, venueCredentialScheme } from './openapi-entry-log.ts';

const problem = { $ref: '#/components/responses/Problem' };
const json = (schema: object) => ({ 'application/json': { schema } });

const passView = {
  type: 'object',
  required: ['passId', 'type', 'text', 'issuedAt', 'expiresAt', 'kid', 'holder'],
  properties: {
    passId: { type: 'string', pattern: '^[0-9a-f]{16,32}$', description: 'Hex pass id (the CWT cti).' },
    type: { type: 'string', enum: ['vaccination', 'test', 'recovery', 'exemption'] },
    text: { type: 'string', description: 'QR text ("VP1:" + base45). Render the QR code from it.' },
    issuedAt: { type: 'string', format: 'date-time' },
    expiresAt: { type: 'string', format: 'date-time' },
    kid: { type: 'string', description: 'Issuer key id (base64url, 8 bytes).' },
    holder: { type: 'object', required: ['name', 'birthDate'], properties: { name: { type: 'string' }, birthDate: { type: 'string', format: 'date' } } },
  },
};

const bearer = (scheme: string) => [{ [scheme]: [] }];

/** JSON Schema (2020-12, as OpenAPI 3.1 uses) of a route's zod body schema, with per-field notes added. */
function bodySchema(schema: z.ZodType, notes: Readonly<Record<string, object>> = {}): object {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, { io: 'input' }) as { $schema?: string; properties?: Record<string, object> };
  for (const [field, note] of Object.entries(notes)) json.properties = { ...json.properties, [field]: { ...json.properties?.[field], ...note } };
  return json;
}

export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: 'vaxpass issuer API',
      version: '1.0.0',
      description:
        'Issues signed vaccination passes from the immunization registry and publishes the signed trust bundle that venue scanners verify passes against offline. ' +
        'Errors are RFC 9457 problem details (application/problem+json) with a stable `code`. Request bodies are strict JSON: duplicate keys, `__proto__`, unknown fields and issuer-set fields are rejected.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/' }],
    tags: [
      { name: 'holder', description: "For the holder app: sign-in through the issuer (authorization code + PKCE at the configured OpenID provider), then an HttpOnly session cookie. Other clients may send the person's ID token as a bearer token." },
      { name: 'partner', description: 'For partner platforms (API key).' },
      { name: 'publication', description: 'Public, cacheable: what scanners and CDNs fetch.' },
      { name: 'admin', description: 'Operator actions (admin token).' },
      { name: 'operations', description: 'Health and metrics.' },
      entryLogTag,
    ],
    paths: {
      '/api/v1/holder/passes': {
        get: {
          tags: ['holder'],
          summary: "The signed-in holder's current passes",
          description: 'Passes are issued from registry facts on the server clock. A pass already issued for unchanged facts is returned again, so the ETag is stable and a refresh with If-None-Match costs a 304.',
          security: [{ holderSession: [] }, { holderIdToken: [] }],
          parameters: [{ name: 'If-None-Match', in: 'header', schema: { type: 'string' } }],
          responses: {
            '200': { description: 'Passes (possibly empty).', headers: { ETag: { schema: { type: 'string' } } }, content: json({ type: 'object', required: ['passes'], properties: { passes: { type: 'array', items: passView } } }) },
            '304': { description: 'Unchanged since the ETag sent in If-None-Match.' },
            '401': problem,
            '422': problem,
            '429': { $ref: '#/components/responses/RateLimited' },
            '503': problem,
          },
        },
      },
      '/api/v1/holder/session/login': {
        get: {
          tags: ['holder'],
          summary: 'Start sign-in: redirect to the identity provider (code + PKCE)',
          description: 'Sets a short-lived HttpOnly sign-in cookie holding nothing but a random id; the PKCE verifier, state and nonce stay on the server.',
          responses: { '302': { description: "To the provider's authorization endpoint." }, '503': problem },
        },
      },
      '/api/v1/holder/session/callback': {
        get: {
          tags: ['holder'],
          summary: "The provider's redirect back",
          description: 'Exchanges the code (PKCE, state, nonce and ID token checked), creates the session, sets the HttpOnly SameSite=Strict session cookie (Secure beyond localhost) and redirects to /holder/. Failures redirect to /holder/?signIn=failed or ?signIn=expired.',
          responses: { '303': { description: 'To the holder app.' } },
        },
      },
      '/api/v1/holder/session': {
        get: {
          tags: ['holder'],
          summary: 'Whether this browser is signed in, and its CSRF token',
          responses: { '200': { description: 'Session state.', content: json({ type: 'object', required: ['signedIn'], properties: { signedIn: { type: 'boolean' }, signInAvailable: { type: 'boolean' }, csrfToken: { type: 'string' }, expiresAt: { type: 'integer', description: 'Unix seconds.' } } }) } },
        },
      },
      '/api/v1/holder/session/logout': {
        post: {
          tags: ['holder'],
          summary: 'Sign out: ends the session on the server',
          security: [{ holderSession: [] }],
          parameters: [{ name: 'X-CSRF-Token', in: 'header', required: true, schema: { type: 'string' }, description: 'The csrfToken from GET /api/v1/holder/session.' }],
          responses: { '204': { description: 'Signed out (also when there was no session).' }, '403': problem },
        },
      },
      '/api/v1/partner/passes': {
        post: {
          tags: ['partner'],
          summary: 'Issue a pass for a person who signed in with the partner',
          description:
            "Send `idToken`: the person's ID token from the configured OpenID provider, issued to this partner's registered client id (`aud`, or `azp`), from a sign-in within the allowed window (`auth_time`, else `iat`), used for one issuance (a retry with the same Idempotency-Key is the same use). The pass is for that token's person; `personId`, `name` and `birthDate`, when sent, must agree with it (422 PERSON_DETAILS_MISMATCH). " +
            'Until the proof is verified, every refusal is the same 403 PERSON_PROOF_REJECTED, whoever the request names. ' +
            'Registry-trusted partners only (off by default) may omit `idToken` and identify the person by `personId`, or by `name` and `birthDate` together (exact match after Unicode NFC): no match → 404 PERSON_NOT_FOUND; more than one → 409 AMBIGUOUS_PERSON. ' +
            'The issuer sets iss, kid, iat, nbf, exp and the pass id; sending them is 422 SERVER_SET_FIELD.',
          security: bearer('partnerApiKey'),
          parameters: [{ name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string', minLength: 8, maxLength: 255 }, description: 'Same key and body → the same response, replayed (Idempotent-Replayed: true). Same key, different body → 422.' }],
          requestBody: {
            required: true,
            content: json(
              bodySchema(partnerPassRequestSchema, {
                personId: { description: "Registry person id; with idToken it must be the token's person." },
                birthDate: { format: 'date', description: 'With name: identifies the person (exact match).' },
                type: { default: 'vaccination' },
              }),
            ),
          },
          responses: { '201': { description: 'Issued (or replayed).', content: json(passView) }, '400': problem, '401': problem, '403': problem, '404': problem, '409': problem, '413': problem, '415': problem, '422': problem, '429': { $ref: '#/components/responses/RateLimited' }, '503': problem },
        },
      },
      '/api/v1/partner/passes/{passId}': {
        get: {
          tags: ['partner'],
          summary: 'A pass this partner issued',
          description: 'Passes issued by anyone else are 404, exactly like passes that do not exist.',
          security: bearer('partnerApiKey'),
          parameters: [{ name: 'passId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'The pass.', content: json(passView) }, '401': problem, '404': problem },
        },
      },
      '/api/v1/trust-bundle': {
        get: {
          tags: ['publication'],
          summary: 'The current signed trust bundle (compact JWS)',
          parameters: [{ name: 'If-None-Match', in: 'header', schema: { type: 'string' } }],
          responses: { '200': { description: 'Bundle; Cache-Control: public, max-age=300, stale-while-revalidate=86400.', content: { 'application/jose': { schema: { type: 'string' } } } }, '304': { description: 'Unchanged.' }, '503': problem },
        },
      },
      '/api/v1/trust-bundle/revocations': {
        get: {
          tags: ['publication'],
          summary: 'Signed revocation delta since a bundle version',
          description: 'Payload: {format: "vaxpass-revocations/2", fromVersion, toVersion, issuedAt, revokedPassPrefixes, revokedKeys}, signed like the bundle (typ vaxpass-revocations+jws); revokedPassPrefixes is coded as in the bundle (docs/pass-format.md §6.4).',
          parameters: [{ name: 'since', in: 'query', required: true, schema: { type: 'integer', minimum: 0 } }],
          responses: { '200': { description: 'Delta.', content: { 'application/jose': { schema: { type: 'string' } } } }, '400': problem, '503': problem },
        },
      },
      '/.well-known/jwks.json': { get: { tags: ['publication'], summary: 'Issuer public keys (JWKS, OKP Ed25519)', responses: { '200': { description: 'JWKS.', content: json({ type: 'object' }) } } } },
      '/api/v1/trust-root': { get: { tags: ['publication'], summary: 'Root public key (for the development scanner; production scanners embed it)', responses: { '200': { description: 'Root key.', content: json({ type: 'object' }) } } } },
      '/api/v1/admin/revocations/passes': {
        post: { tags: ['admin'], summary: 'Revoke a pass', security: bearer('adminToken'), requestBody: { required: true, content: json(bodySchema(revokePassSchema)) }, responses: { '201': { description: 'Revoked; listed from bundleVersion on.' }, '200': { description: 'Already revoked.' }, '400': problem, '401': problem, '404': problem, '413': problem, '415': problem, '422': problem, '503': problem } },
      },
      '/api/v1/admin/revocations/keys': {
        post: { tags: ['admin'], summary: 'Revoke an issuer key', security: bearer('adminToken'), requestBody: { required: true, content: json(bodySchema(revokeKeySchema)) }, responses: { '201': { description: 'Revoked.' }, '200': { description: 'Already revoked.' }, '400': problem, '401': problem, '404': problem, '413': problem, '415': problem, '422': problem, '503': problem } },
      },
      '/api/v1/admin/holds': {
        post: { tags: ['admin'], summary: 'Hold a person: no new pass for them from any partner or the holder app until lifted (fraud cases)', security: bearer('adminToken'), requestBody: { required: true, content: json(bodySchema(holdPersonSchema)) }, responses: { '201': { description: 'Held.' }, '200': { description: 'Already held (the first heldAt).' }, '400': problem, '401': problem, '404': problem, '413': problem, '415': problem, '422': problem, '503': problem } },
      },
      '/api/v1/admin/holds/{personId}': {
        delete: { tags: ['admin'], summary: 'Lift a hold', security: bearer('adminToken'), parameters: [{ name: 'personId', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: 'Lifted.' }, '401': problem, '404': problem, '503': problem } },
      },
      '/api/v1/admin/partners': {
        post: { tags: ['admin'], summary: 'Create a partner; the API key is in this response only', security: bearer('adminToken'), requestBody: { required: true, content: json(bodySchema(createPartnerSchema, { scopes: { default: ['passes:issue', 'passes:read'] }, quotaPerMinute: { default: 600 } })) }, responses: { '201': { description: 'Partner and its API key.' }, '400': problem, '401': problem, '409': problem, '413': problem, '415': problem, '422': problem, '503': problem } },
      },
      '/api/v1/admin/partners/{id}/quota': {
        post: { tags: ['admin'], summary: "Set a partner's quota (requests per minute, bursts of the same size); effective on its next request", security: bearer('adminToken'), parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], requestBody: { required: true, content: json(bodySchema(partnerQuotaSchema)) }, responses: { '200': { description: 'The new quota.' }, '400': problem, '401': problem, '404': problem, '413': problem, '415': problem, '422': problem, '503': problem } },
      },
      '/api/v1/admin/partners/{id}/revoke': {
        post: { tags: ['admin'], summary: "Revoke a partner's API key", security: bearer('adminToken'), parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { '200': { description: 'Revoked (again: the first revokedAt).', content: json({ type: 'object', required: ['id', 'revoked', 'revokedAt'], properties: { id: { type: 'string' }, revoked: { const: true }, revokedAt: { type: 'string', format: 'date-time' } } }) }, '401': problem, '404': problem, '503': problem } },
      },
      '/livez': { get: { tags: ['operations'], summary: 'Liveness', responses: { '200': { description: 'Alive.' } } } },
      '/readyz': { get: { tags: ['operations'], summary: 'Readiness (database, bundle-signer certificate)', responses: { '200': { description: 'Ready: {status: "ready", issuance: "available" | "unavailable"}. No signing key does not make the instance unready: the bundle must still be served.' }, '503': problem } } },
      '/metrics': { get: { tags: ['operations'], summary: 'Prometheus metrics', responses: { '200': { description: 'Text format 0.0.4.' } } } },
      '/openapi.json': { get: { tags: ['operations'], summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1.' } } } },
      '/docs': { get: { tags: ['operations'], summary: 'API documentation page (works offline)', responses: { '200': { description: 'HTML.' } } } },
      ...entryLogPaths(),
    },
    components: {
      securitySchemes: {
        holderSession: { type: 'apiKey', in: 'cookie', name: 'vaxpass_session', description: 'Set by the sign-in callback; HttpOnly, SameSite=Strict.' },
        holderIdToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'OpenID Connect ID token for the holder client id; the configured person claim (default sub) = registry person id.' },
        partnerApiKey: { type: 'http', scheme: 'bearer', description: 'Partner API key (vxp_…). Never in the URL.' },
        adminToken: { type: 'http', scheme: 'bearer', description: 'VAXPASS_ADMIN_TOKEN.' },
        venueCredential: venueCredentialScheme,
      },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'code'],
          properties: { type: { type: 'string', format: 'uri' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, code: { type: 'string', enum: Object.keys(PROBLEMS) }, instance: { type: 'string' } },
        },
        Pass: passView,
      },
      responses: {
        Problem: { description: 'RFC 9457 problem details.', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
        RateLimited: { description: 'Quota used up.', headers: { 'Retry-After': { schema: { type: 'integer' } } }, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
      },
    },
  };
}
