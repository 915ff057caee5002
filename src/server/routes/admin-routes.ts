// Admin API: revoke passes and keys (listed from the next bundle version on), hold and release
// people (no new pass while held), manage partners.
import { Hono } from 'hono';
import { z } from 'zod';
import type { VaxpassDatabase } from '../../db/store.ts';
import { appendAudit } from '../../db/queries/audit-log.ts';
import { latestBundleVersion } from '../../db/queries/bundle-versions.ts';
import { findIssuedPass } from '../../db/queries/issued-passes.ts';
import { createPartner, findPartnerById, revokePartner, setPartnerQuota, PARTNER_SCOPES } from '../../db/queries/partners.ts';
import { LOCKS, lockForTransaction } from '../../db/queries/locks.ts';
import { findRevocation, insertRevocation, type RevocationKind } from '../../db/queries/revocations.ts';
import { deletePersonHold, findPersonHold, insertPersonHold } from '../../db/queries/person-holds.ts';
import { findPersonById } from '../../db/queries/registry.ts';
import type { AppEnv } from '../app-env.ts';
import { forgetRevokedKeys } from '../issuance/revoked-keys.ts';
import { unixNow, type Clock } from '../clock.ts';
import type { IssuerKeys } from '../issuer-keys.ts';
import { readJsonBody } from '../json-body.ts';
import { adminAuth } from '../middleware/admin-auth.ts';
import { ApiError } from '../problem.ts';
import type { BundlePublisher } from '../publication/bundle-publisher.ts';
import type { PartnerKeyCache } from '../partner-key-cache.ts';
import { requestRef, type RequestRef } from '../middleware/request-id.ts';

const reason = z.string().max(200).regex(/^[^\p{Cc}]*$/u, 'must not contain control characters').optional();
export const revokePassSchema = z.strictObject({ passId: z.string().regex(/^[0-9a-f]{16,32}$/, 'must be the hex pass id'), reason });
export const revokeKeySchema = z.strictObject({ kid: z.string().regex(/^[A-Za-z0-9_-]{11}$/, 'must be an 11-character key id'), reason });
export const holdPersonSchema = z.strictObject({ personId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be a registry person id'), reason });
export const createPartnerSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lowercase letters, digits and -, 2 to 63 characters'),
  name: z.string().min(1).max(100).regex(/^[^\p{Cc}\p{Cf}]*$/u, 'must not contain control characters'),
  scopes: z.array(z.enum(PARTNER_SCOPES)).min(1).optional(),
  quotaPerMinute: z.number().int().min(1).max(1_000_000).optional(),
  oidcClientId: z.string().regex(/^[\x21-\x7e]{1,255}$/, "the partner's client id at the identity provider (printable, no spaces)").optional(),
  registryTrusted: z.boolean().describe('issue on a bare personId without the person\'s proof (a vaccination clinic); off by default').optional(),
});

export const partnerQuotaSchema = z.strictObject({ quotaPerMinute: z.number().int().min(1).max(1_000_000) });

export function adminRoutes(deps: { db: VaxpassDatabase; keys: IssuerKeys; clock: Clock; publisher: BundlePublisher; partnerKeys: PartnerKeyCache; adminToken: string | null }): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', adminAuth(deps.adminToken));

  async function revoke(kind: RevocationKind, subject: string, why: string | undefined, ids: RequestRef) {
    const now = unixNow(deps.clock);
    const created = await deps.db.transaction(async (tx) => {
      // The version the revocation is first listed in must be the next one any process publishes.
      await lockForTransaction(tx, LOCKS.bundleVersion);
      const bundleVersion = (await latestBundleVersion(tx)) + 1;
      const inserted = await insertRevocation(tx, { kind, subject, reason: why ?? null, revokedAt: now, revokedBy: 'admin', bundleVersion });
      if (inserted) await appendAudit(tx, { at: now, actor: 'admin', action: kind === 'pass' ? 'pass.revoked' : 'key.revoked', passId: kind === 'pass' ? subject : null, ...ids, detail: { subject, bundleVersion } });
      return inserted;
    });
    deps.publisher.invalidate();
    forgetRevokedKeys(deps.db);
    const bundle = await deps.publisher.current();
    const entry = (await findRevocation(deps.db, kind, subject))!;
    return { status: created ? 201 : 200, body: { kind, subject, revokedAt: new Date(entry.revokedAt * 1000).toISOString(), bundleVersion: entry.bundleVersion, currentBundleVersion: bundle.version } } as const;
  }

  app.post('/revocations/passes', async (c) => {
    const { passId, reason: why } = await readJsonBody(c, revokePassSchema);
    if (!(await findIssuedPass(deps.db, passId))) throw new ApiError('PASS_NOT_FOUND', 'this issuer signed no pass with that id');
    const r = await revoke('pass', passId, why, requestRef(c));
    return c.json(r.body, r.status);
  });

  app.post('/revocations/keys', async (c) => {
    const { kid, reason: why } = await readJsonBody(c, revokeKeySchema);
    if (!deps.keys.current().issuerKeys.some((k) => k.kid === kid)) throw new ApiError('KEY_NOT_FOUND', 'no issuer key with that kid is in the keyring');
    const r = await revoke('key', kid, why, requestRef(c));
    return c.json(r.body, r.status);
  });

  // A hold stops the next pass for a person (fraud cases); revoke their passes separately.
  app.post('/holds', async (c) => {
    const { personId, reason: why } = await readJsonBody(c, holdPersonSchema);
    const now = unixNow(deps.clock);
    const created = await deps.db.transaction(async (tx) => {
      if (!(await findPersonById(tx, personId))) throw new ApiError('PERSON_NOT_FOUND', 'no person in the registry has this id');
      const inserted = await insertPersonHold(tx, { personId, reason: why ?? null, heldAt: now });
      if (inserted) await appendAudit(tx, { at: now, actor: 'admin', action: 'person.held', personId, ...requestRef(c) });
      return inserted;
    });
    const hold = (await findPersonHold(deps.db, personId))!;
    return c.json({ personId, held: true, heldAt: new Date(hold.heldAt * 1000).toISOString() }, created ? 201 : 200);
  });

  app.delete('/holds/:personId', async (c) => {
    const personId = c.req.param('personId');
    const now = unixNow(deps.clock);
    const lifted = await deps.db.transaction(async (tx) => {
      const deleted = await deletePersonHold(tx, personId);
      if (deleted) await appendAudit(tx, { at: now, actor: 'admin', action: 'person.released', personId, ...requestRef(c) });
      return deleted;
    });
    if (!lifted) throw new ApiError('NOT_FOUND', 'this person is not on hold');
    return c.json({ personId, held: false });
  });

  app.post('/partners', async (c) => {
    const input = await readJsonBody(c, createPartnerSchema);
    const now = unixNow(deps.clock);
    // Checked inside the transaction, under the partner id's lock: two concurrent creates of one id get 201 and 409, never a 500.
    const { partner, apiKey } = await deps.db.transaction(async (tx) => {
      await lockForTransaction(tx, LOCKS.partner(input.id));
      if (await findPartnerById(tx, input.id)) throw new ApiError('PARTNER_EXISTS', `partner ${input.id} already exists; revoke its key or choose another id`);
      const created = await createPartner(tx, { ...input, now });
      await appendAudit(tx, { at: now, actor: 'admin', action: 'partner.created', ...requestRef(c), detail: { partner: input.id, oidcClientId: created.partner.oidcClientId ?? '', registryTrusted: created.partner.registryTrusted ? 1 : 0 } });
      return created;
    });
    // The key is shown this once; only its hash is stored.
    return c.json({ partner, apiKey }, 201, { 'Cache-Control': 'no-store' });
  });

  // Raising (or lowering) a quota: takes effect on the partner's next request here, within a second on
  // every other instance (partner-key-cache.ts).
  app.post('/partners/:id/quota', async (c) => {
    const id = c.req.param('id');
    const { quotaPerMinute } = await readJsonBody(c, partnerQuotaSchema);
    const now = unixNow(deps.clock);
    await deps.db.transaction(async (tx) => {
      const partner = await findPartnerById(tx, id);
      if (!partner) throw new ApiError('NOT_FOUND', 'no such partner');
      await setPartnerQuota(tx, id, quotaPerMinute);
      await appendAudit(tx, { at: now, actor: 'admin', action: 'partner.quota', ...requestRef(c), detail: { partner: id, from: partner.quotaPerMinute, to: quotaPerMinute } });
    });
    // Committed: this instance's next request of the partner reads the new quota (others within a second).
    deps.partnerKeys.forgetAll();
    return c.json({ id, quotaPerMinute });
  });

  app.post('/partners/:id/revoke', async (c) => {
    const id = c.req.param('id');
    const now = unixNow(deps.clock);
    const revokedAt = await deps.db.transaction(async (tx) => {
      const partner = await findPartnerById(tx, id);
      if (!partner) throw new ApiError('NOT_FOUND', 'no such partner');
      // Revoking again keeps the first revocation time (and writes no second audit entry).
      if (partner.revokedAt !== null) return partner.revokedAt;
      await revokePartner(tx, id, now);
      await appendAudit(tx, { at: now, actor: 'admin', action: 'partner.revoked', ...requestRef(c), detail: { partner: id } });
      return now;
    });
    // Committed: refused on this instance from the next request (on others within a second).
    deps.partnerKeys.forgetAll();
    return c.json({ id, revoked: true, revokedAt: new Date(revokedAt * 1000).toISOString() });
  });
  return app;
}
