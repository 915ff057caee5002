// Parsing of --at and --ttl. An instant must name its zone (Z or ±hh:mm): "09:00" on an
// operator's laptop and on a scanner in Seoul are different instants, and guessing is how the
// 2021 time-extraction bug happened.
import { CliError } from './exit-codes.ts';

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export function parseInstant(text: string, option = '--at'): Date {
  const m = INSTANT.exec(text);
  const date = m ? new Date(text) : null;
  // Date.parse rolls 2022-02-30 over into March instead of refusing it, so the day is checked
  // against the month's real length (day 0 of the next month is the last day of this one;
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999).
  const daysInMonth = m ? new Date(new Date(0).setUTCFullYear(Number(m[1]), Number(m[2]), 0)).getUTCDate() : 0;
  if (!m || !date || Number.isNaN(date.getTime()) || Number(m[2]) < 1 || Number(m[2]) > 12 || Number(m[3]) < 1 || Number(m[3]) > daysInMonth || Number(m[4]) > 23 || Number(m[5]) > 59) {
    throw new CliError(`${option} must be an ISO-8601 instant with a zone, e.g. 2022-01-15T12:00:00+09:00 (got ${JSON.stringify(text)})`);
  }
  return date;
}

/** --at if given, else the machine clock. */
export function instantOption(value: string | undefined, option = '--at'): Date {
  return value === undefined ? new Date() : parseInstant(value, option);
}

export const unixSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** "90s", "30m", "48h", "7d" → seconds. */
export function parseDuration(text: string, option: string): number {
  const m = /^([1-9]\d{0,6})([smhd])$/.exec(text);
  if (!m) throw new CliError(`${option} must be a duration like 30m, 48h or 7d (got ${JSON.stringify(text)})`);
  return Number(m[1]) * UNIT_SECONDS[m[2]!]!;
}

export const isoSeconds = (seconds: number): string => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
