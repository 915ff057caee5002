// Reads the issuer out of a pass the holder already has, for the printed page. Reading is not
// verifying: the scanner verifies; the holder app only displays its own pass.
import { parseCoseSign1 } from '../../core/cose-sign1.ts';
import { decodeClaims } from '../../core/pass-claims-codec.ts';
import { fromQrText } from '../../core/qr-text.ts';

export function issuerOf(text: string): string | null {
  const qr = fromQrText(text);
  if (!qr.ok) return null;
  const cose = parseCoseSign1(qr.bytes);
  if (!cose.ok) return null;
  const claims = decodeClaims(cose.value.payload);
  return claims.ok ? claims.pass.iss : null;
}

/**
 * The API gives instants as ISO strings or unix seconds; show them as the calendar date (and
 * optionally the time) on the phone's own clock, so a pass expiring at 20:00 UTC shows the next
 * day in Korea, as the holder lives it.
 */
export function dateOf(value: string | number, options: { withTime?: boolean } = {}): string {
  const ms = typeof value === 'number' ? value * 1000 : Date.parse(value);
  if (Number.isNaN(ms)) return '';
  const d = new Date(ms);
  const two = (n: number) => String(n).padStart(2, '0');
  const date = `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
  return options.withTime ? `${date} ${two(d.getHours())}:${two(d.getMinutes())}` : date;
}
