// CWT claims map of a vaxpass v1 payload (docs/pass-format.md §3). Integer labels keep the pass
// small enough for a version-9/10 QR code.
import type { CborValue } from './cbor.ts';
import { decodeStrictCbor, encodeCbor } from './cbor.ts';
import type { Dose, Pass, PassContent, PassFacts, TestKind, TestOutcome } from './pass-content.ts';
import { LIMITS, nameProblem } from './pass-content.ts';

// RFC 8392 §3.1 registered claim keys.
const CLAIM = { iss: 1, exp: 4, nbf: 5, iat: 6, cti: 7 } as const;
/** Private-use claim key (IANA CWT registry: integers below -65536 are private use). */
export const VAXPASS_CLAIM = -65537;
const HOLDER = { name: 1, birthDate: 2, type: 3, facts: 4, deviceKey: 5 } as const;
const TYPE_CODES = { vaccination: 1, test: 2, recovery: 3, exemption: 4 } as const;
const TEST_KIND_CODES: Record<TestKind, number> = { PCR: 1, RAT: 2 };
const TEST_OUTCOME_CODES: Record<TestOutcome, number> = { negative: 0, positive: 1 };

export function encodeClaims(pass: Pass): Uint8Array {
  const c = pass.content;
  const holder = new Map<CborValue, CborValue>([
    [HOLDER.name, c.name],
    [HOLDER.birthDate, c.birthDate],
    [HOLDER.type, TYPE_CODES[c.type]],
    [HOLDER.facts, encodeFacts(c)],
  ]);
  if (c.deviceKey) holder.set(HOLDER.deviceKey, c.deviceKey);
  return encodeCbor(
    new Map<CborValue, CborValue>([
      [CLAIM.iss, pass.iss],
      [CLAIM.exp, pass.exp],
      [CLAIM.nbf, pass.nbf],
      [CLAIM.iat, pass.iat],
      [CLAIM.cti, pass.cti],
      [VAXPASS_CLAIM, holder],
    ]),
  );
}

function encodeFacts(c: PassFacts): CborValue {
  switch (c.type) {
    case 'vaccination':
      return c.doses.map((d) => [d.product, d.date]);
    case 'test':
      return [TEST_KIND_CODES[c.test.kind], c.test.sampledAt, TEST_OUTCOME_CODES[c.test.result]];
    case 'recovery':
      return c.recovery.firstPositiveTest;
    case 'exemption':
      return [c.exemption.validFrom, c.exemption.validUntil];
  }
}

export type ClaimsDecodeResult = { ok: true; pass: Pass } | { ok: false; message: string };

class ClaimsError extends Error {}

function need(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ClaimsError(message);
}

function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

/** Times are unix seconds below 2^40 (docs/pass-format.md §3); isInt's bounds are inclusive. */
const MAX_TIME = 2 ** 40 - 1;

function civilDay(v: CborValue | undefined, what: string): number {
  need(isInt(v, LIMITS.minCivilDay, LIMITS.maxCivilDay), `${what} is not a date`);
  return v;
}

function exactKeys(map: Map<CborValue, CborValue>, allowed: readonly number[], what: string): void {
  for (const key of map.keys()) need(typeof key === 'number' && allowed.includes(key), `${what} has an unknown field ${String(key)}`);
}

/** Decodes and validates a payload. Unknown fields are refused: a new field means a new format version. */
export function decodeClaims(payload: Uint8Array): ClaimsDecodeResult {
  try {
    return { ok: true, pass: readClaims(decodeStrictCbor(payload)) };
  } catch (e) {
    if (e instanceof ClaimsError) return { ok: false, message: e.message };
    throw e;
  }
}

function readClaims(map: CborValue | null): Pass {
  need(map instanceof Map, 'payload is not a CBOR map');
  exactKeys(map, [CLAIM.iss, CLAIM.exp, CLAIM.nbf, CLAIM.iat, CLAIM.cti, VAXPASS_CLAIM], 'payload');
  const iss = map.get(CLAIM.iss);
  need(typeof iss === 'string' && iss.length > 0 && iss.length <= LIMITS.issMaxLength && /^[\x21-\x7e]+$/.test(iss), 'iss is missing or invalid');
  const iat = map.get(CLAIM.iat);
  const nbf = map.get(CLAIM.nbf);
  const exp = map.get(CLAIM.exp);
  need(isInt(iat, 0, MAX_TIME), 'iat is missing or invalid');
  need(isInt(nbf, 0, MAX_TIME), 'nbf is missing or invalid');
  need(isInt(exp, 0, MAX_TIME), 'exp is missing or invalid');
  need(exp > iat, 'exp is not after iat');
  need(nbf <= exp, 'nbf is after exp');
  const cti = map.get(CLAIM.cti);
  need(cti instanceof Uint8Array && cti.length >= LIMITS.ctiMinBytes && cti.length <= LIMITS.ctiMaxBytes, 'cti (pass id) is missing or invalid');
  return { iss, iat, nbf, exp, cti, content: readHolder(map.get(VAXPASS_CLAIM)) };
}

function readHolder(h: CborValue | undefined): PassContent {
  need(h instanceof Map, 'vaxpass claim is missing');
  exactKeys(h, [HOLDER.name, HOLDER.birthDate, HOLDER.type, HOLDER.facts, HOLDER.deviceKey], 'vaxpass claim');
  const name = h.get(HOLDER.name);
  need(typeof name === 'string', 'name is missing');
  const problem = nameProblem(name);
  need(problem === null, problem ?? '');
  const birthDate = civilDay(h.get(HOLDER.birthDate), 'birth date');
  const deviceKey = h.get(HOLDER.deviceKey);
  need(deviceKey === undefined || (deviceKey instanceof Uint8Array && deviceKey.length === LIMITS.deviceKeyBytes), 'device key is not 32 bytes');
  const content = readFacts(h.get(HOLDER.type), h.get(HOLDER.facts), name, birthDate);
  // Literal objects rather than spreads: this runs once per verification.
  return deviceKey === undefined ? content : { ...content, deviceKey };
}

function readFacts(type: CborValue | undefined, facts: CborValue | undefined, name: string, birthDate: number): PassContent {
  switch (type) {
    case TYPE_CODES.vaccination: {
      need(Array.isArray(facts) && facts.length >= 1 && facts.length <= LIMITS.maxDoses, 'doses are missing or too many');
      const doses: Dose[] = facts.map((d) => {
        need(Array.isArray(d) && d.length === 2 && isInt(d[0], 1, 255), 'dose is invalid');
        return { product: d[0], date: civilDay(d[1], 'dose date') };
      });
      for (let i = 1; i < doses.length; i++) need(doses[i]!.date >= doses[i - 1]!.date, 'doses are not in date order');
      return { name, birthDate, type: 'vaccination', doses };
    }
    case TYPE_CODES.test: {
      need(Array.isArray(facts) && facts.length === 3, 'test facts are invalid');
      const kind = (Object.keys(TEST_KIND_CODES) as TestKind[]).find((k) => TEST_KIND_CODES[k] === facts[0]);
      const result = (Object.keys(TEST_OUTCOME_CODES) as TestOutcome[]).find((k) => TEST_OUTCOME_CODES[k] === facts[2]);
      need(kind !== undefined, 'test kind is unknown');
      need(result !== undefined, 'test result is unknown');
      need(isInt(facts[1], 0, MAX_TIME), 'test sample time is invalid');
      return { name, birthDate, type: 'test', test: { kind, sampledAt: facts[1], result } };
    }
    case TYPE_CODES.recovery:
      return { name, birthDate, type: 'recovery', recovery: { firstPositiveTest: civilDay(facts, 'first positive test date') } };
    case TYPE_CODES.exemption: {
      need(Array.isArray(facts) && facts.length === 2, 'exemption facts are invalid');
      const validFrom = civilDay(facts[0], 'exemption start');
      const validUntil = civilDay(facts[1], 'exemption end');
      need(validFrom <= validUntil, 'exemption ends before it starts');
      return { name, birthDate, type: 'exemption', exemption: { validFrom, validUntil } };
    }
    default:
      throw new ClaimsError('pass type is unknown');
  }
}
