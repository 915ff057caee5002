// Validity rules are data carried in the signed trust bundle and evaluated here, so a policy
// change reaches every scanner at its next bundle sync without re-issuing passes.
// Day counting: the anchor date (dose, first positive test) is day 0; a window
// { validFromDay: 14, validDays: 180 } accepts civil days 14 .. 193 in the rules' time zone.
import type { CivilDay } from './civil-time.ts';
import { civilDayAt, formatIsoDate, startOfCivilDay } from './civil-time.ts';
import type { PassContent, TestKind } from './pass-content.ts';

export interface DayWindow {
  readonly validFromDay: number;
  /** null: no end (the pass's own exp still applies). */
  readonly validDays: number | null;
}

export interface Rules {
  /** IANA zone whose calendar dates and day counts use. */
  readonly timeZone: string;
  /** Tolerated clock difference for iat/nbf, in seconds. */
  readonly clockSkewSeconds: number;
  readonly vaccination: {
    /** Accepted product codes → doses that complete the primary series. */
    readonly products: Readonly<Record<string, { readonly primaryDoses: number }>>;
    readonly primary: DayWindow;
    /** The first dose after a complete primary series; null: boosters are not recognised. */
    readonly booster: DayWindow | null;
  } | null;
  readonly test: { readonly kinds: Readonly<Partial<Record<TestKind, { readonly validHours: number }>>> } | null;
  readonly recovery: DayWindow | null;
  readonly exemption: { readonly accepted: boolean } | null;
}

/** Korea, January 2022 (the demo policy). */
export const DEFAULT_RULES: Rules = {
  timeZone: 'Asia/Seoul',
  clockSkewSeconds: 300,
  vaccination: {
    products: { '1': { primaryDoses: 2 }, '2': { primaryDoses: 2 }, '3': { primaryDoses: 2 }, '4': { primaryDoses: 1 }, '5': { primaryDoses: 2 } },
    primary: { validFromDay: 14, validDays: 180 },
    booster: { validFromDay: 0, validDays: null },
  },
  test: { kinds: { PCR: { validHours: 48 } } },
  recovery: { validFromDay: 11, validDays: 170 },
  exemption: { accepted: true },
};

export type RuleOutcome =
  | { readonly ok: true; readonly rule: string; readonly validUntil: number | null }
  | { readonly ok: false; readonly rule: string; readonly message: string };

/** Evaluates the pass's facts at `now` (unix seconds). */
export function evaluateRules(content: PassContent, rules: Rules, now: number): RuleOutcome {
  const today = civilDayAt(now, rules.timeZone);
  switch (content.type) {
    case 'vaccination':
      return evaluateVaccination(content.doses, rules, today);
    case 'test': {
      const kind = rules.test?.kinds[content.test.kind];
      if (!kind) return { ok: false, rule: 'test', message: `${content.test.kind} tests are not accepted` };
      if (content.test.result !== 'negative') return { ok: false, rule: 'test', message: 'test result is not negative' };
      if (content.test.sampledAt > now + rules.clockSkewSeconds) return { ok: false, rule: 'test', message: 'test sample time is in the future' };
      const end = content.test.sampledAt + kind.validHours * 3600;
      if (now >= end) return { ok: false, rule: 'test', message: `test is older than ${kind.validHours} hours` };
      return { ok: true, rule: 'test', validUntil: end };
    }
    case 'recovery':
      if (!rules.recovery) return { ok: false, rule: 'recovery', message: 'recovery passes are not accepted' };
      return windowOutcome('recovery', content.recovery.firstPositiveTest, rules.recovery, today, rules.timeZone);
    case 'exemption': {
      if (!rules.exemption?.accepted) return { ok: false, rule: 'exemption', message: 'exemptions are not accepted' };
      const { validFrom, validUntil } = content.exemption;
      if (today < validFrom) return { ok: false, rule: 'exemption', message: `exemption starts on ${formatIsoDate(validFrom)}` };
      if (today > validUntil) return { ok: false, rule: 'exemption', message: `exemption ended on ${formatIsoDate(validUntil)}` };
      return { ok: true, rule: 'exemption', validUntil: startOfCivilDay(validUntil + 1, rules.timeZone) };
    }
  }
}

function evaluateVaccination(doses: readonly { product: number; date: CivilDay }[], rules: Rules, today: CivilDay): RuleOutcome {
  const v = rules.vaccination;
  if (!v) return { ok: false, rule: 'vaccination', message: 'vaccination passes are not accepted' };
  for (const dose of doses) {
    if (!Object.hasOwn(v.products, String(dose.product))) return { ok: false, rule: 'vaccination', message: `vaccine product ${dose.product} is not accepted` };
  }
  const first = doses[0];
  if (!first) return { ok: false, rule: 'vaccination', message: 'no doses' };
  const required = v.products[String(first.product)]!.primaryDoses;
  if (doses.length < required) return { ok: false, rule: 'vaccination.primary', message: `primary series is incomplete (${doses.length} of ${required} doses)` };
  const booster = doses[required];
  if (booster && v.booster) {
    const outcome = windowOutcome('vaccination.booster', booster.date, v.booster, today, rules.timeZone);
    if (outcome.ok) return outcome;
  }
  return windowOutcome('vaccination.primary', doses[required - 1]!.date, v.primary, today, rules.timeZone);
}

function windowOutcome(rule: string, anchor: CivilDay, window: DayWindow, today: CivilDay, timeZone: string): RuleOutcome {
  const first = anchor + window.validFromDay;
  if (today < first) return { ok: false, rule, message: `not valid before ${formatIsoDate(first)}` };
  if (window.validDays === null) return { ok: true, rule, validUntil: null };
  const end = first + window.validDays;
  if (today >= end) return { ok: false, rule, message: `validity ended on ${formatIsoDate(end - 1)}` };
  return { ok: true, rule, validUntil: startOfCivilDay(end, timeZone) };
}
