// Partner API: issue a pass for a person who signed in with the partner (their ID token is the
// authorisation), and read back passes the partner issued.
import { Hono } from 'hono';
import { z } from 'zod';
import { findPassIssuedBy } from '../../db/queries/issued-passes.ts';
import { findPersonById } from '../../db/queries/registry.ts';
import type { AppEnv } from '../app-env.ts';
import { readJsonBody } from '../json-body.ts';
import { issueForPartner } from '../issuance/partner-issuance.ts';
import type { IssuanceContext } from '../issuance/issuance-context.ts';
import { passView } from '../issuance/issued-pass-view.ts';
import { partnerAuth } from '../middleware/partner-auth.ts';
import { ApiError } from '../problem.ts';
import { requestHeader } from '../request-header.ts';
import type { RateLimiter } from '../rate-limiter.ts';
import type { PartnerKeyCache } from '../partner-key-cache.ts';
import type { AdmissionController } from '../admission.ts';
import type { Metrics } from '../metrics.ts';
import { admit } from '../middleware/admit.ts';
import { requestRef } from '../middleware/request-id.ts';

/** Fields only the issuer sets (CWT claims, pass id, timestamps): sending one is an error, not ignored. */
export const SERVER_SET_FIELDS = ['iss', 'kid', 'iat', 'nbf', 'exp', 'cti', 'passId', 'issuedAt', 'expiresAt', 'issuedBy', 'text', 'doses', 'test', 'recovery', 'exemption', 'holder'];

export const partnerPassRequestSchema = z.strictObject({
  idToken: z.string().min(1).max(8192).describe("the person's OpenID Connect ID token, issued to this partner's client id (required unless the partner is registry-trusted)").optional(),
  personId: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be a registry person id (letters, digits, . _ : -, at most 64)').optional(),
  name: z.string().min(1).max(200).optional(),
  birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD').optional(),
  type: z.enum(['vaccination', 'test', 'recovery', 'exemption']).optional(),
});

// Korean resident registration number (YYMMDD-GNNNNNN), the same shape the registry import refuses
// (src/registry/registry-record.ts). vaxpass never processes them, so a partner sending one is told
// so plainly instead of getting a 404 that suggests trying again.
const RESIDENT_REGISTRATION_NUMBER = /\d{6}\s*-?\s*[1-8]\d{6}/;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{8,255}$/;
const PASS_ID = /^[0-9a-f]{16,32}$/;

export function partnerRoutes(ctx: IssuanceContext, partnerKeys: PartnerKeyCache, limiter: RateLimiter, admission: AdmissionController, metrics: Metrics): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  // Authenticated (one indexed read) and within quota first, then a slot in the partner lane,
  // shared round-robin between partners.
  const partnerLane = admit(admission, 'partner', metrics);

  app.post('/passes', partnerAuth(ctx.db, partnerKeys, 'passes:issue', limiter), partnerLane, async (c) => {
    const key = requestHeader(c, 'idempotency-key');
    if (key === undefined) throw new ApiError('IDEMPOTENCY_KEY_MISSING', 'send an Idempotency-Key header (8 to 255 printable characters, e.g. a UUID) so retries are safe');
    if (!IDEMPOTENCY_KEY.test(key)) throw new ApiError('BAD_REQUEST', 'the Idempotency-Key must be 8 to 255 printable ASCII characters without spaces');
    const request = await readJsonBody(c, partnerPassRequestSchema, SERVER_SET_FIELDS);
    const nationalId = Object.entries(request).find(([field, value]) => field !== 'idToken' && typeof value === 'string' && RESIDENT_REGISTRATION_NUMBER.test(value));
    if (nationalId) {
      throw new ApiError('NATIONAL_ID_REFUSED', `${nationalId[0]} looks like a resident registration number; vaxpass never processes them. Identify the person by registry personId, or by name and birthDate`);
    }
    const partner = c.get('partner');
    const response = await issueForPartner(ctx, partner, key, request, requestRef(c));
    const passId = (JSON.parse(response.body) as { passId: string }).passId;
    return c.body(response.body, response.status as 201, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-store',
      Location: `/api/v1/partner/passes/${passId}`,
      ...(response.replayed ? { 'Idempotent-Replayed': 'true' } : {}),
    });
  });

  app.get('/passes/:passId', partnerAuth(ctx.db, partnerKeys, 'passes:read', limiter), partnerLane, async (c) => {
    const passId = c.req.param('passId');
    const partner = c.get('partner');
    // Object-level authorization lives in the query: only passes this partner issued are found.
    const row = PASS_ID.test(passId) ? await findPassIssuedBy(ctx.db, passId, partner.id) : null;
    const person = row ? await findPersonById(ctx.db, row.personId) : null;
    if (!row || !person) throw new ApiError('PASS_NOT_FOUND', 'this partner issued no pass with that id');
    return c.json(passView(row, { name: person.name, birthDate: person.birthDate }), 200, { 'Cache-Control': 'no-store' });
  });
  return app;
}
