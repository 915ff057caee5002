// Venue entry log, venue side: a scanner exchanges its one-time enrolment code for a venue
// credential, then uploads batches of sealed records. The issuer stores ciphertext with the venue
// and a day and can read nothing; uploads share admission control and group commit with issuance.
import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import type { EntryLogPolicy } from '../../core/entry-log.ts';
import { MAX_SEALED_RECORD_CHARS } from '../../core/entry-log.ts';
import { appendAudit } from '../../db/queries/audit-log.ts';
import { storeEntryBatch } from '../../db/queries/entry-batches.ts';
import { enrolVenue } from '../../db/queries/venues.ts';
import type { VaxpassDatabase } from '../../db/store.ts';
import type { AdmissionController } from '../admission.ts';
import type { AppEnv } from '../app-env.ts';
import { unixNow, type Clock } from '../clock.ts';
import { readJsonBody } from '../json-body.ts';
import type { Metrics } from '../metrics.ts';
import { admit } from '../middleware/admit.ts';
import { requestRef } from '../middleware/request-id.ts';
import { venueAuth } from '../middleware/venue-auth.ts';
import { ApiError } from '../problem.ts';
import type { RateLimiter } from '../rate-limiter.ts';
import { limitRequestBody } from '../request-body.ts';

/** Records per batch: a few minutes of a busy entrance. */
export const MAX_BATCH_RECORDS = 500;
/** Bytes per upload: 500 records of about 200 bytes each, with room for JSON. */
export const MAX_BATCH_BYTES = 256 * 1024;
/** The path the general body limit leaves to this route's own, larger limit. */
export const ENTRY_BATCH_PATH = /^\/api\/v1\/venues\/[^/]+\/entry-batches$/;

const b64 = /^[A-Za-z0-9_-]+$/;
const sealedRecord = z.strictObject({
  kid: z.string().regex(/^[A-Za-z0-9_-]{11}$/, 'must be an 11-character authority key id'),
  enc: z.string().length(43).regex(b64, 'must be base64url'),
  ct: z.string().min(22).max(MAX_SEALED_RECORD_CHARS).regex(b64, 'must be base64url'),
});
export const entryBatchSchema = z.strictObject({
  batchId: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'must be 16 to 64 base64url characters, chosen at random by the scanner'),
  oldestDay: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be YYYY-MM-DD (UTC)').describe("the UTC day of the batch's oldest record: the batch is deleted when that record's retention ends").optional(),
  records: z.array(sealedRecord).min(1),
});
export const enrolmentSchema = z.strictObject({ enrolmentCode: z.string().regex(/^vxe_[A-Za-z0-9_-]{43}$/, 'must be the enrolment code the issuer gave the venue') });

const DAY = 86_400;

export function venueRoutes(deps: { db: VaxpassDatabase; clock: Clock; entryLog: EntryLogPolicy | null; limiter: RateLimiter; admission: AdmissionController; metrics: Metrics }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const enabled = () => {
    if (!deps.entryLog) throw new ApiError('ENTRY_LOG_DISABLED', 'this issuer publishes no entry-log policy (VAXPASS_ENTRY_LOG_POLICY)');
    return deps.entryLog;
  };

  app.post('/enrolment', async (c) => {
    enabled();
    const { enrolmentCode } = await readJsonBody(c, enrolmentSchema);
    const now = unixNow(deps.clock);
    const enrolled = await deps.db.transaction(async (tx) => {
      const result = await enrolVenue(tx, enrolmentCode, now);
      if (result) await appendAudit(tx, { at: now, actor: `venue:${result.venue.id}`, action: 'venue.enrolled', ...requestRef(c), detail: { venue: result.venue.id } });
      return result;
    });
    if (!enrolled) throw new ApiError('ENROLMENT_CODE_INVALID', 'the enrolment code is unknown, already used or expired; ask the issuer for a new one');
    // The credential is shown this once; only its hash is stored.
    return c.json({ venueId: enrolled.venue.id, name: enrolled.venue.name, credential: enrolled.credential }, 201, { 'Cache-Control': 'no-store' });
  });

  const limitBatch = limitRequestBody({ maxBytes: MAX_BATCH_BYTES, tooLarge: () => new ApiError('PAYLOAD_TOO_LARGE', `an entry batch is at most ${MAX_BATCH_BYTES} bytes; send fewer records per batch`) });
  // Bulk uploads use the partner lane (holders keep their reserved slots), each venue its own round-robin queue.
  const uploadLane = admit(deps.admission, 'partner', deps.metrics, (c) => `venue:${c.get('venue').id}`);

  app.post('/:venueId/entry-batches', limitBatch, venueAuth(deps.db, deps.limiter), uploadLane, async (c) => {
    const policy = enabled();
    const batch = await readJsonBody(c, entryBatchSchema);
    if (batch.records.length > MAX_BATCH_RECORDS) throw new ApiError('BATCH_TOO_LARGE', `a batch holds at most ${MAX_BATCH_RECORDS} records, this one ${batch.records.length}; split it`);
    const known = new Set(policy.authorityKeys.map((k) => k.kid));
    const stranger = batch.records.find((r) => !known.has(r.kid));
    if (stranger) throw new ApiError('VALIDATION_FAILED', `authority key ${stranger.kid} is not in the published entry-log policy; sync the trust bundle`);
    const now = unixNow(deps.clock);
    const today = Math.floor(now / DAY);
    const claimed = batch.oldestDay === undefined ? today : Math.floor(Date.parse(`${batch.oldestDay}T00:00:00Z`) / 1000 / DAY);
    if (!Number.isFinite(claimed)) throw new ApiError('VALIDATION_FAILED', 'oldestDay is not a calendar date');
    // The venue's own day can only bring deletion forward, never put it off.
    const day = Math.min(today, claimed);
    const records = JSON.stringify(batch.records);
    const venueId = c.get('venue').id;
    const outcome = await deps.db.transaction((tx) =>
      storeEntryBatch(tx, { venueId, batchId: batch.batchId, day, recordCount: batch.records.length, digest: createHash('sha256').update(records).digest('hex'), records }),
    );
    if (outcome === 'conflict') throw new ApiError('BATCH_ID_REUSED', 'this venue already uploaded a different batch under this id; choose a new random batch id');
    const body = { batchId: batch.batchId, records: batch.records.length, stored: outcome === 'stored' };
    return outcome === 'stored' ? c.json(body, 201, { 'Cache-Control': 'no-store' }) : c.json(body, 200, { 'Cache-Control': 'no-store', 'Idempotent-Replayed': 'true' });
  });
  return app;
}
