// Published trust bundles. Versions only grow: the next version is max + 1 inside the same
// transaction that stores it, and the primary key refuses a second writer with the same number.
import { and, desc, eq, lt, max } from 'drizzle-orm';
import type { Queryable } from '../store.ts';
import type { bundleVersions } from '../schema.ts';
import { prepared } from './prepared.ts';

export type BundleVersionRow = typeof bundleVersions.$inferSelect;

export async function latestBundle(db: Queryable): Promise<BundleVersionRow | null> {
  const query = prepared(db, 'latestBundle', (d) => d.orm.select().from(d.t.bundleVersions).orderBy(desc(d.t.bundleVersions.version)).limit(1).prepare());
  return (await query.get()) ?? null;
}

export async function latestBundleVersion(db: Queryable): Promise<number> {
  const { bundleVersions } = db.t;
  const [row] = await db.orm.select({ v: max(bundleVersions.version) }).from(bundleVersions);
  return row?.v ?? 0;
}

export async function insertBundle(db: Queryable, row: BundleVersionRow): Promise<void> {
  await db.orm.insert(db.t.bundleVersions).values(row);
}

export async function findBundle(db: Queryable, version: number): Promise<BundleVersionRow | null> {
  const { bundleVersions } = db.t;
  const [row] = await db.orm.select().from(bundleVersions).where(eq(bundleVersions.version, version)).limit(1);
  return row ?? null;
}

/** Forgets versions below `version` (never the latest): rollback protection needs only the newest. */
export async function pruneBundlesBefore(db: Queryable, version: number): Promise<void> {
  const { bundleVersions } = db.t;
  const latest = await latestBundleVersion(db);
  await db.orm.delete(bundleVersions).where(and(lt(bundleVersions.version, version), lt(bundleVersions.version, latest)));
}
