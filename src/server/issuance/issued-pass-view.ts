// The JSON shape of a pass in API responses (holder and partner alike).
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
