// QR images of pass text with the qrcode package. The text is all base45 characters, so qrcode
// picks alphanumeric mode on its own. Level M (15 % recovery) is the default: passes are shown on
// phone screens and clean paper, where M keeps the code one or two versions smaller than Q.
import QRCode from 'qrcode';

export type ErrorCorrectionLevel = 'L' | 'M' | 'Q' | 'H';

export const DEFAULT_ERROR_CORRECTION: ErrorCorrectionLevel = 'M';

export interface RenderOptions {
  readonly errorCorrectionLevel?: ErrorCorrectionLevel;
  /** Pixels per module in PNGs (default 8: a version-9 code, 53 modules plus a 4-module quiet zone each side, is 488 px wide). */
  readonly scale?: number;
}

/** The QR version (1–40) this text needs at the given level. */
export function qrVersion(text: string, errorCorrectionLevel: ErrorCorrectionLevel = DEFAULT_ERROR_CORRECTION): number {
  return QRCode.create(text, { errorCorrectionLevel }).version;
}

export async function renderQrPng(text: string, options: RenderOptions = {}): Promise<Uint8Array> {
  const buffer = await QRCode.toBuffer(text, {
    type: 'png',
    errorCorrectionLevel: options.errorCorrectionLevel ?? DEFAULT_ERROR_CORRECTION,
    // The quiet zone of four modules is required by ISO/IEC 18004 §7.3.7 for reliable scanning.
    margin: 4,
    scale: options.scale ?? 8,
  });
  return new Uint8Array(buffer);
}

export async function renderQrSvg(text: string, options: RenderOptions = {}): Promise<string> {
  return QRCode.toString(text, {
    type: 'svg',
    errorCorrectionLevel: options.errorCorrectionLevel ?? DEFAULT_ERROR_CORRECTION,
    margin: 4,
  });
}
