// The schema level a database was left at must be one this release knows. A database written by a
// newer release (restored into an old one, or a rollback of the binary) has migrations applied
// that this code has never seen; drizzle's migrator would skip past them silently and requests
// would fail later on columns this release does not expect. Migrations are recognised by the hash
// of their SQL, which the lead's renumbering of files at merge does not change.
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { StoreRefusal } from './store-refusal.ts';

export function knownMigrationHashes(migrationsFolder: string): Set<string> {
  return new Set(readMigrationFiles({ migrationsFolder }).map((m) => m.hash));
}

/** Throws StoreRefusal when `applied` holds a migration this release does not know. */
export function refuseNewerSchema(location: string, applied: readonly string[], migrationsFolder: string): void {
  const known = knownMigrationHashes(migrationsFolder);
  const unknown = applied.filter((hash) => !known.has(hash));
  if (unknown.length === 0) return;
  throw new StoreRefusal(
    `${location} has ${unknown.length} applied migration(s) this release does not know (it was written by a newer release); start that release or a newer one, or restore a backup taken with this one`,
  );
}
