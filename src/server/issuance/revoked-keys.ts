// The revoked issuer key ids, read at most once per clock second per database instead of once per
// request (every holder refresh and partner issuance needs them). Key revocations are rare; one
// made through another instance is seen within a second, as the trust bundle sees it
// (bundle-publisher.ts keeps the same per-second memo). A revocation made here clears it at once.
import type { VaxpassDatabase } from '../../db/store.ts';
import { revokedKeyIds } from '../../db/queries/revoked-sets.ts';

const memo = new WeakMap<VaxpassDatabase, { at: number; ids: Promise<ReadonlySet<string>> }>();

export function revokedKeysAt(db: VaxpassDatabase, now: number): Promise<ReadonlySet<string>> {
  const held = memo.get(db);
  if (held && held.at === now) return held.ids;
  const ids = revokedKeyIds(db);
  memo.set(db, { at: now, ids });
  // A failed read is not remembered.
  ids.catch(() => memo.delete(db));
  return ids;
}

export function forgetRevokedKeys(db: VaxpassDatabase): void {
  memo.delete(db);
}
