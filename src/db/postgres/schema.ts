// The same database as src/db/schema.ts and registry-schema.ts, declared for PostgreSQL. Tables,
// columns, nullability and indexes must match the SQLite declarations one for one, and each
// column must give query functions the same TypeScript value (test/db/schema-drift.test.ts fails
// when they drift). Unix seconds, ids and versions are bigint (mode number, exact up to 2^53) so
// they do not end in 2038 or at 2^31, and any JavaScript number a query binds fits.
import { sql } from 'drizzle-orm';
import { bigint, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';

const seconds = (name: string) => bigint(name, { mode: 'number' });

export const people = pgTable(
  'people',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    birthDate: text('birth_date').notNull(),
    createdAt: seconds('created_at').notNull(),
  },
  (t) => [index('people_birth_date_name').on(t.birthDate, t.name)],
);

export const vaccinationEvents = pgTable(
  'vaccination_events',
  {
    id: text('id').primaryKey(),
    personId: text('person_id').notNull().references(() => people.id),
    productCode: integer('product_code').notNull(),
    doseDate: text('dose_date').notNull(),
    createdAt: seconds('created_at').notNull(),
  },
  (t) => [uniqueIndex('vaccination_events_person_date').on(t.personId, t.doseDate)],
);

export const testResults = pgTable(
  'test_results',
  {
    id: text('id').primaryKey(),
    personId: text('person_id').notNull().references(() => people.id),
    kind: text('kind', { enum: ['PCR', 'RAT'] }).notNull(),
    sampledAt: seconds('sampled_at').notNull(),
    result: text('result', { enum: ['negative', 'positive'] }).notNull(),
    createdAt: seconds('created_at').notNull(),
  },
  (t) => [uniqueIndex('test_results_person_sampled').on(t.personId, t.sampledAt)],
);

export const recoveries = pgTable(
  'recoveries',
  {
    id: text('id').primaryKey(),
    personId: text('person_id').notNull().references(() => people.id),
    firstPositiveTest: text('first_positive_test').notNull(),
    createdAt: seconds('created_at').notNull(),
  },
  (t) => [uniqueIndex('recoveries_person_date').on(t.personId, t.firstPositiveTest)],
);

export const exemptions = pgTable(
  'exemptions',
  {
    id: text('id').primaryKey(),
    personId: text('person_id').notNull().references(() => people.id),
    validFrom: text('valid_from').notNull(),
    validUntil: text('valid_until').notNull(),
    createdAt: seconds('created_at').notNull(),
  },
  (t) => [uniqueIndex('exemptions_person_from').on(t.personId, t.validFrom)],
);

export const partners = pgTable(
  'partners',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    apiKeyHash: text('api_key_hash').notNull(),
    scopes: text('scopes').notNull(),
    quotaPerMinute: integer('quota_per_minute').notNull(),
    createdAt: seconds('created_at').notNull(),
    revokedAt: seconds('revoked_at'),
    oidcClientId: text('oidc_client_id'),
    registryTrusted: integer('registry_trusted').notNull().default(0),
  },
  (t) => [uniqueIndex('partners_api_key_hash').on(t.apiKeyHash)],
);

export const usedPersonProofs = pgTable(
  'used_person_proofs',
  {
    tokenHash: text('token_hash').primaryKey(),
    partnerId: text('partner_id').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    expiresAt: seconds('expires_at').notNull(),
  },
  (t) => [index('used_person_proofs_expires_at').on(t.expiresAt)],
);

export const issuedPasses = pgTable(
  'issued_passes',
  {
    passId: text('pass_id').primaryKey(),
    personId: text('person_id').notNull().references(() => people.id),
    kid: text('kid').notNull(),
    type: text('type', { enum: ['vaccination', 'test', 'recovery', 'exemption'] }).notNull(),
    iat: seconds('iat').notNull(),
    exp: seconds('exp').notNull(),
    issuedBy: text('issued_by').notNull(),
    factsHash: text('facts_hash').notNull(),
    text: text('text').notNull(),
    createdAt: seconds('created_at').notNull(),
  },
  (t) => [
    index('issued_passes_holder_reuse').on(t.personId, t.issuedBy, t.type, t.factsHash, t.iat),
    index('issued_passes_issued_by').on(t.issuedBy),
    index('issued_passes_exp').on(t.exp),
    // As in src/db/schema.ts: the bundle's 40-bit revocation prefixes are exact only while unique.
    uniqueIndex('issued_passes_pass_id_prefix').on(sql`substr(${t.passId}, 1, 10)`),
  ],
);

export const revocations = pgTable(
  'revocations',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    kind: text('kind', { enum: ['pass', 'key'] }).notNull(),
    subject: text('subject').notNull(),
    reason: text('reason'),
    revokedAt: seconds('revoked_at').notNull(),
    revokedBy: text('revoked_by').notNull(),
    bundleVersion: bigint('bundle_version', { mode: 'number' }).notNull(),
  },
  (t) => [uniqueIndex('revocations_kind_subject').on(t.kind, t.subject), index('revocations_bundle_version').on(t.bundleVersion)],
);

export const personHolds = pgTable('person_holds', {
  personId: text('person_id')
    .primaryKey()
    .references(() => people.id),
  reason: text('reason'),
  heldAt: seconds('held_at').notNull(),
});

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    at: seconds('at').notNull(),
    actor: text('actor').notNull(),
    action: text('action').notNull(),
    passId: text('pass_id'),
    personId: text('person_id'),
    requestId: text('request_id'),
    detail: text('detail'),
  },
  (t) => [index('audit_log_at').on(t.at)],
);

export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    partnerId: text('partner_id').notNull().references(() => partners.id),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    responseStatus: integer('response_status').notNull(),
    responseBody: text('response_body').notNull(),
    createdAt: seconds('created_at').notNull(),
  },
  (t) => [uniqueIndex('idempotency_keys_partner_key').on(t.partnerId, t.key), index('idempotency_keys_created_at').on(t.createdAt)],
);

export const bundleVersions = pgTable('bundle_versions', {
  version: bigint('version', { mode: 'number' }).primaryKey(),
  issuedAt: seconds('issued_at').notNull(),
  expiresAt: seconds('expires_at').notNull(),
  contentHash: text('content_hash').notNull(),
  jws: text('jws').notNull(),
});

export const holderSessions = pgTable(
  'holder_sessions',
  {
    idHash: text('id_hash').primaryKey(),
    personId: text('person_id'),
    csrfToken: text('csrf_token').notNull(),
    pkceVerifier: text('pkce_verifier'),
    state: text('state'),
    nonce: text('nonce'),
    createdAt: seconds('created_at').notNull(),
    expiresAt: seconds('expires_at').notNull(),
  },
  (t) => [index('holder_sessions_expires_at').on(t.expiresAt)],
);

// Stored holder ETags and their global generation (src/db/schema.ts explains them).
export const holderAnswers = pgTable('holder_answers', {
  personId: text('person_id').primaryKey(),
  changes: bigint('changes', { mode: 'number' }).notNull(),
  etag: text('etag'),
  validUntil: seconds('valid_until').notNull(),
  generation: bigint('generation', { mode: 'number' }).notNull(),
});

export const holderAnswerGeneration = pgTable('holder_answer_generation', {
  id: integer('id').primaryKey(),
  generation: bigint('generation', { mode: 'number' }).notNull(),
});

export const venues = pgTable(
  'venues',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    enrolmentCodeHash: text('enrolment_code_hash'),
    enrolmentExpiresAt: seconds('enrolment_expires_at'),
    credentialHash: text('credential_hash'),
    createdAt: seconds('created_at').notNull(),
    enrolledAt: seconds('enrolled_at'),
    revokedAt: seconds('revoked_at'),
  },
  (t) => [uniqueIndex('venues_enrolment_code_hash').on(t.enrolmentCodeHash), uniqueIndex('venues_credential_hash').on(t.credentialHash)],
);

export const entryBatches = pgTable(
  'entry_batches',
  {
    venueId: text('venue_id').notNull().references(() => venues.id),
    batchId: text('batch_id').notNull(),
    day: integer('day').notNull(),
    recordCount: integer('record_count').notNull(),
    digest: text('digest').notNull(),
    records: text('records').notNull(),
  },
  (t) => [uniqueIndex('entry_batches_venue_batch').on(t.venueId, t.batchId), index('entry_batches_venue_day').on(t.venueId, t.day), index('entry_batches_day').on(t.day)],
);

export const storageProbe = pgTable('storage_probe', {
  id: integer('id').primaryKey(),
  filler: text('filler').notNull(),
});
