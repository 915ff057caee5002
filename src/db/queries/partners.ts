// Partner platforms and their API keys. Only the SHA-256 of a key is stored; the key is returned
// once by createPartner and cannot be recovered afterwards.
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { affectedRows, type Queryable } from '../store.ts';
import type { partners } from '../schema.ts';
import { prepared } from './prepared.ts';

export const PARTNER_SCOPES = ['passes:issue', 'passes:read'] as const;
export type PartnerScope = (typeof PARTNER_SCOPES)[number];

/** API keys carry a recognisable prefix so leaked keys are easy to find with secret scanners. */
export const API_KEY_PREFIX = 'vxp_';

export interface Partner {
  readonly id: string;
  readonly name: string;
  readonly scopes: readonly PartnerScope[];
  readonly quotaPerMinute: number;
  readonly revokedAt: number | null;
  /** Client id at the identity provider; a person's ID token must be issued to it. Null: no proof can be accepted. */
  readonly oidcClientId: string | null;
  /** May issue on a bare personId without the person's proof. Off by default; every such issuance is audited. */
  readonly registryTrusted: boolean;
}

export function hashApiKey(apiKey: string): string {
  // One-shot hash(): far cheaper than createHash() for one short value, on every partner request.
  return hash('sha256', apiKey, 'hex');
}

export interface NewPartner {
  readonly id: string;
  readonly name: string;
  readonly scopes?: readonly PartnerScope[];
  readonly quotaPerMinute?: number;
  readonly now: number;
  /** Tests may inject a key; otherwise 256 random bits. */
  readonly apiKey?: string;
  readonly oidcClientId?: string | null;
  readonly registryTrusted?: boolean;
}

export async function createPartner(db: Queryable, input: NewPartner): Promise<{ partner: Partner; apiKey: string }> {
  const apiKey = input.apiKey ?? API_KEY_PREFIX + randomBytes(32).toString('base64url');
  const scopes = [...(input.scopes ?? PARTNER_SCOPES)];
  const quotaPerMinute = input.quotaPerMinute ?? 600;
  const oidcClientId = input.oidcClientId ?? null;
  const registryTrusted = input.registryTrusted ?? false;
  await db.orm
    .insert(db.t.partners)
    .values({ id: input.id, name: input.name, apiKeyHash: hashApiKey(apiKey), scopes: JSON.stringify(scopes), quotaPerMinute, createdAt: input.now, revokedAt: null, oidcClientId, registryTrusted: registryTrusted ? 1 : 0 });
  return { partner: { id: input.id, name: input.name, scopes, quotaPerMinute, revokedAt: null, oidcClientId, registryTrusted }, apiKey };
}

/** The partner holding this API key, or null. The stored hash is compared in constant time. */
export async function findPartnerByApiKey(db: Queryable, apiKey: string): Promise<Partner | null> {
  return findPartnerByKeyHash(db, hashApiKey(apiKey));
}

/** The partner whose API key has this SHA-256 (hex, from hashApiKey), or null. */
export async function findPartnerByKeyHash(db: Queryable, keyHash: string): Promise<Partner | null> {
  const query = prepared(db, 'findPartnerByApiKey', ({ orm, t }) => orm.select().from(t.partners).where(eq(t.partners.apiKeyHash, sql.placeholder('hash'))).prepare());
  const row = await query.get({ hash: keyHash });
  if (!row || !timingSafeEqual(Buffer.from(row.apiKeyHash, 'hex'), Buffer.from(keyHash, 'hex'))) return null;
  return toPartner(row);
}

export async function findPartnerById(db: Queryable, id: string): Promise<Partner | null> {
  const { partners } = db.t;
  const [row] = await db.orm.select().from(partners).where(eq(partners.id, id)).limit(1);
  return row ? toPartner(row) : null;
}

/** The partner registered with this client id at the identity provider (the dev provider's client lookup). */
export async function findPartnerByClientId(db: Queryable, oidcClientId: string): Promise<Partner | null> {
  const { partners } = db.t;
  const [row] = await db.orm.select().from(partners).where(eq(partners.oidcClientId, oidcClientId)).limit(1);
  return row ? toPartner(row) : null;
}

/** Sets the partner's client id at the identity provider (the demo partner of an older database gets one at start). */
export async function setPartnerClientId(db: Queryable, id: string, oidcClientId: string): Promise<boolean> {
  const { partners } = db.t;
  return affectedRows(await db.orm.update(partners).set({ oidcClientId }).where(eq(partners.id, id))) > 0;
}

/** A partner's quota, read with the key: effective on every instance within a second (src/server/partner-key-cache.ts). */
export async function setPartnerQuota(db: Queryable, id: string, quotaPerMinute: number): Promise<boolean> {
  const { partners } = db.t;
  return affectedRows(await db.orm.update(partners).set({ quotaPerMinute }).where(eq(partners.id, id))) > 0;
}

export async function revokePartner(db: Queryable, id: string, now: number): Promise<boolean> {
  const { partners } = db.t;
  return affectedRows(await db.orm.update(partners).set({ revokedAt: now }).where(eq(partners.id, id))) > 0;
}

function toPartner(row: typeof partners.$inferSelect): Partner {
  const scopes = (JSON.parse(row.scopes) as string[]).filter((s): s is PartnerScope => (PARTNER_SCOPES as readonly string[]).includes(s));
  return { id: row.id, name: row.name, scopes, quotaPerMinute: row.quotaPerMinute, revokedAt: row.revokedAt ?? null, oidcClientId: row.oidcClientId ?? null, registryTrusted: row.registryTrusted === 1 };
}
