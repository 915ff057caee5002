// Partner issuance: the person's proof of sign-in with the partner (partner-person-proof.ts) says
// who the pass is for; the registry says what it says, and name and birth date in the request are
// only checked against it. Registry-trusted partners may instead name a person, and the registry
// decides who that is (exactly one match, or a clear 404/409, never a guess). The
// Idempotency-Key makes retries safe: the unique (partner, key) row is inserted in the same
// transaction as the pass (record-issuance.ts), so concurrent duplicates produce exactly one pass.
import { createHash } from 'node:crypto';
import { civilDayAt, parseIsoDate } from '../../core/civil-time.ts';
import { LIMITS, nameProblem } from '../../core/pass-content.ts';
import type { PassType } from '../../core/verification-result.ts';
import { deleteExpiredIdempotencyRecord, findIdempotencyRecord, type IdempotencyRecord } from '../../db/queries/idempotency-keys.ts';
import { readIssuanceForPerson } from '../../db/queries/issuance-reads.ts';
import { findIssuedPass } from '../../db/queries/issued-passes.ts';
import { recordIssuance } from '../../db/queries/record-issuance.ts';
import { MAX_PASS_ID_DRAWS, passIdTaken, randomPassId } from './pass-id.ts';
import type { Partner } from '../../db/queries/partners.ts';
import { findPeopleByNameAndBirthDate, readPersonWithFacts, type PersonRecord, type PersonWithFacts } from '../../db/queries/registry.ts';
import { findRevocation } from '../../db/queries/revocations.ts';
import type { Queryable, VaxpassDatabase } from '../../db/store.ts';
import { personOnHold } from './person-hold-check.ts';
import { revokedKeysAt } from './revoked-keys.ts';
import { unixNow } from '../clock.ts';
import { ApiError } from '../problem.ts';
import type { IssuanceContext } from './issuance-context.ts';
import { holderInPassText, passView } from './issued-pass-view.ts';
import { issuanceBasis } from './partner-person-proof.ts';
import { contentOfType, holderOf, passContentsFromRegistry } from './pass-contents-from-registry.ts';
import { factsHash, signForPerson } from './sign-for-person.ts';
import type { RequestRef } from '../middleware/request-id.ts';

export interface PartnerPassRequest {
  /** The person's ID token for this partner's client (the authorisation). */
  readonly idToken?: string | undefined;
  readonly personId?: string | undefined;
  readonly name?: string | undefined;
  readonly birthDate?: string | undefined;
  readonly type?: PassType | undefined;
}

/** How long an Idempotency-Key is remembered; a retry after that is a new request. */
export const IDEMPOTENCY_RETENTION_SECONDS = 24 * 3600;

export interface StoredResponse {
  readonly status: number;
  readonly body: string;
  readonly replayed: boolean;
}

/** Canonical JSON (sorted keys) of the request, so key order or spacing does not change its hash. */
export function requestHash(request: PartnerPassRequest): string {
  const sorted = Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}

/**
 * A retry gets the first answer — unless that pass has since been revoked (or its key has): a
 * replay answers with the current state, 410 PASS_REVOKED, never the revoked pass with 201.
 */
async function replay(db: Queryable, record: IdempotencyRecord, hash: string): Promise<StoredResponse> {
  if (record.requestHash !== hash) {
    throw new ApiError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request body; use a new key for a new request');
  }
  // The record holds a reference (the pass id), not the pass: no name, birth date or QR text is
  // copied into idempotency_keys. The answer is rendered again from the stored pass.
  const { passId } = JSON.parse(record.responseBody) as { passId: string };
  const pass = await findIssuedPass(db, passId);
  if (!pass) throw new ApiError('PASS_NOT_FOUND', 'the pass issued for this Idempotency-Key is past its retention; use a new key');
  if ((await findRevocation(db, 'pass', passId)) !== null || (await findRevocation(db, 'key', pass.kid)) !== null) {
    throw new ApiError('PASS_REVOKED', `the pass issued for this Idempotency-Key (${passId}) has been revoked and is not replayed; a new request (new Idempotency-Key) issues a new pass unless the person is on hold`);
  }
  return { status: record.responseStatus, body: JSON.stringify(passView(pass, holderInPassText(pass.text))), replayed: true };
}

/**
 * A replay read on the store may see a first request's commit before its WAL sync has ended
 * (store.ts `durable`): its answer, whichever it is (the pass, revoked, key reused), waits for that
 * sync, so no pass is disclosed that a power cut could still take back.
 */
async function answerOnceDurable(db: VaxpassDatabase, answer: Promise<StoredResponse>): Promise<StoredResponse> {
  const outcome = await answer.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  await db.durable();
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/** Name and birth date as sent must be possible at all; checked before anything reads the registry. */
function checkIdentifyingFields(ctx: IssuanceContext, request: PartnerPassRequest, now: number): void {
  const name = request.name?.normalize('NFC');
  if (name !== undefined) {
    const problem = nameProblem(name);
    if (problem) throw new ApiError('INVALID_NAME', problem);
  }
  if (request.birthDate !== undefined) {
    const day = parseIsoDate(request.birthDate);
    if (day === null || day < LIMITS.minCivilDay || day > civilDayAt(now, ctx.config.timeZone)) {
      throw new ApiError('INVALID_BIRTH_DATE', 'birthDate must be a real date (YYYY-MM-DD) between 1870-01-01 and today');
    }
  }
}

/** Name and birth date, when sent, agree with the record (compared as NFC). */
function detailsAgree(person: PersonRecord, request: PartnerPassRequest): boolean {
  const name = request.name?.normalize('NFC');
  return (name === undefined || person.name.normalize('NFC') === name) && (request.birthDate === undefined || person.birthDate === request.birthDate);
}

/** The signed-in person's record; name and birth date, when sent, must agree with it (a consistency check). */
async function provenPerson(ctx: IssuanceContext, personId: string, request: PartnerPassRequest): Promise<PersonWithFacts> {
  const found = await readPersonWithFacts(ctx.db, personId);
  if (!found) throw new ApiError('PERSON_NOT_FOUND', 'the signed-in person has no record in the registry');
  if (!detailsAgree(found.person, request)) {
    throw new ApiError('PERSON_DETAILS_MISMATCH', "the name or birth date sent differs from the signed-in person's registry record; no pass was issued");
  }
  return found;
}

/**
 * Matching rules for registry-trusted partners (docs/api.md "Identifying the person"). `named` is
 * the person a personId names, when it was already read with the Idempotency-Key's record.
 */
async function matchPerson(ctx: IssuanceContext, request: PartnerPassRequest, named?: PersonWithFacts | null): Promise<PersonWithFacts> {
  const notFound = () => new ApiError('PERSON_NOT_FOUND', 'no person in the registry matches the identifying fields exactly');
  if (request.personId !== undefined) {
    const found = named !== undefined ? named : await readPersonWithFacts(ctx.db, request.personId);
    // Extra fields must agree with the record; which one disagrees is not revealed.
    if (!found || !detailsAgree(found.person, request)) throw notFound();
    return found;
  }
  const name = request.name?.normalize('NFC');
  if (name === undefined || request.birthDate === undefined) throw new ApiError('VALIDATION_FAILED', 'identify the person by personId, or by name and birthDate together');
  const matches = await findPeopleByNameAndBirthDate(ctx.db, name, request.birthDate, 2);
  if (matches.length === 0) throw notFound();
  if (matches.length > 1) throw new ApiError('AMBIGUOUS_PERSON', 'more than one person in the registry has this name and birth date; identify the person by personId');
  const found = await readPersonWithFacts(ctx.db, matches[0]!.id);
  if (!found) throw notFound();
  return found;
}

/**
 * The Idempotency-Key's earlier record, and — for a registry-trusted partner naming a person by id,
 * the benchmark's and the clinics' case — the person with facts and hold read in the same statement.
 */
async function firstReads(db: VaxpassDatabase, partner: Partner, idempotencyKey: string, request: PartnerPassRequest): Promise<{ earlier: IdempotencyRecord | null; named?: PersonWithFacts | null }> {
  if (partner.registryTrusted && request.idToken === undefined && request.personId !== undefined) return readIssuanceForPerson(db, partner.id, idempotencyKey, request.personId).then(({ earlier, found }) => ({ earlier, named: found }));
  return { earlier: await findIdempotencyRecord(db, partner.id, idempotencyKey) };
}

/**
 * Statements per issuance (docs/benchmarks.md "Partner issuance: statements"), registry-trusted by
 * personId: one read (key record + person + facts + hold), the revoked key ids at most once a
 * second, and one write (recordIssuance: one statement on PostgreSQL). The pass id is not looked up
 * first: the unique prefix index refuses the rare clash and the pass is signed again.
 */
export async function issueForPartner(ctx: IssuanceContext, partner: Partner, idempotencyKey: string, request: PartnerPassRequest, ids: RequestRef): Promise<StoredResponse> {
  const { db } = ctx;
  const hash = requestHash(request);
  const now = unixNow(ctx.clock);
  const { earlier, named } = await firstReads(db, partner, idempotencyKey, request);
  if (earlier && earlier.createdAt > now - IDEMPOTENCY_RETENTION_SECONDS) return answerOnceDurable(db, replay(db, earlier, hash));
  // An expired record left behind (the hourly purge has not run yet) is replaced: only this one is
  // removed here; clearing the others is the retention job's, off the request path.
  if (earlier) await db.transaction((tx) => deleteExpiredIdempotencyRecord(tx, partner.id, idempotencyKey, now - IDEMPOTENCY_RETENTION_SECONDS));

  checkIdentifyingFields(ctx, request, now);
  const basis = await issuanceBasis(ctx, partner, request, idempotencyKey);
  const found = basis.kind === 'person-proof' ? await provenPerson(ctx, basis.personId, request) : await matchPerson(ctx, request, named);
  if (found.held) throw personOnHold();
  const { person } = found;
  const type = request.type ?? 'vaccination';
  const built = passContentsFromRegistry(person, found.facts, now, ctx.config.timeZone);
  if (!built.ok) throw new ApiError('REGISTRY_RECORD_INVALID', `${built.detail}; the person should contact the registry`);
  const content = contentOfType(built.contents, type);
  if (!content) throw new ApiError('NOTHING_TO_ISSUE', `the registry has no current ${type} facts for this person`);
  const revokedKids = await revokedKeysAt(db, now);

  for (let draw = 1; ; draw++) {
    const issued = await signForPerson(ctx.keys.current(), content, now, revokedKids, randomPassId(), ctx.checkIssued);
    let stored: boolean;
    try {
      stored = await recordIssuance(db, {
        idempotency: { partnerId: partner.id, key: idempotencyKey, requestHash: hash, responseStatus: 201, responseBody: JSON.stringify({ passId: issued.passId }), createdAt: now },
        pass: { ...issued, personId: person.id, issuedBy: partner.id, factsHash: factsHash(content), createdAt: now },
        audit: { at: now, actor: `partner:${partner.id}`, action: 'pass.issued', passId: issued.passId, personId: person.id, ...ids, detail: { kid: issued.kid, type: issued.type, basis: basis.kind } },
      });
    } catch (error) {
      // Nothing of this attempt was written (one transaction); another id, signed again.
      if (passIdTaken(error) && draw < MAX_PASS_ID_DRAWS) continue;
      throw error;
    }
    if (!stored) {
      // A concurrent request with this key (this instance or another) committed first: its answer.
      const record = await findIdempotencyRecord(db, partner.id, idempotencyKey);
      if (!record) throw new ApiError('PASS_NOT_FOUND', 'the pass issued for this Idempotency-Key is past its retention; use a new key');
      return answerOnceDurable(db, replay(db, record, hash));
    }
    ctx.onIssued?.('partner');
    return { status: 201, body: JSON.stringify(passView(issued, holderOf(content))), replayed: false };
  }
}
