// Partner issuance: the partner names a person it has identified; the registry decides who that
// is (exactly one match, or a clear 404/409, never a guess) and what the pass says. The
// Idempotency-Key makes retries safe: the unique (partner, key) row is inserted in the same
// transaction as the pass, so concurrent duplicates produce exactly one pass.
import { createHash } from 'node:crypto';
import { civilDayAt, parseIsoDate } from '../../core/civil-time.ts';
import { LIMITS, nameProblem } from '../../core/pass-content.ts';
import type { PassType } from '../../core/verification-result.ts';
import { appendAudit } from '../../db/queries/audit-log.ts';
import { deleteIdempotencyRecordsBefore, findIdempotencyRecord, insertIdempotencyRecord, type IdempotencyRecord } from '../../db/queries/idempotency-keys.ts';
import { insertIssuedPass } from '../../db/queries/issued-passes.ts';
import { unusedPassId } from './pass-id.ts';
import type { Partner } from '../../db/queries/partners.ts';
import { findPeopleByNameAndBirthDate, findPersonById, readPersonWithFacts, type PersonFacts, type PersonRecord } from '../../db/queries/registry.ts';
import { revokedKeysAt } from './revoked-keys.ts';
import { unixNow } from '../clock.ts';
import { ApiError } from '../problem.ts';
import type { IssuanceContext } from './issuance-context.ts';
import { passView } from './issued-pass-view.ts';
import { contentOfType, holderOf, passContentsFromRegistry } from './pass-contents-from-registry.ts';
import { factsHash, signForPerson } from './sign-for-person.ts';

export interface PartnerPassRequest {
  readonly personId?: string | undefined;
  readonly name?: string | undefined;
  readonly birthDate?: string | undefined;
  readonly type?: PassType | undefined;
}

const NO_FACTS: PersonFacts = { doses: [], tests: [], recoveries: [], exemptions: [] };

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

function replay(record: IdempotencyRecord, hash: string): StoredResponse {
  if (record.requestHash !== hash) {
    throw new ApiError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with a different request body; use a new key for a new request');
  }
  return { status: record.responseStatus, body: record.responseBody, replayed: true };
}

/** Matching rules (docs/api.md "Identifying the person"). */
export async function matchPerson(ctx: IssuanceContext, request: PartnerPassRequest, now: number): Promise<PersonRecord> {
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
  const notFound = () => new ApiError('PERSON_NOT_FOUND', 'no person in the registry matches the identifying fields exactly');
  if (request.personId !== undefined) {
    const person = await findPersonById(ctx.db, request.personId);
    // Extra fields must agree with the record; which one disagrees is not revealed.
    if (!person || (name !== undefined && person.name.normalize('NFC') !== name) || (request.birthDate !== undefined && person.birthDate !== request.birthDate)) throw notFound();
    return person;
  }
  if (name === undefined || request.birthDate === undefined) throw new ApiError('VALIDATION_FAILED', 'identify the person by personId, or by name and birthDate together');
  const matches = await findPeopleByNameAndBirthDate(ctx.db, name, request.birthDate, 2);
  if (matches.length === 0) throw notFound();
  if (matches.length > 1) throw new ApiError('AMBIGUOUS_PERSON', 'more than one person in the registry has this name and birth date; identify the person by personId');
  return matches[0]!;
}

export async function issueForPartner(ctx: IssuanceContext, partner: Partner, idempotencyKey: string, request: PartnerPassRequest, requestId: string): Promise<StoredResponse> {
  const { db } = ctx;
  const hash = requestHash(request);
  const now = unixNow(ctx.clock);
  const earlier = await findIdempotencyRecord(db, partner.id, idempotencyKey);
  if (earlier && earlier.createdAt > now - IDEMPOTENCY_RETENTION_SECONDS) return replay(earlier, hash);
  // An expired record left behind (the hourly purge has not run yet) is replaced.
  if (earlier) await db.transaction((tx) => deleteIdempotencyRecordsBefore(tx, now - IDEMPOTENCY_RETENTION_SECONDS));

  const person = await matchPerson(ctx, request, now);
  const type = request.type ?? 'vaccination';
  const built = passContentsFromRegistry(person, (await readPersonWithFacts(db, person.id))?.facts ?? NO_FACTS, now, ctx.config.timeZone);
  if (!built.ok) throw new ApiError('REGISTRY_RECORD_INVALID', `${built.detail}; the person should contact the registry`);
  const content = contentOfType(built.contents, type);
  if (!content) throw new ApiError('NOTHING_TO_ISSUE', `the registry has no current ${type} facts for this person`);
  const issued = await signForPerson(ctx.keys.current(), content, now, await revokedKeysAt(db, now), await unusedPassId(db));
  const body = JSON.stringify(passView(issued, holderOf(content)));

  return db.transaction(async (tx) => {
    const stored = await insertIdempotencyRecord(tx, { partnerId: partner.id, key: idempotencyKey, requestHash: hash, responseStatus: 201, responseBody: body, createdAt: now });
    if (!stored) return replay((await findIdempotencyRecord(tx, partner.id, idempotencyKey))!, hash);
    await insertIssuedPass(tx, { ...issued, personId: person.id, issuedBy: partner.id, factsHash: factsHash(content), createdAt: now });
    await appendAudit(tx, { at: now, actor: `partner:${partner.id}`, action: 'pass.issued', passId: issued.passId, personId: person.id, requestId, detail: { kid: issued.kid, type: issued.type } });
    ctx.onIssued?.('partner');
    return { status: 201, body, replayed: false };
  });
}
