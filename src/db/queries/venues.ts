// Venues that keep an entry log. The one-time enrolment code and the venue credential are random
// 256-bit secrets shown once; only their SHA-256 is stored (as partner API keys are), so a copy of
// the database neither enrols a scanner nor uploads as a venue.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { affectedRows, type Queryable } from '../store.ts';
import type { venues } from '../schema.ts';

/** Recognisable prefixes, so leaked secrets are easy to find with secret scanners. */
export const ENROLMENT_CODE_PREFIX = 'vxe_';
export const VENUE_CREDENTIAL_PREFIX = 'vxv_';

export interface Venue {
  readonly id: string;
  readonly name: string;
  readonly enrolledAt: number | null;
  readonly revokedAt: number | null;
}

const sha256 = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');
const secret = (prefix: string) => prefix + randomBytes(32).toString('base64url');

export async function createVenue(db: Queryable, input: { id: string; name: string; now: number; enrolmentSeconds: number }): Promise<{ venue: Venue; enrolmentCode: string }> {
  const enrolmentCode = secret(ENROLMENT_CODE_PREFIX);
  await db.orm.insert(db.t.venues).values({
    id: input.id,
    name: input.name,
    enrolmentCodeHash: sha256(enrolmentCode),
    enrolmentExpiresAt: input.now + input.enrolmentSeconds,
    credentialHash: null,
    createdAt: input.now,
    enrolledAt: null,
    revokedAt: null,
  });
  return { venue: { id: input.id, name: input.name, enrolledAt: null, revokedAt: null }, enrolmentCode };
}

export async function findVenueById(db: Queryable, id: string): Promise<Venue | null> {
  const [row] = await db.orm.select().from(db.t.venues).where(eq(db.t.venues.id, id)).limit(1);
  return row ? toVenue(row) : null;
}

/**
 * Exchanges a one-time enrolment code for a new venue credential. The code works once and until it
 * expires; the update is conditional on the code's hash, so two scanners racing with one code
 * cannot both get a credential.
 */
export async function enrolVenue(db: Queryable, code: string, now: number): Promise<{ venue: Venue; credential: string } | null> {
  const { venues: v } = db.t;
  const codeHash = sha256(code);
  const [row] = await db.orm.select().from(v).where(eq(v.enrolmentCodeHash, codeHash)).limit(1);
  if (!row || row.revokedAt !== null || (row.enrolmentExpiresAt ?? 0) < now) return null;
  const credential = secret(VENUE_CREDENTIAL_PREFIX);
  const updated = await db.orm
    .update(v)
    .set({ enrolmentCodeHash: null, enrolmentExpiresAt: null, credentialHash: sha256(credential), enrolledAt: now })
    .where(and(eq(v.id, row.id), eq(v.enrolmentCodeHash, codeHash), isNull(v.revokedAt)));
  if (affectedRows(updated) !== 1) return null;
  return { venue: toVenue({ ...row, enrolledAt: now }), credential };
}

/** The enrolled, unrevoked venue holding this credential, or null. The stored hash is compared in constant time. */
export async function findVenueByCredential(db: Queryable, credential: string): Promise<Venue | null> {
  const hash = sha256(credential);
  const [row] = await db.orm.select().from(db.t.venues).where(eq(db.t.venues.credentialHash, hash)).limit(1);
  if (!row?.credentialHash || !timingSafeEqual(Buffer.from(row.credentialHash, 'hex'), Buffer.from(hash, 'hex'))) return null;
  return toVenue(row);
}

/** A new one-time code for an unrevoked venue; its current credential stops working (a replaced or lost scanner). */
export async function renewEnrolment(db: Queryable, id: string, now: number, enrolmentSeconds: number): Promise<{ venue: Venue; enrolmentCode: string } | null> {
  const { venues: v } = db.t;
  const enrolmentCode = secret(ENROLMENT_CODE_PREFIX);
  const updated = await db.orm
    .update(v)
    .set({ enrolmentCodeHash: sha256(enrolmentCode), enrolmentExpiresAt: now + enrolmentSeconds, credentialHash: null, enrolledAt: null })
    .where(and(eq(v.id, id), isNull(v.revokedAt)));
  if (affectedRows(updated) !== 1) return null;
  const venue = await findVenueById(db, id);
  return venue ? { venue, enrolmentCode } : null;
}

export async function revokeVenue(db: Queryable, id: string, now: number): Promise<boolean> {
  const { venues: v } = db.t;
  return affectedRows(await db.orm.update(v).set({ revokedAt: now }).where(and(eq(v.id, id), isNull(v.revokedAt)))) > 0;
}

function toVenue(row: typeof venues.$inferSelect): Venue {
  return { id: row.id, name: row.name, enrolledAt: row.enrolledAt ?? null, revokedAt: row.revokedAt ?? null };
}
