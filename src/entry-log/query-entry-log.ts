// The health authority's query of one venue's entry log for a time window, run offline against a
// copy of (or a connection to) the issuer's database with the authority's private keys, which the
// issuer never holds. Records are opened, kept when their time is in [from, to), mapped from pass
// id to registry person, and the query is written to the audit log before anything is returned.
import { openEntry, type SealedEntry } from '../core/entry-log.ts';
import { appendAudit } from '../db/queries/audit-log.ts';
import { listEntryBatches } from '../db/queries/entry-batches.ts';
import { findIssuedPass } from '../db/queries/issued-passes.ts';
import { findPersonById } from '../db/queries/registry.ts';
import { findVenueById } from '../db/queries/venues.ts';
import type { VaxpassDatabase } from '../db/store.ts';

export interface EntryLogQuery {
  readonly venueId: string;
  /** Unix seconds, inclusive. */
  readonly from: number;
  /** Unix seconds, exclusive. */
  readonly to: number;
  readonly privateKeys: ReadonlyMap<string, CryptoKey>;
  /** Who asks: the operator's name (audit). */
  readonly operator: string;
  readonly now: number;
}

export interface PersonAtVenue {
  readonly personId: string;
  readonly name: string;
  readonly birthDate: string;
  /** Unix seconds of each entry in the window, ascending. */
  readonly entries: readonly number[];
}

export interface EntryLogAnswer {
  readonly people: readonly PersonAtVenue[];
  /** Records in the window. */
  readonly records: number;
  /** Records in the window whose pass the issuer no longer knows (removed by retention) or never issued. */
  readonly unmatched: number;
  /** Records this query's keys could not open (another authority key, or damaged). */
  readonly unreadable: number;
}

export class EntryLogQueryError extends Error {}

export async function queryEntryLog(db: VaxpassDatabase, q: EntryLogQuery): Promise<EntryLogAnswer> {
  if (!(q.to > q.from)) throw new EntryLogQueryError('the window is empty: --to must be after --from');
  if (!(await findVenueById(db, q.venueId))) throw new EntryLogQueryError(`no venue ${q.venueId} in this database`);
  // A batch's day is that of its oldest record, so any batch holding a record before `to` has day ≤ to's day.
  const batches = await listEntryBatches(db, q.venueId, 0, Math.floor(q.to / 86_400));
  const byPass = new Map<string, number[]>();
  let records = 0;
  let unreadable = 0;
  for (const batch of batches) {
    for (const sealed of JSON.parse(batch.records) as SealedEntry[]) {
      const opened = await openEntry(q.privateKeys, q.venueId, sealed);
      if (!opened.ok) {
        unreadable++;
        continue;
      }
      const { passId, at } = opened.entry;
      if (at < q.from || at >= q.to) continue;
      records++;
      byPass.set(passId, [...(byPass.get(passId) ?? []), at]);
    }
  }
  const people = new Map<string, { name: string; birthDate: string; entries: number[] }>();
  let unmatched = 0;
  for (const [passId, times] of byPass) {
    const pass = await findIssuedPass(db, passId);
    const person = pass ? await findPersonById(db, pass.personId) : null;
    if (!person) {
      unmatched += times.length;
      continue;
    }
    const seen = people.get(person.id) ?? { name: person.name, birthDate: person.birthDate, entries: [] };
    seen.entries.push(...times);
    people.set(person.id, seen);
  }
  const answer: EntryLogAnswer = {
    people: [...people].map(([personId, p]) => ({ personId, name: p.name, birthDate: p.birthDate, entries: p.entries.sort((a, b) => a - b) })).sort((a, b) => a.personId.localeCompare(b.personId)),
    records,
    unmatched,
    unreadable,
  };
  // Written and committed before the caller sees a single name: a query that cannot be audited shows nothing.
  await db.transaction((tx) =>
    appendAudit(tx, { at: q.now, actor: `authority:${q.operator}`, action: 'entry-log.queried', detail: { venue: q.venueId, from: q.from, to: q.to, people: answer.people.length, records } }),
  );
  return answer;
}
