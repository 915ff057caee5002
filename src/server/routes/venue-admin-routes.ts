// Admin API for venues: create a venue with a one-time enrolment code, issue a new code (a
// replaced scanner; the old credential stops working), revoke a venue.
import { Hono } from 'hono';
import { z } from 'zod';
import { appendAudit } from '../../db/queries/audit-log.ts';
import { LOCKS, lockForTransaction } from '../../db/queries/locks.ts';
import { createVenue, findVenueById, renewEnrolment, revokeVenue } from '../../db/queries/venues.ts';
import type { VaxpassDatabase } from '../../db/store.ts';
import type { AppEnv } from '../app-env.ts';
import { unixNow, type Clock } from '../clock.ts';
import { readJsonBody } from '../json-body.ts';
import { adminAuth } from '../middleware/admin-auth.ts';
import { requestRef } from '../middleware/request-id.ts';
import { ApiError } from '../problem.ts';

/** How long an enrolment code works: long enough to post it to the venue, short enough not to linger. */
export const ENROLMENT_CODE_SECONDS = 7 * 86_400;

export const createVenueSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lowercase letters, digits and -, 2 to 63 characters'),
  name: z.string().min(1).max(100).regex(/^[^\p{Cc}\p{Cf}]*$/u, 'must not contain control characters'),
});

export function venueAdminRoutes(deps: { db: VaxpassDatabase; clock: Clock; adminToken: string | null; entryLogEnabled: boolean }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', adminAuth(deps.adminToken));
  app.use('*', async (_c, next) => {
    if (!deps.entryLogEnabled) throw new ApiError('ENTRY_LOG_DISABLED', 'this issuer publishes no entry-log policy (VAXPASS_ENTRY_LOG_POLICY)');
    await next();
  });

  const codeAnswer = (venue: { id: string; name: string }, enrolmentCode: string, now: number) => ({
    venue: { id: venue.id, name: venue.name },
    enrolmentCode,
    enrolmentExpiresAt: new Date((now + ENROLMENT_CODE_SECONDS) * 1000).toISOString(),
  });

  app.post('/', async (c) => {
    const input = await readJsonBody(c, createVenueSchema);
    const now = unixNow(deps.clock);
    const { venue, enrolmentCode } = await deps.db.transaction(async (tx) => {
      await lockForTransaction(tx, LOCKS.venue(input.id));
      if (await findVenueById(tx, input.id)) throw new ApiError('VENUE_EXISTS', `venue ${input.id} already exists; issue it a new enrolment code instead`);
      const created = await createVenue(tx, { ...input, now, enrolmentSeconds: ENROLMENT_CODE_SECONDS });
      await appendAudit(tx, { at: now, actor: 'admin', action: 'venue.created', ...requestRef(c), detail: { venue: input.id } });
      return created;
    });
    // The code is shown this once; only its hash is stored.
    return c.json(codeAnswer(venue, enrolmentCode, now), 201, { 'Cache-Control': 'no-store' });
  });

  app.post('/:id/enrolment', async (c) => {
    const id = c.req.param('id');
    const now = unixNow(deps.clock);
    const renewed = await deps.db.transaction(async (tx) => {
      const result = await renewEnrolment(tx, id, now, ENROLMENT_CODE_SECONDS);
      if (result) await appendAudit(tx, { at: now, actor: 'admin', action: 'venue.enrolled', ...requestRef(c), detail: { venue: id, renewed: 1 } });
      return result;
    });
    if (!renewed) throw new ApiError('VENUE_NOT_FOUND', 'no unrevoked venue has this id');
    return c.json(codeAnswer(renewed.venue, renewed.enrolmentCode, now), 201, { 'Cache-Control': 'no-store' });
  });

  app.post('/:id/revoke', async (c) => {
    const id = c.req.param('id');
    const now = unixNow(deps.clock);
    const revoked = await deps.db.transaction(async (tx) => {
      const done = await revokeVenue(tx, id, now);
      if (done) await appendAudit(tx, { at: now, actor: 'admin', action: 'venue.revoked', ...requestRef(c), detail: { venue: id } });
      return done;
    });
    if (!revoked && !(await findVenueById(deps.db, id))) throw new ApiError('VENUE_NOT_FOUND', 'no venue has this id');
    return c.json({ id, revoked: true });
  });
  return app;
}
