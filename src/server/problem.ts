// Every error the API can answer, with its HTTP status and a stable code (RFC 9457 problem
// details). Routes throw ApiError with a code; the one error handler turns it into problem+json.

export const PROBLEMS = {
  BAD_REQUEST: { status: 400, title: 'The request is not valid' },
  INVALID_JSON: { status: 400, title: 'The request body is not valid JSON' },
  DUPLICATE_JSON_KEY: { status: 400, title: 'The request body repeats a JSON key' },
  FORBIDDEN_JSON_KEY: { status: 400, title: 'The request body uses a forbidden JSON key' },
  VALIDATION_FAILED: { status: 422, title: 'The request body does not match the schema' },
  SERVER_SET_FIELD: { status: 422, title: 'The request tries to set a field only the issuer sets' },
  INVALID_BIRTH_DATE: { status: 422, title: 'The birth date is not plausible' },
  INVALID_NAME: { status: 422, title: 'The name cannot go on a pass' },
  NATIONAL_ID_REFUSED: { status: 422, title: 'Resident registration numbers are never processed' },
  AMBIGUOUS_HOST: { status: 400, title: 'The request has more than one Host header' },
  CREDENTIALS_IN_URL: { status: 400, title: 'Credentials must not be sent in the URL' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'The request body must be application/json' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication is required' },
  INVALID_API_KEY: { status: 401, title: 'The API key is not valid' },
  API_KEY_REVOKED: { status: 401, title: 'The API key has been revoked' },
  INVALID_ID_TOKEN: { status: 401, title: 'The ID token is not valid' },
  INVALID_ADMIN_TOKEN: { status: 401, title: 'The admin credential is not valid' },
  PERSON_PROOF_REJECTED: { status: 403, title: "The person's proof of sign-in is missing or not accepted" },
  CSRF_TOKEN_INVALID: { status: 403, title: 'The CSRF token is missing or wrong' },
  INSUFFICIENT_SCOPE: { status: 403, title: 'The API key does not have the required scope' },
  PERSON_ON_HOLD: { status: 403, title: 'No pass can be issued for this person now' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  PERSON_NOT_FOUND: { status: 404, title: 'No person in the registry matches' },
  PASS_NOT_FOUND: { status: 404, title: 'No such pass' },
  KEY_NOT_FOUND: { status: 404, title: 'No such issuer key' },
  PASS_REVOKED: { status: 410, title: 'The pass for this request has been revoked' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed' },
  PERSON_DETAILS_MISMATCH: { status: 422, title: "The name or birth date differs from the signed-in person's registry record" },
  AMBIGUOUS_PERSON: { status: 409, title: 'More than one person in the registry matches' },
  PARTNER_EXISTS: { status: 409, title: 'A partner with this id already exists' },
  IDEMPOTENCY_KEY_MISSING: { status: 400, title: 'The Idempotency-Key header is required' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'The Idempotency-Key was already used with a different request body' },
  NOTHING_TO_ISSUE: { status: 422, title: 'The registry has no facts for this pass type' },
  REGISTRY_RECORD_INVALID: { status: 422, title: 'The registry record cannot be put on a pass' },
  VERSION_NOT_AVAILABLE: { status: 400, title: 'The requested bundle version is not available' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  DEV_IDP_DISABLED: { status: 404, title: 'The development identity provider is off' },
  ADMIN_DISABLED: { status: 503, title: 'The admin API is not configured' },
  ISSUANCE_SELF_CHECK_FAILED: { status: 503, title: "The new pass would be refused by the issuer's own verifier" },
  NO_SIGNING_KEY: { status: 503, title: 'No issuer key can sign now' },
  BUNDLE_NOT_PUBLISHABLE: { status: 503, title: 'The trust bundle would be refused by scanners' },
  IDENTITY_PROVIDER_UNAVAILABLE: { status: 503, title: 'The identity provider cannot be reached' },
  SIGN_IN_UNAVAILABLE: { status: 503, title: 'Holder sign-in is not configured' },
  NOT_READY: { status: 503, title: 'The service is not ready' },
  OVERLOADED: { status: 503, title: 'The issuer is at capacity' },
  // Storage conditions (src/db/storage-failure.ts): the request was not completed; retry later.
  STORAGE_FULL: { status: 503, title: "The issuer's storage is full" },
  STORAGE_BUSY: { status: 503, title: 'The database is busy' },
  STORAGE_CORRUPT: { status: 503, title: "The issuer's database is damaged" },
  STORAGE_UNAVAILABLE: { status: 503, title: 'The database cannot be reached' },
  // Nobody reads this answer (the client is gone); the code is for the access log.
  CLIENT_GONE: { status: 503, title: 'The client closed the connection before the work started' },
  INTERNAL: { status: 500, title: 'Internal error' },
  // Venue entry log (docs/entry-log.md).
  ENTRY_LOG_DISABLED: { status: 404, title: 'The venue entry log is not configured on this issuer' },
  VENUE_EXISTS: { status: 409, title: 'A venue with this id already exists' },
  VENUE_NOT_FOUND: { status: 404, title: 'No such venue' },
  ENROLMENT_CODE_INVALID: { status: 403, title: 'The enrolment code is not valid, used or expired' },
  INVALID_VENUE_CREDENTIAL: { status: 401, title: 'The venue credential is not valid' },
  VENUE_MISMATCH: { status: 403, title: 'The venue credential belongs to another venue' },
  BATCH_ID_REUSED: { status: 409, title: 'This batch id was already used for a different batch' },
  BATCH_TOO_LARGE: { status: 413, title: 'The batch has more records than allowed' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEMS;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ProblemCode,
    /** Human-readable detail. Never personal data: it is echoed to the client and may be logged. */
    readonly detail: string,
    readonly headers: Readonly<Record<string, string>> = {},
    /** Extra problem members (RFC 9457 §3.2), e.g. the fields that failed validation. */
    readonly extensions: Readonly<Record<string, unknown>> = {},
  ) {
    super(detail);
  }
}

export const PROBLEM_TYPE_BASE = 'https://vaxpass.dev/problems/';

export function problemType(code: ProblemCode): string {
  return PROBLEM_TYPE_BASE + code.toLowerCase().replaceAll('_', '-');
}
