// One registry record as it arrives in an import file (CSV or NDJSON), validated into the shape
// the registry tables store. Errors name the field, never its value: import reports may be shared
// and must not carry personal data.
import { formatIsoDate, parseIsoDate } from '../core/civil-time.ts';
import { LIMITS, nameProblem } from '../core/pass-content.ts';
import { productCodeByName, VACCINE_PRODUCTS } from '../core/vaccine-products.ts';

export type RegistryRecord =
  | { readonly kind: 'person'; readonly personId: string; readonly name: string; readonly birthDate: string }
  | { readonly kind: 'vaccination'; readonly personId: string; readonly productCode: number; readonly doseDate: string }
  | { readonly kind: 'test'; readonly personId: string; readonly testKind: 'PCR' | 'RAT'; readonly sampledAt: number; readonly result: 'negative' | 'positive' }
  | { readonly kind: 'recovery'; readonly personId: string; readonly firstPositiveTest: string }
  | { readonly kind: 'exemption'; readonly personId: string; readonly validFrom: string; readonly validUntil: string };

export type RecordKind = RegistryRecord['kind'];

/** Fields each kind takes (besides kind and personId); anything else is an error. */
export const RECORD_FIELDS: Readonly<Record<RecordKind, readonly string[]>> = {
  person: ['name', 'birthDate'],
  vaccination: ['product', 'date'],
  test: ['testKind', 'sampledAt', 'result'],
  recovery: ['firstPositiveTest'],
  exemption: ['validFrom', 'validUntil'],
};

/** Every column a CSV file may have, in the documented order. */
export const CSV_COLUMNS = ['kind', 'personId', ...new Set(Object.values(RECORD_FIELDS).flat())] as const;

const PERSON_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
// Korean resident registration number: YYMMDD-GNNNNNN. vaxpass never processes them, so a value
// of that shape anywhere in a record is refused rather than stored.
const RESIDENT_REGISTRATION_NUMBER = /\d{6}\s*-?\s*[1-8]\d{6}/;
/** The first doses in Korea were given on 2021-02-26; anything before 2020-12-01 is implausible. */
export const EARLIEST_DOSE_DATE = '2020-12-01';
const EARLIEST_BIRTH_DATE = '1900-01-01';

export type RecordResult = { ok: true; record: RegistryRecord } | { ok: false; reason: string };

export interface ValidationContext {
  /** Today's civil date in the issuing zone, YYYY-MM-DD (from the server clock). */
  readonly today: string;
  /** Now, unix seconds (from the server clock). */
  readonly now: number;
}

const KINDS = Object.keys(RECORD_FIELDS) as RecordKind[];

/**
 * 'YYYY-MM-DDTHH:MM[:SS[.fff]]' with 'Z' or '±HH:MM' → unix seconds, or null. Strict where
 * Date.parse is lenient: 2021-02-30 does not roll over to 2 March, T24:00 and second 60 are
 * refused, and the offset must be a real one (at most ±18:00).
 */
export function parseOffsetDateTime(text: string): number | null {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(?:Z|([+-])(\d{2}):(\d{2}))$/.exec(text);
  if (!m) return null;
  const day = parseIsoDate(m[1]!);
  const [hour, minute, second] = [Number(m[2]), Number(m[3]), Number(m[4] ?? 0)];
  if (day === null || hour > 23 || minute > 59 || second > 59) return null;
  const offset = m[6] === undefined ? 0 : (m[6] === '-' ? -1 : 1) * (Number(m[7]) * 3600 + Number(m[8]) * 60);
  if (Number(m[8]) > 59 || Math.abs(offset) > 18 * 3600) return null;
  return day * 86_400 + hour * 3600 + minute * 60 + second - offset;
}

export function validateRecord(raw: Record<string, unknown>, ctx: ValidationContext): RecordResult {
  const fail = (reason: string): RecordResult => ({ ok: false, reason });
  for (const [field, value] of Object.entries(raw)) {
    if (typeof value === 'string' && RESIDENT_REGISTRATION_NUMBER.test(value)) {
      return fail(`field ${field} looks like a resident registration number; vaxpass never processes them`);
    }
  }
  const kind = raw.kind;
  if (typeof kind !== 'string' || !KINDS.includes(kind as RecordKind)) return fail(`kind must be one of ${KINDS.join(', ')}`);
  const allowed = new Set(['kind', 'personId', ...RECORD_FIELDS[kind as RecordKind]]);
  for (const [field, value] of Object.entries(raw)) {
    // CSV rows carry every column; an empty cell of another kind's column is not a value.
    if (!allowed.has(field) && value !== '' && value !== undefined && value !== null) return fail(`field ${field} does not belong to a ${kind} record`);
  }
  const personId = raw.personId;
  if (typeof personId !== 'string' || !PERSON_ID.test(personId)) return fail('personId must be 1-64 letters, digits, ".", "_" or "-"');
  const str = (field: string): string | null => (typeof raw[field] === 'string' && raw[field] !== '' ? (raw[field] as string) : null);
  const date = (field: string): string | null => {
    const v = str(field);
    return v !== null && parseIsoDate(v) !== null ? v : null;
  };

  switch (kind as RecordKind) {
    case 'person': {
      const rawName = str('name');
      if (rawName === null) return fail('name is missing');
      const name = rawName.normalize('NFC');
      const problem = nameProblem(name);
      if (problem) return fail(problem);
      const birthDate = date('birthDate');
      if (birthDate === null) return fail('birthDate must be a real date YYYY-MM-DD');
      if (birthDate > ctx.today) return fail('birthDate is in the future');
      if (birthDate < EARLIEST_BIRTH_DATE) return fail(`birthDate is before ${EARLIEST_BIRTH_DATE}`);
      return { ok: true, record: { kind: 'person', personId, name, birthDate } };
    }
    case 'vaccination': {
      const product = raw.product;
      const productCode =
        typeof product === 'number' || (typeof product === 'string' && /^\d+$/.test(product))
          ? VACCINE_PRODUCTS.find((p) => p.code === Number(product))?.code ?? null
          : typeof product === 'string'
            ? productCodeByName(product)
            : null;
      if (productCode === null) return fail(`product is not a known vaccine (${VACCINE_PRODUCTS.map((p) => p.name).join(', ')} or their codes 1-${VACCINE_PRODUCTS.length})`);
      const doseDate = date('date');
      if (doseDate === null) return fail('date must be a real date YYYY-MM-DD');
      if (doseDate > ctx.today) return fail('date is in the future');
      if (doseDate < EARLIEST_DOSE_DATE) return fail(`date is before ${EARLIEST_DOSE_DATE}, earlier than any COVID-19 vaccination`);
      return { ok: true, record: { kind: 'vaccination', personId, productCode, doseDate } };
    }
    case 'test': {
      const testKind = str('testKind');
      if (testKind !== 'PCR' && testKind !== 'RAT') return fail('testKind must be PCR or RAT');
      const sampled = str('sampledAt');
      // An explicit offset is required: a local time without a zone is exactly the ambiguity that breaks eligibility checks.
      const sampledAt = sampled === null ? null : parseOffsetDateTime(sampled);
      if (sampledAt === null) return fail('sampledAt must be a real ISO 8601 date-time (hours 00-23) with a time-zone offset');
      if (sampledAt > ctx.now + 300) return fail('sampledAt is in the future');
      const result = str('result');
      if (result !== 'negative' && result !== 'positive') return fail('result must be negative or positive');
      return { ok: true, record: { kind: 'test', personId, testKind, sampledAt, result } };
    }
    case 'recovery': {
      const firstPositiveTest = date('firstPositiveTest');
      if (firstPositiveTest === null) return fail('firstPositiveTest must be a real date YYYY-MM-DD');
      if (firstPositiveTest > ctx.today) return fail('firstPositiveTest is in the future');
      if (firstPositiveTest < '2019-12-01') return fail('firstPositiveTest is before 2019-12-01');
      return { ok: true, record: { kind: 'recovery', personId, firstPositiveTest } };
    }
    case 'exemption': {
      const validFrom = date('validFrom');
      const validUntil = date('validUntil');
      if (validFrom === null || validUntil === null) return fail('validFrom and validUntil must be real dates YYYY-MM-DD');
      if (validUntil < validFrom) return fail('validUntil is before validFrom');
      // The pass format stores days as a 16-bit count (docs/pass-format.md §3): a later end would be
      // signed and then refused by every scanner as MALFORMED.
      if (parseIsoDate(validUntil)! > LIMITS.maxCivilDay) return fail(`validUntil is after ${formatIsoDate(LIMITS.maxCivilDay)}, the last date a pass can carry`);
      return { ok: true, record: { kind: 'exemption', personId, validFrom, validUntil } };
    }
  }
}
