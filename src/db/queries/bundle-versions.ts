// Published trust bundles. Versions only grow: the next version is max + 1 inside the same
// transaction that stores it, and the primary key refuses a second writer with the same number.
import { and, desc, eq, lt, max } from 'drizzle-orm';
import type { Queryable } from '../open-database.ts';
import { bundleVersions } from '../schema.ts';
import { prepared } from './prepared.ts';

export type BundleVersionRow = typeof bundleVersions.$inferSelect;

export function latestBundle(db: Queryable): BundleVersionRow | null {
  return prepared(db, 'latestBundle', (d) => d.select().from(bundleVersions).orderBy(desc(bundleVersions.version)).limit(1).prepare()).get() ?? null;
}

export function latestBundleVersion(db: Queryable): number {
  return db.select({ v: max(bundleVersions.version) }).from(bundleVersions).get()?.v ?? 0;
}

export function insertBundle(db: Queryable, row: BundleVersionRow): void {
  db.insert(bundleVersions).values(row).run();
}

export function findBundle(db: Queryable, version: number): BundleVersionRow | null {
  return db.select().from(bundleVersions).where(eq(bundleVersions.version, version)).get() ?? null;
}

/** Forgets versions below `version` (never the latest): rollback protection needs only the newest. */
export function pruneBundlesBefore(db: Queryable, version: number): void {
  const latest = latestBundleVersion(db);
  db.delete(bundleVersions).where(and(lt(bundleVersions.version, version), lt(bundleVersions.version, latest))).run();
}
