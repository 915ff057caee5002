// The JSON shape of a pass in API responses (holder and partner alike).
import { formatIsoDate } from '../../core/civil-time.ts';
import { parseCoseSign1 } from '../../core/cose-sign1.ts';
import { decodeClaims } from '../../core/pass-claims-codec.ts';
import { fromQrText } from '../../core/qr-text.ts';
import type { PassType } from '../../core/verification-result.ts';

export interface PassView {
  readonly passId: string;
  readonly type: PassType;
  /** The QR text ("VP1:…"). Apps render the QR code from it; the server never renders images. */
  readonly text: string;
  readonly issuedAt: string;
  readonly expiresAt: string;
  readonly kid: string;
  readonly holder: { readonly name: string; readonly birthDate: string };
}

/** The holder as the signed pass itself names them: a replay shows what the pass says, not a later registry correction. */
export function holderInPassText(text: string): { name: string; birthDate: string } {
  const qr = fromQrText(text);
  const cose = qr.ok ? parseCoseSign1(qr.bytes) : null;
  const claims = cose?.ok ? decodeClaims(cose.value.payload) : null;
  if (!claims?.ok) throw new Error('a stored pass does not decode');
  return { name: claims.pass.content.name, birthDate: formatIsoDate(claims.pass.content.birthDate) };
}

export function passView(row: { passId: string; type: PassType; text: string; iat: number; exp: number; kid: string }, holder: { name: string; birthDate: string }): PassView {
  return {
    passId: row.passId,
    type: row.type,
    text: row.text,
    issuedAt: new Date(row.iat * 1000).toISOString(),
    expiresAt: new Date(row.exp * 1000).toISOString(),
    kid: row.kid,
    holder,
  };
}
