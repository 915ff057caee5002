// Civil dates in the issuing country's time zone. Dates in a pass are whole days since
// 1970-01-01 in that zone's calendar; rules are counted in those days, never in UTC and never in
// the device's zone. Only Intl (a Web API) is used, so browsers and Node agree.

const SECONDS_PER_DAY = 86_400;

export type CivilDay = number;

const formatters = new Map<string, Intl.DateTimeFormat>();
// One offset lookup serves a 15-minute bucket of instants. Most zones change offset on a quarter
// hour of UTC, but not all (America/Goose_Bay changed at 00:01 local until 2011, Antarctica/Casey
// at 16:01 UTC in 2022, Africa/Monrovia was −0:44:30 until 1972), so a bucket is cached only when
// its first and last second agree; otherwise the instant itself is looked up.
// Keyed zone → bucket (numbers), so the hot path of verification builds no key strings.
const offsetCache = new Map<string, Map<number, number>>();
const OFFSET_CACHE_LIMIT = 4096;

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Offset of `timeZone` from UTC, in seconds, at the instant `unixSeconds`. */
export function zoneOffsetSeconds(unixSeconds: number, timeZone: string): number {
  const bucket = Math.floor(unixSeconds / 900);
  let zoneCache = offsetCache.get(timeZone);
  if (zoneCache === undefined) {
    zoneCache = new Map();
    offsetCache.set(timeZone, zoneCache);
  }
  const cached = zoneCache.get(bucket);
  if (cached !== undefined) return cached;
  const offset = lookUpOffset(bucket * 900, timeZone);
  if (lookUpOffset(bucket * 900 + 899, timeZone) !== offset) return lookUpOffset(Math.floor(unixSeconds), timeZone);
  if (zoneCache.size >= OFFSET_CACHE_LIMIT) zoneCache.clear();
  zoneCache.set(bucket, offset);
  return offset;
}

/** The zone's offset at a whole second, from the local wall-clock time Intl reports for it. */
function lookUpOffset(second: number, timeZone: string): number {
  const parts = formatterFor(timeZone).formatToParts(new Date(second * 1000));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  let year = get('year');
  if (parts.find((p) => p.type === 'era')?.value === 'BC') year = 1 - year;
  // Date.UTC reads years 0–99 as 1900–1999; setUTCFullYear does not.
  const asUtc = new Date(0).setUTCFullYear(year, get('month') - 1, get('day')) / 1000 + get('hour') * 3600 + get('minute') * 60 + get('second');
  return asUtc - second;
}

/** The civil day (days since 1970-01-01 in the zone's calendar) that contains the instant. */
export function civilDayAt(unixSeconds: number, timeZone: string): CivilDay {
  return Math.floor((unixSeconds + zoneOffsetSeconds(unixSeconds, timeZone)) / SECONDS_PER_DAY);
}

/** The first instant (unix seconds) of a civil day in the zone. */
export function startOfCivilDay(day: CivilDay, timeZone: string): number {
  const naive = day * SECONDS_PER_DAY;
  const guess = naive - zoneOffsetSeconds(naive, timeZone);
  const midnight = naive - zoneOffsetSeconds(guess, timeZone);
  if (civilDayAt(midnight, timeZone) === day && civilDayAt(midnight - 1, timeZone) < day) return midnight;
  // No local midnight: a transition skips it (clocks jump from 00:00 to 01:00, as in
  // America/Santiago or Asia/Beirut), or skips the whole day (Pacific/Apia, 2011-12-30). The day
  // then begins at the first instant whose civil day is not earlier, found by bisection: civil days
  // never decrease, and offsets stay within ±14 hours, so the answer lies within two days of naive.
  let low = naive - 2 * SECONDS_PER_DAY;
  let high = naive + 2 * SECONDS_PER_DAY;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if (civilDayAt(mid, timeZone) >= day) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** 'YYYY-MM-DD' → civil day, or null when it is not a real calendar date. */
export function parseIsoDate(text: string): CivilDay | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return ms / 1000 / SECONDS_PER_DAY;
}

/** Civil day → 'YYYY-MM-DD' (proleptic Gregorian), by arithmetic rather than a Date round trip: it runs once per verification. */
export function formatIsoDate(day: CivilDay): string {
  // days_from_civil inverse (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms"), eras of 400 years.
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  if (y < 0 || y > 9999) return new Date(day * SECONDS_PER_DAY * 1000).toISOString().slice(0, 10);
  return `${String(y).padStart(4, '0')}-${m < 10 ? '0' : ''}${m}-${d < 10 ? '0' : ''}${d}`;
}
