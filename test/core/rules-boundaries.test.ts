// Date rules at their edges, counted in Asia/Seoul civil days (docs/pass-format.md §6.3):
// the anchor date (dose, first positive test) is day 0; a window { validFromDay: f, validDays: n }
// accepts days f .. f+n-1. Midnight KST is 15:00 UTC the previous day.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { civilDayAt, formatIsoDate, isValidTimeZone, parseIsoDate, startOfCivilDay, zoneOffsetSeconds } from '../../src/core/civil-time.ts';
import type { PassContent } from '../../src/core/pass-content.ts';
import { DEFAULT_RULES, evaluateRules } from '../../src/core/rules.ts';
import { openBundle } from '../../src/core/trust-bundle.ts';
import { verify } from '../../src/core/verify-pass.ts';
import { fromBase64Url } from '../../src/core/bytes.ts';
import { createNodeCryptoBackend } from '../../src/node/node-crypto-backend.ts';
import type { VectorFile } from '../support/replay-vector.ts';

const at = (iso: string): number => Date.parse(iso) / 1000;
const day = (iso: string): number => parseIsoDate(iso)!;
const person = { name: 'Test Person', birthDate: day('1980-01-01') };
const vaccinated = (...dates: string[]): PassContent => ({ ...person, type: 'vaccination', doses: dates.map((d) => ({ product: 1, date: day(d) })) });
const janssen = (date: string): PassContent => ({ ...person, type: 'vaccination', doses: [{ product: 4, date: day(date) }] });
const recovered = (date: string): PassContent => ({ ...person, type: 'recovery', recovery: { firstPositiveTest: day(date) } });
const ok = (content: PassContent, instant: string): boolean => evaluateRules(content, DEFAULT_RULES, at(instant)).ok;

describe('civil time', () => {
  it('puts midnight KST at 15:00 UTC the previous day', () => {
    expect(civilDayAt(at('2021-09-01T14:59:59Z'), 'Asia/Seoul')).toBe(day('2021-09-01'));
    expect(civilDayAt(at('2021-09-01T15:00:00Z'), 'Asia/Seoul')).toBe(day('2021-09-02'));
    expect(startOfCivilDay(day('2021-09-02'), 'Asia/Seoul')).toBe(at('2021-09-01T15:00:00Z'));
    expect(zoneOffsetSeconds(at('2022-01-15T00:00:00Z'), 'Asia/Seoul')).toBe(9 * 3600);
  });

  it('handles a zone with daylight saving time (start of day on the change days)', () => {
    expect(startOfCivilDay(day('2022-03-13'), 'America/New_York')).toBe(at('2022-03-13T05:00:00Z'));
    expect(startOfCivilDay(day('2022-03-14'), 'America/New_York')).toBe(at('2022-03-14T04:00:00Z'));
    expect(startOfCivilDay(day('2022-11-06'), 'America/New_York')).toBe(at('2022-11-06T04:00:00Z'));
    expect(civilDayAt(at('2022-11-07T04:59:59Z'), 'America/New_York')).toBe(day('2022-11-06'));
  });

  it('starts a day at its first instant where a transition skips local midnight', () => {
    // Chile 2022-09-11: clocks jump from 00:00 (-04) to 01:00 (-03), so the day begins at 04:00Z;
    // 03:00Z is still 23:00 on the 10th.
    expect(startOfCivilDay(day('2022-09-11'), 'America/Santiago')).toBe(at('2022-09-11T04:00:00Z'));
    expect(civilDayAt(at('2022-09-11T03:59:59Z'), 'America/Santiago')).toBe(day('2022-09-10'));
    expect(startOfCivilDay(day('2023-03-12'), 'America/Havana')).toBe(at('2023-03-12T05:00:00Z'));
    // Samoa skipped 2011-12-30 altogether: the first instant not before it is 2011-12-31 00:00 (+14).
    expect(startOfCivilDay(day('2011-12-30'), 'Pacific/Apia')).toBe(at('2011-12-30T10:00:00Z'));
    expect(civilDayAt(at('2011-12-30T10:00:00Z'), 'Pacific/Apia')).toBe(day('2011-12-31'));
  });

  it('finds offset changes that are not on a UTC quarter hour (no stale 15-minute cache)', () => {
    // Goose Bay fell back at 00:01 local (03:01Z) on 2010-11-07, to 23:01 on the 6th.
    expect(civilDayAt(at('2010-11-07T03:00:59Z'), 'America/Goose_Bay')).toBe(day('2010-11-07'));
    expect(civilDayAt(at('2010-11-07T03:05:00Z'), 'America/Goose_Bay')).toBe(day('2010-11-06'));
    expect(zoneOffsetSeconds(at('2010-11-07T03:05:00Z'), 'America/Goose_Bay')).toBe(-4 * 3600);
  });

  it('parses only real calendar dates', () => {
    expect(parseIsoDate('1970-01-01')).toBe(0);
    expect(parseIsoDate('2020-02-29')).toBe(18321);
    expect(parseIsoDate('2021-02-29')).toBeNull();
    expect(parseIsoDate('2021-13-01')).toBeNull();
    expect(parseIsoDate('2021-1-01')).toBeNull();
    expect(parseIsoDate('2021-01-01T00:00:00Z')).toBeNull();
    expect(formatIsoDate(day('1869-12-31'))).toBe('1869-12-31');
    expect(isValidTimeZone('Asia/Seoul')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});

describe('primary series (valid from day 14 for 180 days)', () => {
  const pass = vaccinated('2021-07-22', '2021-08-19');

  it('first valid instant is day 14 at 00:00 KST; one second earlier is not valid', () => {
    expect(ok(pass, '2021-09-01T14:59:59Z')).toBe(false);
    expect(ok(pass, '2021-09-01T15:00:00Z')).toBe(true);
  });

  it('day 13 after the dose is not valid, day 14 is', () => {
    expect(ok(pass, '2021-09-01T03:00:00Z')).toBe(false); // 2021-09-01 12:00 KST = day 13
    expect(ok(pass, '2021-09-02T03:00:00Z')).toBe(true); // day 14
  });

  it('validity day 180 (2022-02-28) is valid, day 181 (2022-03-01) is not', () => {
    expect(ok(pass, '2022-02-28T14:59:59Z')).toBe(true);
    expect(ok(pass, '2022-02-28T15:00:00Z')).toBe(false);
    const outcome = evaluateRules(pass, DEFAULT_RULES, at('2022-02-28T03:00:00Z'));
    expect(outcome).toEqual({ ok: true, rule: 'vaccination.primary', validUntil: at('2022-02-28T15:00:00Z') });
  });

  it('a dose on the leap day 2020-02-29 counts 14 days to 2020-03-14 and ends after 2020-09-09', () => {
    expect(ok(janssen('2020-02-29'), '2020-03-13T14:59:59Z')).toBe(false);
    expect(ok(janssen('2020-02-29'), '2020-03-13T15:00:00Z')).toBe(true);
    expect(ok(janssen('2020-02-29'), '2020-09-09T14:59:59Z')).toBe(true);
    expect(ok(janssen('2020-02-29'), '2020-09-09T15:00:00Z')).toBe(false);
  });

  it('a validity window crossing 2024-02-29 counts the leap day (last valid day 2024-03-12)', () => {
    const crossing = vaccinated('2023-08-04', '2023-09-01');
    expect(ok(crossing, '2024-03-12T14:59:59Z')).toBe(true);
    expect(ok(crossing, '2024-03-12T15:00:00Z')).toBe(false);
  });

  it('a booster is valid from its own day with no end, and a primary series stays valid alongside', () => {
    const boosted = vaccinated('2021-07-22', '2021-08-19', '2022-01-10');
    expect(evaluateRules(boosted, DEFAULT_RULES, at('2022-01-09T15:00:00Z'))).toMatchObject({ ok: true, rule: 'vaccination.booster', validUntil: null });
    // the day before the booster the primary series still carries the pass
    expect(evaluateRules(boosted, DEFAULT_RULES, at('2022-01-09T14:59:59Z'))).toMatchObject({ ok: true, rule: 'vaccination.primary' });
    expect(ok(boosted, '2030-01-01T00:00:00Z')).toBe(true);
  });
});

describe('recovery (valid from day 11 to day 180)', () => {
  const pass = recovered('2021-12-20');
  it('day 10 is not valid, day 11 is', () => {
    expect(ok(pass, '2021-12-30T14:59:59Z')).toBe(false); // 2021-12-30 23:59:59 KST = day 10
    expect(ok(pass, '2021-12-30T15:00:00Z')).toBe(true); // 2021-12-31 00:00 KST = day 11
  });
  it('day 180 (2022-06-18) is valid, day 181 is not', () => {
    expect(ok(pass, '2022-06-18T14:59:59Z')).toBe(true);
    expect(ok(pass, '2022-06-18T15:00:00Z')).toBe(false);
  });
});

describe('negative PCR test (valid 48 hours from sampling)', () => {
  const sampledAt = at('2022-01-14T01:30:00Z');
  const pass: PassContent = { ...person, type: 'test', test: { kind: 'PCR', sampledAt, result: 'negative' } };
  it('is valid until one second before 48 h and not at 48 h', () => {
    expect(evaluateRules(pass, DEFAULT_RULES, sampledAt + 48 * 3600 - 1)).toEqual({ ok: true, rule: 'test', validUntil: sampledAt + 48 * 3600 });
    expect(evaluateRules(pass, DEFAULT_RULES, sampledAt + 48 * 3600).ok).toBe(false);
  });
  it('refuses a sample time in the future beyond the clock tolerance', () => {
    expect(evaluateRules(pass, DEFAULT_RULES, sampledAt - DEFAULT_RULES.clockSkewSeconds).ok).toBe(true);
    expect(evaluateRules(pass, DEFAULT_RULES, sampledAt - DEFAULT_RULES.clockSkewSeconds - 1).ok).toBe(false);
  });
});

describe('exemption (inclusive civil-day window)', () => {
  const pass: PassContent = { ...person, type: 'exemption', exemption: { validFrom: day('2021-12-01'), validUntil: day('2022-06-30') } };
  it('starts at 00:00 KST on its first day', () => {
    expect(ok(pass, '2021-11-30T14:59:59Z')).toBe(false);
    expect(ok(pass, '2021-11-30T15:00:00Z')).toBe(true);
  });
  it('ends at 24:00 KST on its last day', () => {
    expect(evaluateRules(pass, DEFAULT_RULES, at('2022-06-30T14:59:59Z'))).toEqual({ ok: true, rule: 'exemption', validUntil: at('2022-06-30T15:00:00Z') });
    expect(ok(pass, '2022-06-30T15:00:00Z')).toBe(false);
  });
});

describe('the device time zone never matters', () => {
  const instants = ['2021-09-01T14:59:59Z', '2021-09-01T15:00:00Z', '2022-02-28T14:59:59Z', '2022-02-28T15:00:00Z'];
  const script = `
    const { evaluateRules, DEFAULT_RULES } = await import(${JSON.stringify(new URL('../../src/core/rules.ts', import.meta.url).href)});
    const { parseIsoDate } = await import(${JSON.stringify(new URL('../../src/core/civil-time.ts', import.meta.url).href)});
    const pass = { name: 'T', birthDate: 0, type: 'vaccination', doses: [{ product: 1, date: parseIsoDate('2021-07-22') }, { product: 1, date: parseIsoDate('2021-08-19') }] };
    const out = ${JSON.stringify(instants)}.map((i) => evaluateRules(pass, DEFAULT_RULES, Date.parse(i) / 1000));
    process.stdout.write(JSON.stringify({ tz: Intl.DateTimeFormat().resolvedOptions().timeZone, out }));
  `;
  const inZone = (tz: string): { tz: string; out: unknown[] } =>
    JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, TZ: tz }, encoding: 'utf8' })) as { tz: string; out: unknown[] };

  it('gives the same answers in Los Angeles, Kiritimati (UTC+14) and Seoul processes', () => {
    const la = inZone('America/Los_Angeles');
    const kiritimati = inZone('Pacific/Kiritimati');
    const seoul = inZone('Asia/Seoul');
    expect(la.tz).toBe('America/Los_Angeles');
    expect(kiritimati.tz).toBe('Pacific/Kiritimati');
    expect(la.out).toEqual(seoul.out);
    expect(kiritimati.out).toEqual(seoul.out);
    expect(seoul.out.map((o) => (o as { ok: boolean }).ok)).toEqual([false, true, true, false]);
  }, 30_000);
});

describe('clock floor', () => {
  const file = JSON.parse(readFileSync(new URL('../vectors/vaxpass-v1.json', import.meta.url), 'utf8')) as VectorFile;
  const valid = file.vectors.find((v) => v.name === 'valid-vaccination-booster')!;

  it('a clock earlier than bundle.issuedAt decides at issuedAt', async () => {
    const opened = await openBundle(file.bundles.default!, { root: fromBase64Url(file.root.publicKey)!, now: new Date('2020-01-01T00:00:00Z'), backend: createNodeCryptoBackend() });
    if (!opened.ok) throw new Error(opened.message);
    const result = await verify(valid.text, opened.bundle, { now: new Date('2020-01-01T00:00:00Z') });
    expect(result).toMatchObject({ ok: true, decidedAt: opened.bundle.issuedAt });
    const later = await verify(valid.text, opened.bundle, { now: new Date((opened.bundle.issuedAt + 60) * 1000) });
    expect(later).toMatchObject({ ok: true, decidedAt: opened.bundle.issuedAt + 60 });
  });
});
