// Stored holder ETags (schema.ts holderAnswers): a refresh whose If-None-Match names the stored
// ETag of the session's person gets its 304 from one indexed read, on any instance.
//
// Correctness rests on two rules, both in the database so every instance agrees:
//   - every write that can change a person's answer raises their `changes` and clears `etag` in
//     its own transaction (invalidateHolderAnswer), or raises the global generation;
//   - the full path reads the person's stamp (holderAnswerStamp) before it reads anything the
//     answer is built from, and stores its ETag only if `changes` is still what it read
//     (storeHolderAnswer) and under the generation it read. An answer built from data a write
//     changed meanwhile is therefore never stored over that write.
// `changes` counts the person's invalidating writes (no row: none yet), so the full path's own
// write (a pass it issues, in the same request) can tell whether it is the only one since the
// stamp: its increment returns the new count, and if that is the stamp's plus one, nothing else
// touched the person in between and the stamp moves past the request's own write
// (stampPastOwnWrite). Else the stamp stays and the store is refused, as for any other write.
import { and, eq, getTableName, gt, inArray, isNotNull, sql, type Table } from 'drizzle-orm';
import type { Queryable, VaxpassDatabase } from '../store.ts';
import { sessionIdHash } from './holder-sessions.ts';
import { prepared } from './prepared.ts';

const GENERATION_ROW = 1;
const ph = (name: string) => sql.placeholder(name);

export interface StoredHolderAnswer {
  readonly personId: string;
  readonly etag: string;
  readonly sessionExpiresAt: number;
}

/**
 * The stored ETag of the person signed in with this session cookie id, if the session is
 * unexpired and the ETag is still valid at `now` under the current generation; else null.
 */
export async function storedHolderAnswerForSession(db: Queryable, sessionId: string, now: number): Promise<StoredHolderAnswer | null> {
  return (await storedHolderAnswersForSessions(db, [sessionId], now)).get(sessionId) ?? null;
}

/**
 * The same for several session cookie ids in one statement (the refreshes that arrive together,
 * holder-not-modified.ts): only the sessions that have a valid stored ETag are in the map.
 */
export async function storedHolderAnswersForSessions(db: Queryable, sessionIds: readonly string[], now: number): Promise<Map<string, StoredHolderAnswer>> {
  const byHash = new Map(sessionIds.map((id) => [sessionIdHash(id), id]));
  const hashes = [...byHash.keys()];
  const rows = hashes.length === 0 ? [] : db.dialect === 'postgres' ? await readPostgres(db, hashes, now) : await readSqlite(db, hashes, now);
  const found = new Map<string, StoredHolderAnswer>();
  for (const row of rows) {
    const sessionId = byHash.get(row.idHash);
    if (sessionId !== undefined && row.etag !== null && row.personId !== null) found.set(sessionId, { personId: row.personId, etag: row.etag, sessionExpiresAt: row.sessionExpiresAt });
  }
  return found;
}

interface StoredAnswerRow {
  readonly idHash: string;
  readonly personId: string | null;
  readonly etag: string | null;
  readonly sessionExpiresAt: number;
}

/**
 * SQLite: the sessions and their stored answers, the ids as one JSON array so one prepared
 * statement serves any number of them. No LIMIT: drizzle binds it as a parameter, which made each
 * read on SQLite 3.4× dearer in CPU (bench/holder-etag-read.ts, docs/benchmarks.md).
 */
function readSqlite(db: Queryable, hashes: readonly string[], now: number): Promise<StoredAnswerRow[]> {
  const query = prepared(db, 'storedHolderAnswersForSessions', ({ orm, t: { holderSessions: s, holderAnswers: a, holderAnswerGeneration: g } }) =>
    orm
      .select({ idHash: s.idHash, personId: a.personId, etag: a.etag, sessionExpiresAt: s.expiresAt })
      .from(s)
      .innerJoin(a, eq(a.personId, s.personId))
      .leftJoin(g, eq(g.id, GENERATION_ROW))
      .where(and(sql`${s.idHash} in (select value from json_each(${ph('idHashes')}))`, gt(s.expiresAt, ph('now')), gt(a.validUntil, ph('now')), isNotNull(a.etag), eq(a.generation, sql`coalesce(${g.generation}, 0)`)))
      .prepare(),
  );
  return query.all({ idHashes: JSON.stringify(hashes), now });
}

/** A column with its table's name, `"table"."column"`. */
const q = (table: Table, column: { readonly name: string }) => sql`${sql.identifier(getTableName(table))}.${sql.identifier(column.name)}`;

/**
 * PostgreSQL: a named statement is planned with its values five times, then kept as one generic
 * plan only if that plan is estimated no dearer, and the generic plan is costed without the
 * values. The read is therefore written so that its only sensible plan is the one wanted at every
 * table size and batch size (bench/stored-etag-plans.ts, docs/benchmarks.md):
 *   - one statement per batch size rounded up to a power of two, the ids as that many parameters
 *     (the last repeated to fill it; a repeated id matches its row once). With one array
 *     parameter (`= any($1)`) the generic plan was costed for 10 ids, dearer than the custom plan of
 *     a batch of 1–6, so those batches were planned again on every execution;
 *   - the ids are the only condition on the sessions, so the primary key is the way in: with the
 *     expiry in SQL the generic plan (an unknown `now`, a third of the rows guessed unexpired) read
 *     a few thousand sessions through the `expires_at` index. The session's expiry is compared
 *     here instead;
 *   - the stored answer is a subquery per session, which PostgreSQL runs as a probe of the
 *     answers' primary key; as a join, batches of 8 or more at a few thousand answers were planned
 *     as a hash join over all of them.
 */
async function readPostgres(db: Queryable, hashes: readonly string[], now: number): Promise<StoredAnswerRow[]> {
  let size = 1;
  while (size < hashes.length) size *= 2;
  const query = prepared(db, `storedHolderAnswersForSessions${size}`, ({ orm, t: { holderSessions: s, holderAnswers: a, holderAnswerGeneration: g } }) =>
    orm
      .select({
        idHash: s.idHash,
        personId: s.personId,
        sessionExpiresAt: s.expiresAt,
        // Every column named with its table: drizzle writes them bare in a one-table select, where
        // the subquery's person_id would then be its own.
        etag: sql<string | null>`(select ${q(a, a.etag)} from ${a} where ${q(a, a.personId)} = ${q(s, s.personId)} and ${q(a, a.validUntil)} > ${ph('now')} and ${q(a, a.generation)} = coalesce((select ${q(g, g.generation)} from ${g} where ${q(g, g.id)} = ${GENERATION_ROW}), 0))`,
      })
      .from(s)
      .where(sql`${s.idHash} in (${sql.join(Array.from({ length: size }, (_, i) => ph(`h${i}`)), sql`, `)})`)
      .prepare(),
  );
  const values: Record<string, unknown> = { now };
  for (let i = 0; i < size; i++) values[`h${i}`] = hashes[Math.min(i, hashes.length - 1)];
  return (await query.all(values)).filter((row) => row.sessionExpiresAt > now);
}

/** What the full path reads before building an answer: the person's change count (null: no row yet) and the generation. */
export interface HolderAnswerStamp {
  readonly changes: number | null;
  readonly generation: number;
  /** What is stored now, to skip a write that would change nothing. */
  readonly etag: string | null;
  readonly validUntil: number;
  readonly storedGeneration: number;
}

export async function holderAnswerStamp(db: Queryable, personId: string): Promise<HolderAnswerStamp> {
  const q = prepared(db, 'holderAnswerStamp', ({ orm, t: { holderAnswers: a, holderAnswerGeneration: g } }) => ({
    answer: orm.select().from(a).where(eq(a.personId, ph('personId'))).prepare(),
    generation: orm.select({ generation: g.generation }).from(g).where(eq(g.id, GENERATION_ROW)).prepare(),
  }));
  const [answer, generation] = [await q.answer.get({ personId }), await q.generation.get()];
  return {
    changes: answer?.changes ?? null,
    generation: generation?.generation ?? 0,
    etag: answer?.etag ?? null,
    validUntil: answer?.validUntil ?? 0,
    storedGeneration: answer?.generation ?? 0,
  };
}

/**
 * Stores the ETag of an answer built after `stamp` was read, unless a write touched the person
 * since. Its own small transaction (only when what is stored changes): a refresh has none open.
 */
export async function storeHolderAnswer(db: VaxpassDatabase, personId: string, stamp: HolderAnswerStamp, etag: string, validUntil: number): Promise<void> {
  if (stamp.etag === etag && stamp.validUntil === validUntil && stamp.storedGeneration === stamp.generation) return;
  const values = { etag, validUntil, generation: stamp.generation };
  await db.transaction(async (tx) => {
    const { holderAnswers: a } = tx.t;
    if (stamp.changes === null) {
      // A write since the stamp inserted the row: the conflict keeps its cleared ETag.
      await tx.orm.insert(a).values({ personId, changes: 0, ...values }).onConflictDoNothing();
    } else {
      await tx.orm.update(a).set(values).where(and(eq(a.personId, personId), eq(a.changes, stamp.changes)));
    }
  });
}

/**
 * A write changed (or may have changed) this person's answer: their stored ETag is void. Call it
 * inside the write's transaction. Returns the person's change count this write left (the same
 * statement: RETURNING), for a full path that made the write itself (stampPastOwnWrite).
 */
export async function invalidateHolderAnswer(db: Queryable, personId: string): Promise<number> {
  const { holderAnswers: a } = db.t;
  const [row] = await db.orm
    .insert(a)
    .values({ personId, changes: 1, etag: null, validUntil: 0, generation: 0 })
    .onConflictDoUpdate({ target: a.personId, set: { changes: sql`${a.changes} + 1`, etag: null } })
    .returning({ changes: a.changes });
  return row!.changes;
}

/**
 * The stamp of a full path after a write of its own has committed (a pass it issued), given the
 * change count that write left (invalidateHolderAnswer). One above the stamp's (a missing row
 * counts 0: a row the store inserted starts at 0): no other write came between the stamp and this
 * one, so what the full path read since the stamp is still current, and the answer it builds with
 * its own write in it may be stored under the new count. Anything else: the stamp unchanged, so the
 * store is refused. Writes after this one raise the count past it and refuse the store as before.
 */
export function stampPastOwnWrite(stamp: HolderAnswerStamp, changesAfterOwnWrite: number): HolderAnswerStamp {
  if (changesAfterOwnWrite !== (stamp.changes ?? 0) + 1) return stamp;
  // What the write left stored: no ETag (so the store is never skipped as a no-op).
  return { ...stamp, changes: changesAfterOwnWrite, etag: null, validUntil: 0 };
}

/** The holders of these passes (a revocation): their stored ETags are void. */
export async function invalidateHolderAnswersOfPasses(db: Queryable, passIds: readonly string[]): Promise<void> {
  if (passIds.length === 0) return;
  const { issuedPasses: p } = db.t;
  const rows = await db.orm.selectDistinct({ personId: p.personId }).from(p).where(inArray(p.passId, [...passIds]));
  for (const { personId } of rows) await invalidateHolderAnswer(db, personId);
}

/** A write that may change anyone's answer (a key revocation, a registry import): every stored ETag is void. */
export async function raiseHolderAnswerGeneration(db: Queryable): Promise<void> {
  const { holderAnswerGeneration: g } = db.t;
  await db.orm
    .insert(g)
    .values({ id: GENERATION_ROW, generation: 1 })
    .onConflictDoUpdate({ target: g.id, set: { generation: sql`${g.generation} + 1` } });
}
