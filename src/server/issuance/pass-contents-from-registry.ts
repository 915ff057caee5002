// Registry facts → the pass contents a person can be issued at `now`. A record the format cannot
// carry truthfully (unknown product, a dose in the future, an implausible birth date, a name
// with control characters) is refused with a reason, never silently altered.
import { civilDayAt, formatIsoDate, parseIsoDate, startOfCivilDay } from '../../core/civil-time.ts';
import { LIMITS, nameProblem, type Dose, type PassContent } from '../../core/pass-content.ts';
import { productName } from '../../core/vaccine-products.ts';
import type { PassType } from '../../core/verification-result.ts';
import type { PersonFacts, PersonRecord } from '../../db/queries/registry.ts';

/** A test pass is worth issuing only while the sample is this fresh; the rules decide acceptance. */
const TEST_ISSUE_WINDOW_SECONDS = 7 * 86_400;

export type ContentsResult = { ok: true; contents: PassContent[] } | { ok: false; detail: string };

export function passContentsFromRegistry(person: PersonRecord, facts: PersonFacts, now: number, timeZone: string): ContentsResult {
  const name = person.name.normalize('NFC');
  const problem = nameProblem(name);
  if (problem) return { ok: false, detail: `the registry name cannot go on a pass: ${problem}` };
  const today = civilDayAt(now, timeZone);
  const birthDate = parseIsoDate(person.birthDate);
  if (birthDate === null || birthDate < LIMITS.minCivilDay || birthDate > today) {
    return { ok: false, detail: 'the registry birth date is not a plausible date (not a real date, before 1870 or in the future)' };
  }
  const base = { name, birthDate };
  const contents: PassContent[] = [];

  if (facts.doses.length > 0) {
    const doses: Dose[] = [];
    for (const dose of facts.doses) {
      const date = parseIsoDate(dose.doseDate);
      if (productName(dose.productCode) === null) return { ok: false, detail: `the registry lists unknown vaccine product code ${dose.productCode}` };
      if (date === null || date > today) return { ok: false, detail: `the registry lists a dose dated ${dose.doseDate}, which is in the future or not a date` };
      if (date < birthDate) return { ok: false, detail: `the registry lists a dose dated ${dose.doseDate}, before the birth date` };
      doses.push({ product: dose.productCode, date });
    }
    doses.sort((a, b) => a.date - b.date);
    // The rules look at the primary series and the first booster, which are the earliest doses.
    contents.push({ ...base, type: 'vaccination', doses: doses.slice(0, LIMITS.maxDoses) });
  }

  const test = facts.tests.filter((t) => t.result === 'negative' && t.sampledAt <= now && t.sampledAt + TEST_ISSUE_WINDOW_SECONDS > now).at(-1);
  if (test) contents.push({ ...base, type: 'test', test: { kind: test.kind, sampledAt: test.sampledAt, result: test.result } });

  const recovery = facts.recoveries.map((r) => parseIsoDate(r.firstPositiveTest)).filter((d): d is number => d !== null && d <= today && d >= birthDate).at(-1);
  if (recovery !== undefined) contents.push({ ...base, type: 'recovery', recovery: { firstPositiveTest: recovery } });

  const exemption = facts.exemptions
    .map((e) => ({ validFrom: parseIsoDate(e.validFrom), validUntil: parseIsoDate(e.validUntil) }))
    .filter((e): e is { validFrom: number; validUntil: number } => e.validFrom !== null && e.validUntil !== null && e.validFrom <= e.validUntil && e.validUntil >= today)
    .at(-1);
  if (exemption) contents.push({ ...base, type: 'exemption', exemption });

  return { ok: true, contents };
}

/**
 * The first moment after `now` at which passContentsFromRegistry may answer differently for the
 * same records: the next civil day (doses, recoveries, exemptions and the birth date are compared
 * with today) or a test result entering or leaving its issue window. Until then the contents
 * depend on nothing but the records, so a stored holder ETag can stay valid.
 */
export function contentsChangeAt(facts: PersonFacts, now: number, timeZone: string): number {
  let at = startOfCivilDay(civilDayAt(now, timeZone) + 1, timeZone);
  for (const t of facts.tests) {
    for (const edge of [t.sampledAt, t.sampledAt + TEST_ISSUE_WINDOW_SECONDS]) if (edge > now && edge < at) at = edge;
  }
  return at;
}

export function holderOf(content: PassContent): { name: string; birthDate: string } {
  return { name: content.name, birthDate: formatIsoDate(content.birthDate) };
}

export function contentOfType(contents: readonly PassContent[], type: PassType): PassContent | undefined {
  return contents.find((c) => c.type === type);
}
