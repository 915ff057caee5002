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

/** The API gives instants as ISO strings or unix seconds; show the calendar date. */
export function dateOf(value: string | number): string {
  const ms = typeof value === 'number' ? value * 1000 : Date.parse(value);
  return Number.isNaN(ms) ? '' : new Date(ms).toISOString().slice(0, 10);
}
