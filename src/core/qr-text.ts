// The text inside the QR code: "VP1:" + base45(COSE_Sign1). Every character is in the QR
// alphanumeric set, so the code stays small. The text is taken exactly as scanned: it is
// case-sensitive and never URL-decoded.
import { decodeBase45, encodeBase45 } from './base45.ts';

export const FORMAT_VERSION = 1;
export const QR_PREFIX = `VP${FORMAT_VERSION}:`;
/** Alphanumeric capacity of the largest QR code (version 40, level L). Longer text is refused unread. */
export const MAX_QR_TEXT_LENGTH = 4296;

export function toQrText(coseBytes: Uint8Array): string {
  return QR_PREFIX + encodeBase45(coseBytes);
}

export type QrTextResult =
  | { ok: true; bytes: Uint8Array }
  | { ok: false; code: 'MALFORMED' | 'UNSUPPORTED_VERSION'; message: string };

export function fromQrText(text: string): QrTextResult {
  if (text.length > MAX_QR_TEXT_LENGTH) return { ok: false, code: 'MALFORMED', message: `text is longer than ${MAX_QR_TEXT_LENGTH} characters` };
  if (!text.startsWith(QR_PREFIX)) {
    const version = /^VP(\d{1,3}):/.exec(text);
    if (version) return { ok: false, code: 'UNSUPPORTED_VERSION', message: `pass format version ${version[1]} is not supported` };
    return { ok: false, code: 'MALFORMED', message: `text does not start with ${QR_PREFIX}` };
  }
  const bytes = decodeBase45(text, QR_PREFIX.length);
  if (!bytes) return { ok: false, code: 'MALFORMED', message: 'text is not valid base45' };
  return { ok: true, bytes };
}
