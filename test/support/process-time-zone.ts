// Runs a suite with process.env.TZ set, restoring it afterwards. Used where the code under test
// formats for the device's calendar (the apps do; the core never reads the device zone).
import { afterEach, beforeEach } from 'vitest';

export function useProcessTimeZone(timeZone: string): void {
  let saved: string | undefined;
  beforeEach(() => {
    saved = process.env.TZ;
    process.env.TZ = timeZone;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  });
}
