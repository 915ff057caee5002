// Facts that cannot be true of any person, even in a correctly signed pass: a birth after the pass
// was issued, a dose before birth, a test sampled after its own pass was signed. An issuer bug or a
// compromised issuing pipeline can sign such data; a verifier that accepts it would report VALID for
// a pass that describes nobody. Checked against the pass's own iat, in the rules' calendar, with the
// rules' clock tolerance — never against the verifier's clock, so the answer does not drift.
import type { CivilDay } from './civil-time.ts';
import { civilDayAt, formatIsoDate } from './civil-time.ts';
import type { Pass } from './pass-content.ts';

export interface PlausibilityContext {
  readonly timeZone: string;
  readonly clockSkewSeconds: number;
}

/** Why the pass's facts are impossible, or null when they are possible. */
export function implausibility(pass: Pass, context: PlausibilityContext): string | null {
  const c = pass.content;
  const issuedUntil = pass.iat + context.clockSkewSeconds;
  const issueDay = civilDayAt(issuedUntil, context.timeZone);
  const day = (d: CivilDay): string => formatIsoDate(d);
  if (c.birthDate > issueDay) return `birth date ${day(c.birthDate)} is after the pass was issued (${day(issueDay)})`;
  const notBeforeBirth = (d: CivilDay, what: string): string | null =>
    d < c.birthDate ? `${what} ${day(d)} is before the birth date ${day(c.birthDate)}` : null;
  const notAfterIssue = (d: CivilDay, what: string): string | null =>
    d > issueDay ? `${what} ${day(d)} is after the pass was issued (${day(issueDay)})` : null;
  switch (c.type) {
    case 'vaccination':
      for (const [i, dose] of c.doses.entries()) {
        const what = `dose ${i + 1}`;
        const problem = notBeforeBirth(dose.date, what) ?? notAfterIssue(dose.date, what);
        if (problem) return problem;
        // Two doses of a series on one day are not a schedule any product has; a same-day
        // duplicate is a registry fault that would count one injection twice.
        if (i > 0 && dose.date === c.doses[i - 1]!.date) return `doses ${i} and ${i + 1} are on the same day (${day(dose.date)})`;
      }
      return null;
    case 'test': {
      if (c.test.sampledAt > issuedUntil) return 'test was sampled after the pass was issued';
      return notBeforeBirth(civilDayAt(c.test.sampledAt, context.timeZone), 'test sample date');
    }
    case 'recovery':
      return notBeforeBirth(c.recovery.firstPositiveTest, 'first positive test') ?? notAfterIssue(c.recovery.firstPositiveTest, 'first positive test');
    case 'exemption':
      if (c.exemption.validUntil < c.exemption.validFrom) return 'exemption ends before it starts';
      return c.exemption.validUntil < c.birthDate ? `exemption ends ${day(c.exemption.validUntil)}, before the birth date ${day(c.birthDate)}` : null;
  }
}
