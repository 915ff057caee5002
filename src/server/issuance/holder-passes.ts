// A holder's current passes. Refreshing costs a lookup, not a signature: a pass issued earlier
// for the same facts is handed out again while it has at least half its lifetime left and is
// neither revoked nor signed by a revoked key. So the response (and its ETag) is stable and the
// database does not grow per refresh, and it stays the same until a write touches the person or
// `validUntil` (holder-answers.ts stores its ETag for the 304 of later refreshes).
import { appendAudit } from '../../db/queries/audit-log.ts';
import { holderAnswerStamp, invalidateHolderAnswer, stampPastOwnWrite, type HolderAnswerStamp } from '../../db/queries/holder-answers.ts';
import { findReusableHolderPass, insertIssuedPass, type IssuedPassRow } from '../../db/queries/issued-passes.ts';
import { readPersonWithFacts } from '../../db/queries/registry.ts';
import { unusedPassId } from './pass-id.ts';
import { LOCKS, lockForTransaction } from '../../db/queries/locks.ts';
import { forgetRevokedKeys, revokedKeysAt } from './revoked-keys.ts';
import type { Queryable } from '../../db/store.ts';
import { unixNow } from '../clock.ts';
import { ApiError } from '../problem.ts';
import type { IssuanceContext } from './issuance-context.ts';
import { passView, type PassView } from './issued-pass-view.ts';
import { contentsChangeAt, holderOf, passContentsFromRegistry } from './pass-contents-from-registry.ts';
import { factsHash, signForPerson } from './sign-for-person.ts';
import type { RequestRef } from '../middleware/request-id.ts';
import { personOnHold } from './person-hold-check.ts';

async function reusable(db: Queryable, personId: string, type: IssuedPassRow['type'], hash: string, now: number, revokedKids: ReadonlySet<string>): Promise<IssuedPassRow | null> {
  const found = await findReusableHolderPass(db, personId, type, hash, now);
  if (!found) return null;
  const { revoked, ...row } = found;
  if (row.exp - now < (row.exp - row.iat) / 2) return null;
  if (revoked || revokedKids.has(row.kid)) return null;
  return row;
}

export interface HolderAnswer {
  readonly passes: PassView[];
  /** The answer stays the same until this moment (exclusive) unless a write touches the person. */
  readonly validUntil: number;
  /** Read before the answer's inputs: storeHolderAnswer stores its ETag only if nothing changed since. */
  readonly stamp: HolderAnswerStamp;
}

/** The generation each database was last seen at: a new one may be a key revocation made elsewhere. */
const seenGeneration = new WeakMap<IssuanceContext['db'], number>();

export async function currentHolderPasses(ctx: IssuanceContext, personId: string, request: RequestRef): Promise<HolderAnswer> {
  const { db } = ctx;
  const now = unixNow(ctx.clock);
  let stamp = await holderAnswerStamp(db, personId);
  // The revoked keys are remembered per clock second; one revoked through another instance raised
  // the generation, and the answer stored under it must not be built from the set before it.
  if (seenGeneration.get(db) !== stamp.generation) {
    seenGeneration.set(db, stamp.generation);
    forgetRevokedKeys(db);
  }
  // Two statements answer a refresh whose passes can be reused (every 304): the person with their
  // facts and hold, and per pass type the reusable pass with its revocation status.
  const found = await readPersonWithFacts(db, personId);
  // A signed-in person the registry does not know simply has no passes: nothing to enumerate.
  if (!found) return { passes: [], validUntil: contentsChangeAt({ doses: [], tests: [], recoveries: [], exemptions: [] }, now, ctx.config.timeZone), stamp };
  if (found.held) throw personOnHold();
  const built = passContentsFromRegistry(found.person, found.facts, now, ctx.config.timeZone);
  if (!built.ok) throw new ApiError('REGISTRY_RECORD_INVALID', `${built.detail}; please contact the registry`);
  const revokedKids = await revokedKeysAt(db, now);
  const keys = ctx.keys.current();
  const views: PassView[] = [];
  let validUntil = contentsChangeAt(found.facts, now, ctx.config.timeZone);
  for (const content of built.contents) {
    const hash = factsHash(content);
    let row = await reusable(db, personId, content.type, hash, now, revokedKids);
    if (!row) {
      const issued = await signForPerson(keys, content, now, revokedKids, await unusedPassId(db), ctx.checkIssued);
      const fresh: IssuedPassRow = { ...issued, personId, issuedBy: 'holder', factsHash: hash, createdAt: now };
      const written = await db.transaction(async (tx) => {
        // Another refresh (here or in another process) may have issued meanwhile (signing is
        // async): keep one pass per facts.
        await lockForTransaction(tx, LOCKS.holderPass(personId));
        const raced = await reusable(tx, personId, content.type, hash, now, revokedKids);
        if (raced) return { row: raced, changes: null };
        await insertIssuedPass(tx, fresh);
        // A new pass changes the answer: any ETag stored meanwhile (another instance) is void.
        const changes = await invalidateHolderAnswer(tx, personId);
        await appendAudit(tx, { at: now, actor: `holder:${personId}`, action: 'pass.issued', passId: issued.passId, personId, ...request, detail: { kid: issued.kid, type: issued.type } });
        ctx.onIssued?.('holder');
        return { row: fresh, changes };
      });
      row = written.row;
      // This answer holds its own new pass: if no other write came since the stamp, its ETag may
      // still be stored (holder-answers.ts). Applied once the transaction has committed.
      if (written.changes !== null) stamp = stampPastOwnWrite(stamp, written.changes);
    }
    // From half its lifetime on, the pass is no longer handed out again (reusable above).
    validUntil = Math.min(validUntil, Math.floor((row.iat + row.exp) / 2));
    views.push(passView(row, holderOf(content)));
  }
  // A pass reused from a read may be another refresh's commit whose WAL sync has not ended yet
  // (store.ts `durable`); nothing is handed out before it is durable.
  await db.durable();
  return { passes: views, validUntil, stamp };
}
