// The venue entry log's part of the OpenAPI description (openapi.ts spreads it in), kept apart so
// the entry log's routes and their description change together.
import { z } from 'zod';
import { createVenueSchema } from './routes/venue-admin-routes.ts';
import { enrolmentSchema, entryBatchSchema, MAX_BATCH_BYTES, MAX_BATCH_RECORDS } from './routes/venue-routes.ts';

const problem = { $ref: '#/components/responses/Problem' };
const json = (schema: object) => ({ 'application/json': { schema } });
const body = (schema: z.ZodType) => {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as { $schema?: string };
  return { required: true, content: json(rest) };
};
const idParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const codeAnswer = json({ type: 'object', required: ['venue', 'enrolmentCode', 'enrolmentExpiresAt'], properties: { venue: { type: 'object' }, enrolmentCode: { type: 'string', description: 'One-time code (vxe_…), shown only here.' }, enrolmentExpiresAt: { type: 'string', format: 'date-time' } } });

export const entryLogTag = { name: 'venue', description: 'Venue entry log (docs/entry-log.md): enrolment with a one-time code, then uploads of records sealed to the health authority. The issuer stores ciphertext only and has no route that returns it.' };

export const venueCredentialScheme = { type: 'http', scheme: 'bearer', description: 'Venue credential (vxv_…) from the enrolment; stored hashed. Never in the URL.' };

export function entryLogPaths(): Record<string, object> {
  return {
    '/api/v1/venues/enrolment': {
      post: { tags: ['venue'], summary: 'Exchange a one-time enrolment code for the venue credential (shown only in this response)', requestBody: body(enrolmentSchema), responses: { '201': { description: '{venueId, name, credential}.' }, '400': problem, '403': problem, '404': problem, '413': problem, '415': problem, '422': problem } },
    },
    '/api/v1/venues/{venueId}/entry-batches': {
      post: {
        tags: ['venue'],
        summary: 'Upload a batch of sealed entry records',
        description: `At most ${MAX_BATCH_RECORDS} records and ${MAX_BATCH_BYTES} bytes. Idempotent by batchId: the same batch again is answered 200 with Idempotent-Replayed and stored once; other records under a used id are 409 BATCH_ID_REUSED. The credential must belong to {venueId} (403 VENUE_MISMATCH). Shares admission control (503 OVERLOADED with Retry-After) and the group commit with issuance.`,
        security: [{ venueCredential: [] }],
        parameters: [idParam('venueId')],
        requestBody: body(entryBatchSchema),
        responses: { '201': { description: 'Stored.' }, '200': { description: 'Already stored (a retry).' }, '400': problem, '401': problem, '403': problem, '404': problem, '409': problem, '413': problem, '415': problem, '422': problem, '429': { $ref: '#/components/responses/RateLimited' }, '503': problem },
      },
    },
    '/api/v1/admin/venues': {
      post: { tags: ['admin'], summary: 'Create a venue and its one-time enrolment code (valid 7 days, shown only here)', security: [{ adminToken: [] }], requestBody: body(createVenueSchema), responses: { '201': { description: 'Venue and enrolment code.', content: codeAnswer }, '400': problem, '401': problem, '404': problem, '409': problem, '413': problem, '415': problem, '422': problem, '503': problem } },
    },
    '/api/v1/admin/venues/{id}/enrolment': {
      post: { tags: ['admin'], summary: "A new enrolment code for a venue (a replaced scanner); the venue's current credential stops working", security: [{ adminToken: [] }], parameters: [idParam('id')], responses: { '201': { description: 'New enrolment code.', content: codeAnswer }, '401': problem, '404': problem, '503': problem } },
    },
    '/api/v1/admin/venues/{id}/revoke': {
      post: { tags: ['admin'], summary: "Revoke a venue: its credential stops working; its uploaded records stay until retention removes them", security: [{ adminToken: [] }], parameters: [idParam('id')], responses: { '200': { description: 'Revoked.' }, '401': problem, '404': problem, '503': problem } },
    },
  };
}
