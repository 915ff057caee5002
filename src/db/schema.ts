// The whole vaxpass database in one place: the registry (people and their facts, in
// registry-schema.ts) and the issuer's own records. Types stay portable to PostgreSQL: text ids,
// unix seconds as integers, JSON as text, no SQLite-only behaviour the queries depend on.
import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { people } from './registry-schema.ts';

export * from './registry-schema.ts';

/** Partner platforms (portals, messengers) that issue passes for their users. */
export const partners = sqliteTable('partners', {
  /** Opaque partner id, e.g. "demo-portal". */
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** Hex SHA-256 of the API key. The key itself (256 random bits) is shown once at creation and never stored. */
  apiKeyHash: text('api_key_hash').notNull(),
  /** JSON array of scopes, e.g. ["passes:issue","passes:read"]. */
  scopes: text('scopes').notNull(),
  quotaPerMinute: integer('quota_per_minute').notNull(),
  createdAt: integer('created_at').notNull(),
  revokedAt: integer('revoked_at'),
  /** The partner's client id at the identity provider: a person's ID token for this audience authorises issuance. */
  oidcClientId: text('oidc_client_id'),
  /** 1: may issue on a bare personId without the person's proof (e.g. a vaccination clinic). Off by default. */
  registryTrusted: integer('registry_trusted').notNull().default(0),
}, (t) => [uniqueIndex('partners_api_key_hash').on(t.apiKeyHash)]);

/**
 * Person proofs (ID tokens) already used for an issuance, by SHA-256, so a proof issues once;
 * a retry with the same Idempotency-Key is the same use. Rows are purged after expiresAt.
 */
export const usedPersonProofs = sqliteTable(
  'used_person_proofs',
  {
    tokenHash: text('token_hash').primaryKey(),
    partnerId: text('partner_id').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  // expires_at: the retention job deletes spent proofs in small batches by this column.
  (t) => [index('used_person_proofs_expires_at').on(t.expiresAt)],
);

/**
 * Every pass the issuer signed, with its QR text: a holder refresh hands the same pass out again
 * instead of signing a new one, a partner's retry is answered with it, and an operator can revoke
 * it by id. The QR text is the signed pass, so it necessarily contains the holder's name and birth
 * date (a signed pass cannot be re-rendered without re-signing); no other column copies them. Rows
 * are removed by the retention job ISSUED_PASS_RETENTION_AFTER_EXP_SECONDS after the pass expires
 * (src/server/retention.ts): an expired pass no scanner accepts needs no record.
 */
export const issuedPasses = sqliteTable(
  'issued_passes',
  {
    /** Hex of the pass's cti. */
    passId: text('pass_id').primaryKey(),
    personId: text('person_id').notNull().references(() => people.id),
    kid: text('kid').notNull(),
    type: text('type', { enum: ['vaccination', 'test', 'recovery', 'exemption'] }).notNull(),
    iat: integer('iat').notNull(),
    exp: integer('exp').notNull(),
    /** 'holder' or the partner id. */
    issuedBy: text('issued_by').notNull(),
    /** SHA-256 of the facts the pass was made from: a holder refresh reuses the pass while they are unchanged. */
    factsHash: text('facts_hash').notNull(),
    /** The signed QR text, kept so a holder refresh returns the same bytes (and ETag) instead of signing again. */
    text: text('text').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  // A holder refresh looks up the newest pass for (person, 'holder', type, facts): with every
  // equality column ahead of iat it is one index probe, however many partner-issued passes the
  // person has (with (person, type, iat) alone it walked all of them, newest first).
  (t) => [
    index('issued_passes_holder_reuse').on(t.personId, t.issuedBy, t.type, t.factsHash, t.iat),
    index('issued_passes_issued_by').on(t.issuedBy),
    // The retention job deletes passes a week past exp in small batches, oldest first.
    index('issued_passes_exp').on(t.exp),
    // Bundles list revoked passes by the first 40 bits of their id (docs/pass-format.md §6.4), which
    // is exact only while no two passes share them: issuance draws again on a collision, and this
    // index refuses the one a concurrent issuance might still slip in.
    uniqueIndex('issued_passes_pass_id_prefix').on(sql`substr(${t.passId}, 1, 10)`),
  ],
);

/** Revoked passes and keys. `bundleVersion` is the first bundle version that lists the entry. */
export const revocations = sqliteTable(
  'revocations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: ['pass', 'key'] }).notNull(),
    /** Hex pass id or key id. */
    subject: text('subject').notNull(),
    reason: text('reason'),
    revokedAt: integer('revoked_at').notNull(),
    revokedBy: text('revoked_by').notNull(),
    bundleVersion: integer('bundle_version').notNull(),
  },
  (t) => [uniqueIndex('revocations_kind_subject').on(t.kind, t.subject), index('revocations_bundle_version').on(t.bundleVersion)],
);

/**
 * Person-level holds (fraud cases): while a person is held no new pass is issued for them, through
 * any partner or the holder app. Revoking passes stays separate (revocations): a hold stops the
 * next pass, a revocation stops the ones already out. Lifted holds are deleted (the audit log keeps
 * who held and lifted when).
 */
export const personHolds = sqliteTable('person_holds', {
  personId: text('person_id')
    .primaryKey()
    .references(() => people.id),
  reason: text('reason'),
  heldAt: integer('held_at').notNull(),
});

/** Append-only: who did what when. Ids only, never names or pass text. */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    at: integer('at').notNull(),
    /** 'holder:<personId>', 'partner:<id>', 'admin' or 'system'. */
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    passId: text('pass_id'),
    personId: text('person_id'),
    /** Request id, to join with the JSON logs. */
    requestId: text('request_id'),
    /** Small JSON object of ids (kid, bundle version); no personal data. */
    detail: text('detail'),
  },
  (t) => [index('audit_log_at').on(t.at)],
);

/**
 * Partner idempotency keys: the first response to a key is replayed for the same body. Only a
 * reference is stored (`response_body` is `{"passId": …}`); a replay renders the pass again from
 * issued_passes, so no name, birth date or QR text is kept here. Records are removed after 24 hours
 * (IDEMPOTENCY_RETENTION_SECONDS) by the retention job (src/server/retention.ts).
 */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    partnerId: text('partner_id').notNull().references(() => partners.id),
    key: text('key').notNull(),
    /** Hex SHA-256 of the canonical request body. */
    requestHash: text('request_hash').notNull(),
    responseStatus: integer('response_status').notNull(),
    responseBody: text('response_body').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  // created_at: the retention job deletes expired records in small batches by this column.
  (t) => [uniqueIndex('idempotency_keys_partner_key').on(t.partnerId, t.key), index('idempotency_keys_created_at').on(t.createdAt)],
);

/** Published trust bundles: the version counter and the exact bytes served for each version. */
export const bundleVersions = sqliteTable('bundle_versions', {
  version: integer('version').primaryKey(),
  issuedAt: integer('issued_at').notNull(),
  expiresAt: integer('expires_at').notNull(),
  /** Hex SHA-256 of the document's inputs (keys, revocations, rules) to tell when a new version is needed. */
  contentHash: text('content_hash').notNull(),
  jws: text('jws').notNull(),
});

/**
 * Holder sessions of the backend-for-frontend sign-in. The browser holds only the random session
 * id in an HttpOnly cookie; the row holds its SHA-256, so a copy of the database opens no session.
 * A row with a null personId is a sign-in in progress: the PKCE verifier, state and nonce the
 * provider's callback is checked against. Sign-out deletes the row; expired rows are purged.
 */
export const holderSessions = sqliteTable(
  'holder_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    personId: text('person_id'),
    csrfToken: text('csrf_token').notNull(),
    pkceVerifier: text('pkce_verifier'),
    state: text('state'),
    nonce: text('nonce'),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('holder_sessions_expires_at').on(t.expiresAt)],
);

/**
 * The ETag of each person's current holder answer (GET /api/v1/holder/passes) and the moment it
 * would change by itself (a pass reaching half its lifetime, a test result lapsing, the civil day
 * turning), so a refresh whose If-None-Match names it gets its 304 from one indexed read
 * (src/db/queries/holder-answers.ts). `changes` counts the writes that touched the person
 * (revocation of one of their passes, hold, release): each clears `etag`, and an answer computed
 * before that write is not stored over it. `generation` must equal holderAnswerGeneration's.
 */
export const holderAnswers = sqliteTable('holder_answers', {
  personId: text('person_id').primaryKey(),
  changes: integer('changes').notNull(),
  etag: text('etag'),
  validUntil: integer('valid_until').notNull(),
  generation: integer('generation').notNull(),
});

/**
 * One row (id 1, absent until the first global change = generation 0): raised by the writes that
 * may change anyone's holder answer (a key revocation, a registry import), which outdates every
 * stored holder ETag at once.
 */
export const holderAnswerGeneration = sqliteTable('holder_answer_generation', {
  id: integer('id').primaryKey(),
  generation: integer('generation').notNull(),
});

/**
 * Venues that keep an entry log (issue 12). The one-time enrolment code and the venue credential
 * are stored as SHA-256 only, like partner API keys; enrolment clears the code's hash.
 */
export const venues = sqliteTable(
  'venues',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    enrolmentCodeHash: text('enrolment_code_hash'),
    enrolmentExpiresAt: integer('enrolment_expires_at'),
    credentialHash: text('credential_hash'),
    createdAt: integer('created_at').notNull(),
    enrolledAt: integer('enrolled_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [uniqueIndex('venues_enrolment_code_hash').on(t.enrolmentCodeHash), uniqueIndex('venues_credential_hash').on(t.credentialHash)],
);

/**
 * Uploaded entry-log batches: HPKE ciphertext only (JSON array of {kid, enc, ct}), which the issuer
 * cannot open. `day` (unix day, UTC) is the earlier of the upload day and the day of the batch's
 * oldest record as the venue states it, so a venue can shorten its records' stay, never lengthen
 * it; the retention job deletes by it. No upload time is kept: with scanners online it would be each entry's time to the minute.
 * (venue_id, batch_id) is unique: a batch is stored once.
 */
export const entryBatches = sqliteTable(
  'entry_batches',
  {
    venueId: text('venue_id').notNull().references(() => venues.id),
    batchId: text('batch_id').notNull(),
    day: integer('day').notNull(),
    recordCount: integer('record_count').notNull(),
    /** Hex SHA-256 of `records`: a retry of the same batch is recognised, a different batch under a used id refused. */
    digest: text('digest').notNull(),
    records: text('records').notNull(),
  },
  (t) => [uniqueIndex('entry_batches_venue_batch').on(t.venueId, t.batchId), index('entry_batches_venue_day').on(t.venueId, t.day), index('entry_batches_day').on(t.day)],
);

/**
 * Readiness's write probe after a storage failure (a full disk, a lost connection): one row written
 * and deleted in one transaction, so it needs a new page and a commit like any real write, and
 * leaves nothing behind. Always empty between probes.
 */
export const storageProbe = sqliteTable('storage_probe', {
  id: integer('id').primaryKey(),
  filler: text('filler').notNull(),
});
